"""Step 3: render key phrases into images (typography, numbered list, localized scenes) and store them.

Public API: ``resolve_font``/``load_font``/``ResolvedFont`` (fonts), ``check_glyphs``/``missing_glyphs``
(glyphs), ``wrap``/``fit_text`` (linebreak), ``RenderContext``, ``RENDERERS`` and ``render_png`` (render),
``IMAGE_SOURCES``/``ImageSource``/``image_kinds`` (the ``ksafe.image_sources`` registry), ``store_png``
(store). Importing loads Pillow and fontTools modules only; no fonts are read.
"""

from ksafe.images.canvas import RenderContext, RendererInfo
from ksafe.images.fonts import ResolvedFont, load_font, resolve_font
from ksafe.images.glyphs import check_glyphs, missing_glyphs
from ksafe.images.linebreak import fit_text, wrap
from ksafe.images.render import RENDERERS, get_renderer, render_png
from ksafe.images.sources import IMAGE_SOURCES, ImageSource, get_image_source, image_kinds
from ksafe.images.store import store_png

__all__ = [
    "IMAGE_SOURCES",
    "RENDERERS",
    "ImageSource",
    "RenderContext",
    "RendererInfo",
    "ResolvedFont",
    "check_glyphs",
    "fit_text",
    "get_image_source",
    "get_renderer",
    "image_kinds",
    "load_font",
    "missing_glyphs",
    "render_png",
    "resolve_font",
    "store_png",
    "wrap",
]
