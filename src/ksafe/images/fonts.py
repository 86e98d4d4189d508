"""Font resolution and loading for the image renderers.

Input: a pack's ``FontSpec`` and the pack directory. Output: a ``ResolvedFont`` (file, face index,
variation, file hash) and, per process, cached Pillow fonts at given sizes with the raqm layout engine
(needed for correct Hangul and Japanese shaping). Side effects: reads the font file (hash, face names);
no network, nothing happens at import time.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from ksafe.cultures.pack_model import FontSpec
from ksafe.errors import KsafeError

_NAME_IDS = (4, 1)  # full name, then family name


@dataclass(frozen=True)
class ResolvedFont:
    """A font face located on disk; picklable, so worker processes can load it themselves."""

    path: Path
    """Absolute path of the font file (``.otf``, ``.ttf`` or a ``.ttc`` collection)."""
    face_index: int
    """Index of the face inside a collection (0 for a single font)."""
    variation: str | None
    """Named instance of a variable font (``Regular``), or None."""
    sha256: str
    """SHA-256 of the font file, recorded in the manifest."""
    source: str
    """Where it came from, e.g. ``package manimgx_fonts_cjk`` or ``pack path fonts``."""

    @property
    def face_name(self) -> str:
        """Name of the face (name id 4, else 1), for error messages."""
        names = _face_names(str(self.path))[self.face_index]
        return names[0] if names else f"#{self.face_index}"


def _package_dir(package: str) -> Path:
    """Return the folder of ``package`` without importing it (``find_spec`` only reads metadata)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError) as exc:
        raise KsafeError(f"font package {package!r} cannot be found: {exc}") from exc
    if spec is None or spec.origin is None:
        raise KsafeError(f"font package {package!r} is not installed (pip install {package})")
    return Path(spec.origin).parent


@lru_cache(maxsize=32)
def _file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=32)
def _face_names(path: str) -> tuple[tuple[str, ...], ...]:
    """Per face in ``path``: its non-empty names (id 4 full name, then id 1 family)."""
    from fontTools.ttLib import TTCollection, TTFont

    try:
        with open(path, "rb") as handle:
            is_collection = handle.read(4) == b"ttcf"
        fonts = TTCollection(path, lazy=True).fonts if is_collection else [TTFont(path, lazy=True)]
        faces: list[tuple[str, ...]] = []
        for font in fonts:
            table = font["name"]
            faces.append(tuple(n for n in (table.getDebugName(i) for i in _NAME_IDS) if n))
        return tuple(faces)
    except Exception as exc:
        raise KsafeError(f"font file {path} cannot be read: {exc}") from exc


def _pick_face(path: Path, face_name: str) -> int:
    faces = _face_names(str(path))
    wanted = face_name.casefold()
    for position in range(len(_NAME_IDS)):  # prefer a full-name match over a family match
        for index, names in enumerate(faces):
            if len(names) > position and names[position].casefold() == wanted:
                return index
    listed = ", ".join(names[0] for names in faces if names)
    raise KsafeError(f"font file {path}: face {face_name!r} not found; faces: {listed}")


def resolve_font(spec: FontSpec, pack_dir: Path) -> ResolvedFont:
    """Locate the font a pack asks for.

    Args:
        spec: The pack's font spec (``package`` or ``path``, plus ``file`` and ``face_name``).
        pack_dir: The pack directory; ``path`` is relative to it.

    Returns:
        The resolved face with its file hash.

    Raises:
        KsafeError: the package, file or face is missing, or the variation is not a named instance.
    """
    if spec.package:
        folder = _package_dir(spec.package)
        source = f"package {spec.package}"
    elif spec.path is not None:
        folder = (pack_dir / spec.path).resolve()
        source = f"pack path {spec.path}"
    else:
        folder = pack_dir.resolve()
        source = "pack directory"
    path = folder / spec.file
    if not path.is_file():
        raise KsafeError(f"font file {path} not found (font.file {spec.file!r}, {source})")
    index = _pick_face(path, spec.face_name)
    variation = spec.variation
    if variation is not None:
        names = variation_names(str(path), index)
        if names and variation not in names:
            raise KsafeError(
                f"font file {path} face {spec.face_name!r}: variation {variation!r} not found; "
                f"named instances: {', '.join(names)}"
            )
        if not names:
            variation = None  # a static font: nothing to select
    return ResolvedFont(path=path, face_index=index, variation=variation, sha256=_file_sha256(str(path)), source=source)


@lru_cache(maxsize=32)
def variation_names(path: str, face_index: int) -> tuple[str, ...]:
    """Named instances of a variable face, or ``()`` for a static font."""
    font = ImageFont.truetype(path, 12, index=face_index, layout_engine=ImageFont.Layout.RAQM)
    try:
        return tuple(n.decode() if isinstance(n, bytes) else str(n) for n in font.get_variation_names())
    except OSError:
        return ()


@lru_cache(maxsize=512)
def load_font(font: ResolvedFont, size: int, weight: str | None = None) -> ImageFont.FreeTypeFont:
    """Load ``font`` at ``size`` pixels, cached per process.

    Args:
        font: The resolved face.
        size: Size in pixels.
        weight: Another named instance to use instead of ``font.variation`` (``Bold`` for headlines);
            ignored when the face has no such instance.

    Returns:
        A Pillow font using the raqm layout engine, with the named instance selected.
    """
    loaded = ImageFont.truetype(str(font.path), size, index=font.face_index, layout_engine=ImageFont.Layout.RAQM)
    names = variation_names(str(font.path), font.face_index)
    chosen = weight if weight is not None and weight in names else font.variation
    if chosen is not None and chosen in names:
        loaded.set_variation_by_name(chosen)
    return loaded
