"""Time the full default build and compare the renderer with a naive Pillow loop, in one run.

Usage: python benchmarks/bench_build.py [--culture ko] [--out /tmp/bench-ksafe] [--sample 600]

Prints: items/s, images/s and peak memory of the full build (all cores), then the time per image of
(a) a naive baseline (a plain Pillow loop, one image at a time: load the font per image, draw, save PNG with
Pillow defaults) and (b) ksafe's renderer on the same key phrases, one process and all cores, with ratios.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def _peak_rss_mb() -> tuple[float, float]:
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return self_kb / 1024, children_kb / 1024


def _naive(args: tuple[str, int, str, int]) -> int:
    from PIL import Image, ImageDraw, ImageFont

    font_path, face_index, text, size = args
    font = ImageFont.truetype(font_path, 40, index=face_index)
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    lines = [text[i : i + 10] for i in range(0, len(text), 10)]
    for row, line in enumerate(lines):
        draw.text((20, 20 + row * 50), line, font=font, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return len(buffer.getvalue())


def _ours(args: tuple[object, str, int]) -> int:
    from ksafe.images.render import render_png

    ctx, text, seed = args
    png, _, _ = render_png("typography", text, ctx, seed)  # type: ignore[arg-type]
    return len(png)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--culture", default="ko")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-ksafe-build"))
    parser.add_argument("--sample", type=int, default=2000, help="images in the renderer comparison")
    parser.add_argument("--skip-full", action="store_true", help="only run the renderer comparison")
    args = parser.parse_args()

    from ksafe.build import BuildOptions, build_benchmark
    from ksafe.build.pipeline import _render_contexts
    from ksafe.cultures.loader import load_pack

    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores, python {sys.version.split()[0]}")
    if not args.skip_full:
        shutil.rmtree(args.out, ignore_errors=True)
        start = time.perf_counter()
        result = build_benchmark(BuildOptions(culture=args.culture, out=args.out))
        elapsed = time.perf_counter() - start
        counts = result.manifest.counts
        self_mb, children_mb = _peak_rss_mb()
        print(f"full build ({args.culture}, default size): {elapsed:.1f} s")
        print(
            f"  items: {counts['items']} ({counts['harmful']} harmful + {counts['benign']} benign), "
            f"{counts['items'] / elapsed:.0f} items/s"
        )
        print(f"  images: {counts['images']}, {counts['images'] / elapsed:.0f} images/s")
        print(f"  peak RSS: main {self_mb:.0f} MB, largest worker {children_mb:.0f} MB")
        size_mb = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file()) / 1e6
        print(f"  output size: {size_mb:.0f} MB")

    pack = load_pack(args.culture)
    contexts, _ = _render_contexts(pack, 512)
    ctx = contexts["pack"]
    phrases = [t.name + " " + t.keywords[0] if t.keywords else t.name for t in pack.topics]
    texts = [phrases[i % len(phrases)] + f" {i}" for i in range(args.sample)]
    font = ctx.font
    naive_args = [(str(font.path), font.face_index, text, 512) for text in texts]
    ours_args = [(ctx, text, i) for i, text in enumerate(texts)]

    start = time.perf_counter()
    for item in naive_args:
        _naive(item)
    naive_s = time.perf_counter() - start
    start = time.perf_counter()
    for job in ours_args:
        _ours(job)
    ours_one_s = time.perf_counter() - start
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=cores) as pool:
        list(pool.map(_ours, ours_args, chunksize=32))
    ours_all_s = time.perf_counter() - start
    n = len(texts)
    print(f"renderer comparison on {n} typography images (512x512):")
    print(f"  naive Pillow loop: {1000 * naive_s / n:.1f} ms/image")
    print(f"  ksafe, 1 process:  {1000 * ours_one_s / n:.1f} ms/image  (x{naive_s / ours_one_s:.2f} vs naive)")
    print(f"  ksafe, {cores} processes: {1000 * ours_all_s / n:.1f} ms/image  (x{naive_s / ours_all_s:.2f} vs naive)")


if __name__ == "__main__":
    main()
