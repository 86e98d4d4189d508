"""Throughput of the images-API backend against the fake images server, and peak memory of API builds.

Usage: python benchmarks/bench_images.py [--images 256] [--latency-ms 500] [--connections 32]
       [--build-limits 150,600] [--skip-build]

Prints, in one run:
1. Generator throughput: ``--images`` requests to a fake images server (tests/imagekit, a separate process on
   127.0.0.1) that answers every request after ``--latency-ms``; the ideal wall time is
   images x latency / connections, the ratio is ideal / measured (target >= 0.8).
2. The same through the whole picture stage (Open-NSFW screening, SD+TYPO composition, content-addressed
   store, journal), which adds CPU work per image.
3. Peak RSS of ``ksafe build --image-generator openai/...`` processes at each ``--build-limits`` value (fake
   server, no latency), the pictures each made, and the linear extrapolation of peak RSS to 10,000 pictures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from imagekit.server import fake_images_server


def _generator_throughput(base_url: str, images: int, connections: int) -> float:
    from ksafe.images.generators.base import GenerationRequest, GeneratorOptions, open_generator

    os.environ["OPENAI_BASE_URL"] = base_url
    generator = open_generator(GeneratorOptions(spec="openai/fake", size=256, concurrency=connections))
    requests = [GenerationRequest(str(i), f"a street corner, view {i}", i) for i in range(images)]
    start = time.perf_counter()
    got = sum(1 for result in generator.generate(requests) if result.png)
    elapsed = time.perf_counter() - start
    assert got == images, f"{images - got} requests failed"
    return elapsed


def _stage_throughput(base_url: str, images: int, connections: int, workdir: Path) -> float:
    from ksafe.build.pictures import PictureStage
    from ksafe.build.pipeline import _render_contexts
    from ksafe.cultures.loader import load_pack
    from ksafe.images.generators.base import GeneratorOptions
    from ksafe.schema.records import Query

    os.environ["OPENAI_BASE_URL"] = base_url
    pack = load_pack("ko")
    contexts, ids = _render_contexts(pack, 512)
    stage = PictureStage(GeneratorOptions(spec="openai/fake", size=256, concurrency=connections), pack)
    for i in range(images):
        query = Query(
            id=f"q{i}",
            culture="ko",
            language="ko",
            subset="C",
            category="privacy",
            domain="legal_rights",
            topic_id="t",
            topic="전세 사기",
            template_id="x",
            pair_id=f"p{i}",
            is_harmful=True,
            key_phrase=f"전세 사기 수법 정리 {i}번",
            prompt="p",
            query="q",
        )
        stage.add(query, "sd_typography", 0)
    stage.screen.score(_tiny_png())  # start the ONNX session before the clock
    start = time.perf_counter()
    assets = stage.run(contexts["pack"], ids, workdir)
    elapsed = time.perf_counter() - start
    assert len(assets) == images, f"{images - len(assets)} pictures missing"
    return elapsed


def _tiny_png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 130, 140)).save(buffer, format="PNG")
    return buffer.getvalue()


def _build_peak(base_url: str, limit: int, out: Path) -> tuple[int, float, float]:
    """(pictures, peak RSS MiB of the build process, seconds)."""
    code = (
        "import resource, sys\n"
        "from ksafe.cli import app\n"
        "try:\n    app()\n"
        "finally:\n"
        "    print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    args = [
        "build",
        "--culture",
        "ko",
        "--limit",
        str(limit),
        "--out",
        str(out),
        "--workers",
        "1",
        "--image-generator",
        "openai/fake",
        "--image-gen-size",
        "256",
        "--image-concurrency",
        "32",
        "--no-parquet",
    ]
    env = {**os.environ, "OPENAI_BASE_URL": base_url}
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    peaks = [int(line.split()[1]) for line in run.stderr.splitlines() if line.startswith("PEAK_KB")]
    if run.returncode != 0 or not peaks:
        raise SystemExit(f"build failed: {run.stderr[-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return manifest["image_generation"]["pictures"], peaks[0] / 1024, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--latency-ms", type=float, default=500.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--build-limits", default="150,600")
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-a-secret")
    workdir = Path(tempfile.mkdtemp(prefix="ksafe-bench-images-"))
    try:
        ideal = args.images * args.latency_ms / 1000 / args.connections
        with fake_images_server(workdir / "server", latency_ms=args.latency_ms) as server:
            wall = _generator_throughput(server.base_url, args.images, args.connections)
            print(
                f"generator: {args.images} images, latency {args.latency_ms:.0f} ms, {args.connections} connections: "
                f"{wall:.2f} s (ideal {ideal:.2f} s), ratio {ideal / wall:.2f}, {args.images / wall:.1f} images/s"
            )
            wall = _stage_throughput(server.base_url, args.images, args.connections, workdir / "stage")
            print(
                f"picture stage (screen + compose sd_typography 512 px + store + journal): {wall:.2f} s "
                f"(ideal {ideal:.2f} s), ratio {ideal / wall:.2f}, {args.images / wall:.1f} images/s, "
                f"{os.cpu_count()} CPU cores"
            )
        if args.skip_build:
            return
        points: list[tuple[int, float]] = []
        with fake_images_server(workdir / "server-build") as server:
            for limit in (int(v) for v in args.build_limits.split(",")):
                pictures, peak, seconds = _build_peak(server.base_url, limit, workdir / f"build-{limit}")
                points.append((pictures, peak))
                print(f"build --limit {limit}: {pictures} generated pictures, peak RSS {peak:.0f} MiB, {seconds:.1f} s")
        if len(points) >= 2:
            (x0, y0), (x1, y1) = points[0], points[-1]
            slope = (y1 - y0) / (x1 - x0) if x1 != x0 else 0.0
            estimate = y1 + slope * (10_000 - x1)
            print(
                f"peak RSS grows {slope * 1000:.1f} MiB per 1000 pictures; extrapolated to 10,000 pictures: "
                f"{estimate:.0f} MiB (target < 1536 MiB)"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
