"""The CJK font for the page and the figures, subset to the characters actually used.

Input: text to cover. Output: an ``@font-face`` rule with the font inline (base64), and a static
font file registered with matplotlib. Side effects: ``register_figure_font`` writes one font file
into a given folder and adds it to matplotlib's font manager.

The shipped font is a variable CFF2 collection (``manimgx_fonts_cjk``); instancing the whole of
it takes minutes, so it is always subset first (about a second).
"""

from __future__ import annotations

import base64
import hashlib
import io
import string
from pathlib import Path

from ksafe.errors import KsafeError

FONT_FILE = "NotoSansCJK-VF.otf.ttc"
FACE_JP, FACE_KR = 0, 1
WEB_FAMILY = "ksafe-cjk"
BASE_TEXT = string.printable + "·—–→×%…«»"


def cjk_font_path() -> Path:
    """Path of the shipped CJK font collection."""
    try:
        import manimgx_fonts_cjk
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise KsafeError("package manimgx-fonts-cjk is missing (pip install manimgx-fonts-cjk)") from exc
    path = Path(manimgx_fonts_cjk.__file__).resolve().parent / FONT_FILE
    if not path.is_file():
        raise KsafeError(f"{path}: CJK font file missing")
    return path


def face_for(cultures: list[str]) -> int:
    """The collection face whose glyph forms suit the cultures (Japanese face for ``ja`` only)."""
    return FACE_JP if cultures and all(c.startswith("ja") for c in cultures) else FACE_KR


def subset_font(
    text: str, face: int = FACE_KR, weight: float | None = None, family: str | None = None, woff2: bool = False
) -> bytes:
    """Return OpenType bytes (or WOFF2 with ``woff2``; needs ``brotli``) of the font reduced to ``text``'s glyphs.

    Args:
        text: Characters to keep (printable ASCII is always kept).
        face: Face index in the collection.
        weight: When given, pin the variable weight axis (a static font, for matplotlib).
        family: When given, rename the family (so several subsets never shadow each other).
        woff2: Save as WOFF2 (about a third of the OpenType size).
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(cjk_font_path()), fontNumber=face)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text + BASE_TEXT))))
    subsetter.subset(font)
    if weight is not None and "fvar" in font:
        from fontTools.varLib import instancer

        font = instancer.instantiateVariableFont(font, {"wght": weight})
    if family is not None:
        names = font["name"]
        for record in list(names.names):
            if record.nameID in (1, 16):
                names.setName(family, record.nameID, record.platformID, record.platEncID, record.langID)
            elif record.nameID in (4, 6):
                names.setName(
                    family.replace(" ", "-") if record.nameID == 6 else family,
                    record.nameID,
                    record.platformID,
                    record.platEncID,
                    record.langID,
                )
    if woff2:
        font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def have_brotli() -> bool:
    """Whether fontTools can write WOFF2 (it needs ``brotli``)."""
    try:
        import brotli  # noqa: F401
    except ImportError:
        return False
    return True


def webfont_css(text: str, face: int = FACE_KR) -> str:
    """An ``@font-face`` rule embedding the subset font as a base64 data URI (variable weight kept).

    WOFF2 when ``brotli`` is installed (a declared dependency), else OpenType.
    """
    woff2 = have_brotli()
    mime, fmt = ("font/woff2", "woff2") if woff2 else ("font/otf", "opentype")
    data = base64.b64encode(subset_font(text, face, woff2=woff2)).decode("ascii")
    return (
        f"@font-face{{font-family:'{WEB_FAMILY}';src:url(data:{mime};base64,{data}) format('{fmt}');"
        "font-weight:100 900;font-display:block;}"
    )


def register_figure_font(text: str, folder: Path, face: int = FACE_KR) -> str:
    """Write a static (regular weight) subset covering ``text`` into ``folder``; register it; return its family."""
    from matplotlib import font_manager

    digest = hashlib.sha256(f"{face}\0{text}".encode()).hexdigest()[:10]
    family = f"ksafe CJK {digest}"
    path = folder / f"ksafe-cjk-{digest}.otf"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(subset_font(text, face, weight=400, family=family))
    font_manager.fontManager.addfont(str(path))
    return family
