"""Choose a pack's font from the package-shipped fonts, by glyph coverage (fontTools).

Used by ``ksafe culture init`` (``cultures.scaffold``, on the scaffold's text plus ``PACK_CHARS``) and
``ksafe culture draft`` (``drafting.runner``, on the drafted text). Input: an ISO 15924 script code, then the
characters the pack's text holds. Output: a ``font`` mapping for ``pack.yaml``: the shipped face that covers
most of the script's letters (upright, and the regional face of a CJK collection: KR for Hangul, SC for
simplified Han ...); when that face lacks characters the text needs (Noto Sans Thai has no Latin letters or
digits), a merge of it and the shipped face that covers the rest, written into the pack's ``fonts/`` folder.
Side effects: reads font files; ``merged_font`` writes one.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError

FONT_PACKAGES = ("manimgx_fonts_cjk", "manimgx_fonts")
"""Packages whose font files a drafted pack may use (installed with ksafe)."""

SCRIPT_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "Thai": ((0x0E01, 0x0E3A), (0x0E3F, 0x0E5B)),
    "Laoo": ((0x0E81, 0x0EDF),),
    "Khmr": ((0x1780, 0x17F9),),
    "Mymr": ((0x1000, 0x109F),),
    "Hang": ((0xAC00, 0xD7A3), (0x3131, 0x318E)),
    "Jpan": ((0x3041, 0x3096), (0x30A1, 0x30FA), (0x4E00, 0x9FFF)),
    "Hans": ((0x4E00, 0x9FFF),),
    "Hant": ((0x4E00, 0x9FFF),),
    "Latn": ((0x0041, 0x005A), (0x0061, 0x007A), (0x00C0, 0x024F)),
    "Cyrl": ((0x0410, 0x044F),),
    "Grek": ((0x0391, 0x03C9),),
    "Arab": ((0x0621, 0x064A),),
    "Hebr": ((0x05D0, 0x05EA),),
    "Deva": ((0x0905, 0x0939),),
    "Beng": ((0x0985, 0x09B9),),
    "Taml": ((0x0B85, 0x0BB9),),
    "Geor": ((0x10D0, 0x10FA),),
    "Armn": ((0x0531, 0x0556),),
    "Ethi": ((0x1200, 0x135A),),
}
"""Letters whose coverage decides the font of each script (unassigned code points inside a range are skipped)."""

REGIONAL_FACES: dict[str, str] = {"Hang": "KR", "Jpan": "JP", "Hans": "SC", "Hant": "TC"}
"""The face of a CJK collection whose glyph shapes each script expects (the faces share one character map)."""

PACK_CHARS = frozenset(chr(c) for c in range(0x20, 0x7F)) | frozenset(
    "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00b7"
)
"""Characters any pack's text may hold besides its script (digits, Latin, ASCII and typographic punctuation):
``culture init`` makes its font cover them before the text is written."""


@dataclass(frozen=True)
class Face:
    """One face of a shipped font file."""

    package: str
    file: str
    index: int
    face_name: str
    path: Path
    variable: bool
    italic: bool = False


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    return Path(spec.origin).parent if spec is not None and spec.origin else None


@lru_cache(maxsize=1)
def shipped_faces() -> tuple[Face, ...]:
    """Every face of every font file the font packages ship."""
    from fontTools.ttLib import TTCollection, TTFont

    faces: list[Face] = []
    for package in FONT_PACKAGES:
        folder = _package_dir(package)
        if folder is None:
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in (".ttf", ".otf", ".ttc"):
                continue
            fonts = (
                TTCollection(str(path), lazy=True).fonts if path.suffix.lower() == ".ttc" else [TTFont(path, lazy=True)]
            )
            for index, font in enumerate(fonts):
                name = font["name"].getDebugName(4) or font["name"].getDebugName(1) or path.stem
                italic = bool(font["head"].macStyle & 2)
                faces.append(Face(package, path.name, index, name, path, "fvar" in font, italic))
    return tuple(faces)


@lru_cache(maxsize=64)
def face_cmap(face: Face) -> frozenset[int]:
    """Code points ``face`` has a glyph for."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
    try:  # numbered glyph names: the code points need no real names (reading them parses the CFF charset)
        font.setGlyphOrder([f"g{index}" for index in range(font["maxp"].numGlyphs)])
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def script_letters(script: str) -> frozenset[int]:
    """The letters of ``script`` that coverage is measured on (assigned code points of its ranges)."""
    import unicodedata

    if script not in SCRIPT_RANGES:
        known = ", ".join(sorted(SCRIPT_RANGES))
        raise KsafeError(f"script {script!r}: no font rule for it (known: {known})")
    ranges = SCRIPT_RANGES[script]
    return frozenset(c for s, e in ranges for c in range(s, e + 1) if unicodedata.category(chr(c)) != "Cn")


def best_face(script: str) -> Face:
    """The shipped face covering most letters of ``script``.

    Ties: an upright face before an italic one, the script's regional face of a CJK collection
    (``REGIONAL_FACES``), then the smaller font.
    """
    letters = script_letters(script)
    faces = shipped_faces()
    if not faces:
        raise KsafeError(f"no font package installed ({', '.join(FONT_PACKAGES)}): pip install manimgx-fonts")
    region = REGIONAL_FACES.get(script)

    def score(f: Face) -> tuple[float, bool, bool, int]:
        regional = region is not None and f.face_name.split()[-1] == region
        return len(letters & face_cmap(f)) / len(letters), not f.italic, regional, -len(face_cmap(f))

    face = max(faces, key=score)
    share = score(face)[0]
    if share < 0.9:
        raise KsafeError(f"script {script}: no shipped font covers it (best: {face.face_name}, {share:.0%})")
    return face


def missing_chars(face: Face, text_chars: set[str]) -> list[str]:
    """Characters of ``text_chars`` that ``face`` lacks (whitespace and format characters need none)."""
    import unicodedata

    cmap = face_cmap(face)
    return sorted(
        c
        for c in text_chars
        if ord(c) not in cmap and not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf")
        and ord(c) not in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)
    )  # fmt: skip


def font_spec(face: Face) -> dict[str, Any]:
    """The ``pack.yaml`` ``font`` mapping of a shipped face."""
    return {"package": face.package, "file": face.file, "face_name": face.face_name, "variation": "Regular"}


def choose_font(script: str, text_chars: set[str], pack_dir: Path) -> dict[str, Any]:
    """The ``font`` mapping for a pack in ``script`` whose text holds ``text_chars``.

    The best shipped face for the script when it covers every character; otherwise it merged with the shipped
    face that covers the missing ones (written to ``pack_dir/fonts``).

    Raises:
        KsafeError: no shipped font covers the script, or the characters the best face lacks.
    """
    face = best_face(script)
    missing = missing_chars(face, text_chars)
    if not missing:
        return font_spec(face)
    helpers = [f for f in shipped_faces() if f != face and not missing_chars(f, set(missing))]
    if not helpers:
        raise KsafeError(
            f"font: {face.face_name} lacks {missing[0]!r} (U+{ord(missing[0]):04X}) and no shipped font covers "
            f"the {len(missing)} missing character(s)"
        )
    helper = min(helpers, key=lambda f: len(face_cmap(f)))
    name = f"{face.face_name.replace(' ', '')}-ksafe.ttf"
    existing = pack_dir / "fonts" / name
    if existing.is_file() and not _file_missing(existing, text_chars):  # an earlier run's merge still covers it
        return {"path": "fonts", "file": name, "face_name": face.face_name, "variation": None}
    file = merged_font(face, helper, {ord(c) for c in text_chars}, pack_dir / "fonts")
    return {"path": "fonts", "file": file, "face_name": face.face_name, "variation": None}


def _file_missing(path: Path, text_chars: set[str]) -> list[str]:
    face = Face("", path.name, 0, "", path, False)
    return missing_chars(face, text_chars)


def _static(face: Face, unicodes: set[int] | None) -> Any:
    """``face`` as a static weight-400 font, first cut to ``unicodes`` (instancing a subset is fast)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(str(face.path), fontNumber=face.index)
    for tag in ("vhea", "vmtx"):  # vertical metrics: images are laid out horizontally, and Merger needs both
        if tag in font:
            del font[tag]
    if unicodes is not None:
        options = subset.Options(layout_features=["*"], name_IDs=["*"], notdef_outline=True)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(unicodes))
        subsetter.subset(font)
    if "fvar" in font:
        font = instancer.instantiateVariableFont(font, {"wght": 400}, updateFontNames=False)
    return font


def merged_font(base: Face, helper: Face, unicodes: set[int], folder: Path) -> str:
    """Merge ``base`` (whole) and the ``unicodes`` of ``helper`` it lacks into one static font in ``folder``.

    Returns the file name. Both are instantiated at weight 400; the base's shaping tables are kept.
    """
    import tempfile

    from fontTools.merge import Merger

    from ksafe.fileio import write_bytes_atomic

    extra = (unicodes - face_cmap(base)) | set(range(0x20, 0x7F))
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{base.face_name.replace(' ', '')}-ksafe.ttf"
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp) / "base.ttf", Path(tmp) / "helper.ttf"
        _static(base, None).save(str(first))
        _static(helper, extra & face_cmap(helper)).save(str(second))
        merged = Merger().merge([str(first), str(second)])
        out = Path(tmp) / name
        merged.save(str(out))
        write_bytes_atomic(folder / name, out.read_bytes())
    return name
