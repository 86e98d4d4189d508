"""Throughput of the images-API backend against the fake images server, and peak memory of API builds.

Usage: python benchmarks/bench_images.py [--images 512] [--latency-ms 500] [--connections 32]
       [--stage-images 128] [--stage-sizes 250,1000] [--build-limit 600] [--skip-memory] [--full-build]
(about 8 minutes on the 2-core machine with the defaults).

Prints, in one run:
1. Generator throughput: ``--images`` requests to a fake images server (tests/imagekit, a separate process on
   127.0.0.1) that answers every request after ``--latency-ms``; the ideal wall time is
   images x latency / connections, the ratio is ideal / measured (target >= 0.8).
2. The same through the whole picture stage (Open-NSFW screening, SD+TYPO composition, content-addressed
   store, journal), which adds CPU work per image.
3. Peak RSS of the picture stage alone (fresh processes, ``--stage-sizes`` sd pictures, fake server without
   latency), its growth per picture and the linear extrapolation to 10,000 pictures; and the peak RSS of one
   ``ksafe build --limit N`` with and without ``--image-generator openai/...``.
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


def _generator_throughput(base_url: str, images: int, connections: int, label: str = "") -> float:
    from ksafe.images.generators.base import GenerationRequest, GeneratorOptions, open_generator

    os.environ["OPENAI_BASE_URL"] = base_url
    generator = open_generator(GeneratorOptions(spec="openai/fake", size=256, concurrency=connections))
    requests = [GenerationRequest(str(i), f"a street corner, {label} view {i}", i) for i in range(images)]
    start = time.perf_counter()
    got = sum(1 for result in generator.generate(requests) if result.png)
    elapsed = time.perf_counter() - start
    assert got == images, f"{images - got} requests failed"
    return elapsed


def _stage_throughput(
    base_url: str, images: int, connections: int, workdir: Path, kind: str = "sd_typography", size: int = 512
) -> float:
    from ksafe.build.pictures import PictureStage
    from ksafe.build.pipeline import _render_contexts
    from ksafe.cultures.loader import load_pack
    from ksafe.images.generators.base import GeneratorOptions
    from ksafe.schema.records import Query

    os.environ["OPENAI_BASE_URL"] = base_url
    pack = load_pack("ko")
    contexts, ids = _render_contexts(pack, size)
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
        stage.add(query, kind, 0)
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


def _child_peak(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run this script's ``--child`` mode in a fresh process: (peak RSS MiB, seconds, its output)."""
    start = time.perf_counter()
    run = subprocess.run([sys.executable, __file__, "--child", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    peaks = [int(line.split()[1]) for line in run.stderr.splitlines() if line.startswith("PEAK_KB")]
    if run.returncode != 0 or not peaks:
        raise SystemExit(f"child failed: {run.stderr[-2000:]}")
    lines = run.stdout.strip().splitlines()
    return peaks[0] / 1024, elapsed, lines[-1] if lines else ""


def _child(argv: list[str]) -> None:
    """``--child stage N`` (the picture stage alone, N sd pictures) or ``--child build LIMIT [--generator]``."""
    mode, number, *rest = argv
    try:
        if mode == "stage":
            workdir = Path(tempfile.mkdtemp(prefix="ksafe-bench-stage-"))
            try:
                seconds = _stage_throughput(os.environ["OPENAI_BASE_URL"], int(number), 32, workdir, "sd", 256)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            print(f"{number} pictures in {seconds:.1f} s")
        else:
            from ksafe.cli import app

            out = Path(tempfile.mkdtemp(prefix="ksafe-bench-build-")) / "out"
            limit = [] if number == "all" else ["--limit", number]
            args = ["build", "--culture", "ko", *limit, "--out", str(out), "--workers", "1", "--no-parquet"]
            if "--generator" in rest:
                args += ["--image-generator", "openai/fake", "--image-gen-size", "256", "--image-concurrency", "32"]
            try:
                app(args, standalone_mode=False)
                generation = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("image_generation")
                images = sum(1 for _ in (out / "images").rglob("*.png"))
                print(f"{generation['pictures'] if generation else 0} pictures, {images} images")
            finally:
                shutil.rmtree(out.parent, ignore_errors=True)
    finally:
        # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across execve, so a child would report its parent's peak.
        status = Path("/proc/self/status").read_text(encoding="ascii")
        hwm = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
        print("PEAK_KB", hwm, file=sys.stderr)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--latency-ms", type=float, default=500.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--stage-images", type=int, default=128, help="pictures of the whole-stage throughput run")
    parser.add_argument("--stage-sizes", default="250,1000", help="pictures of the stage-alone memory runs")
    parser.add_argument("--build-limit", type=int, default=600, help="build size compared with and without pictures")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument(
        "--full-build",
        action="store_true",
        help="only measure the peak RSS of the whole default ko build with the API backend (~12k images; long)",
    )
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-a-secret")
    workdir = Path(tempfile.mkdtemp(prefix="ksafe-bench-images-"))
    try:
        if args.full_build:
            with fake_images_server(workdir / "server-full") as server:
                env = {**os.environ, "OPENAI_BASE_URL": server.base_url}
                peak, seconds, said = _child_peak(["build", "all", "--generator"], env)
                print(f"full ko build with openai (fake server): {said}; peak RSS {peak:.0f} MiB ({seconds:.0f} s)")
            return
        ideal = args.images * args.latency_ms / 1000 / args.connections
        with fake_images_server(workdir / "server", latency_ms=args.latency_ms) as server:
            print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU cores")
            for label in ("cold (first call: imports, client)", "warm", "warm again"):
                wall = _generator_throughput(server.base_url, args.images, args.connections, label)
                print(
                    f"generator, {label}: {args.images} images, latency {args.latency_ms:.0f} ms, "
                    f"{args.connections} connections: {wall:.2f} s (ideal {ideal:.2f} s), ratio {ideal / wall:.2f}"
                )
            n = args.stage_images
            stage_ideal = n * args.latency_ms / 1000 / args.connections
            wall = _stage_throughput(server.base_url, n, args.connections, workdir / "stage")
            print(
                f"picture stage (Open-NSFW + compose sd_typography 512 px + store + journal), {n} images: {wall:.2f} s "
                f"(ideal {stage_ideal:.2f} s), ratio {stage_ideal / wall:.2f}, {n / wall:.1f} images/s (CPU-bound)"
            )
        if args.skip_memory:
            return
        with fake_images_server(workdir / "server-memory") as server:
            env = {**os.environ, "OPENAI_BASE_URL": server.base_url}
            points = []
            for n in (int(v) for v in args.stage_sizes.split(",")):
                peak, seconds, said = _child_peak(["stage", str(n)], env)
                points.append((n, peak))
                print(f"picture stage alone, {said}: peak RSS {peak:.0f} MiB ({seconds:.0f} s)")
            (x0, y0), (x1, y1) = points[0], points[-1]
            slope = (y1 - y0) / (x1 - x0) if x1 != x0 else 0.0
            stage_10k = y1 + slope * (10_000 - x1)
            print(f"stage: +{slope * 1000:.1f} MiB per 1000 pictures; extrapolated to 10,000: {stage_10k:.0f} MiB")
            plain, _, _ = _child_peak(["build", str(args.build_limit)], env)
            with_pictures, _, said = _child_peak(["build", str(args.build_limit), "--generator"], env)
            print(
                f"build --limit {args.build_limit}: peak RSS {plain:.0f} MiB without a generator, "
                f"{with_pictures:.0f} MiB with openai ({said})"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
