"""Time the font choice of ``culture init`` / ``culture draft``: reading every shipped face's character map.

Usage: python benchmarks/bench_script_fonts.py

Prints the seconds to read the code points of every face of the shipped font packages (a) the plain fontTools
way (``getBestCmap`` with the font's glyph names, which parses the CFF charset of the CJK collection) and
(b) ``ksafe.cultures.script_fonts.face_cmap`` (numbered glyph names), with the ratio, then the seconds of
``best_face`` per script on warm caches. Both read from the OS page cache (a first pass warms it).
"""

from __future__ import annotations

import time


def _plain(faces: tuple) -> list[int]:  # type: ignore[type-arg]
    from fontTools.ttLib import TTFont

    sizes = []
    for face in faces:
        font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
        sizes.append(len(font.getBestCmap() or {}))
        font.close()
    return sizes


def main() -> None:
    """Print the timings."""
    from ksafe.cultures.script_fonts import SCRIPT_RANGES, best_face, face_cmap, shipped_faces

    faces = shipped_faces()
    _plain(faces)  # warm the page cache
    start = time.perf_counter()
    plain = _plain(faces)
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    ours = [len(face_cmap(face)) for face in faces]
    numbered = time.perf_counter() - start
    assert ours == plain, "the numbered glyph names changed a character map"
    ratio = baseline / numbered
    print(f"{len(faces)} faces: plain getBestCmap {baseline:.2f} s, face_cmap {numbered:.2f} s ({ratio:.1f}x)")
    for script in SCRIPT_RANGES:
        start = time.perf_counter()
        face = best_face(script)
        print(f"  {script}: {face.face_name} ({time.perf_counter() - start:.3f} s)")


if __name__ == "__main__":
    main()
