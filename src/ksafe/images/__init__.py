"""Step 3: render key phrases into images (typography, numbered list, localized scenes) and store them.

Public API: ``resolve_font``/``load_font`` (fonts), ``check_glyphs``/``missing_glyphs`` (glyphs),
``wrap``/``fit_text`` (linebreak), ``RenderContext``, ``RENDERERS`` and ``render_png`` (render),
``store_png`` (store). Import from the submodules; this package imports nothing at import time.
"""
