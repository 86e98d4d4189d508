"""A build killed at any moment (kill -9, kill, Ctrl-C) leaves no worker behind and resumes to the same bytes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ksafe.build import BuildOptions, build_benchmark

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find workers")

ARGS = ["--culture", "ko", "--limit", "300", "--seed", "5", "--workers", "2"]


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _start_and_wait_for_workers(out: Path) -> tuple[subprocess.Popen[bytes], set[int]]:
    """Start a build; return once its two render workers exist and some images are written."""
    command = [sys.executable, "-m", "ksafe", "build", *ARGS, "--out", str(out)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 150
    workers: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        workers |= _children(proc.pid)
        images = out / "images"
        if len(workers) >= 2 and images.exists() and len(list(images.rglob("*.png"))) >= 40:
            return proc, workers
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the build finished or stalled before it could be killed mid-render")


def _wait_gone(pids: set[int], seconds: float = 10) -> set[int]:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _alive(pids)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("ref") / "b"
    build_benchmark(BuildOptions(culture="ko", out=out, limit=300, seed=5, workers=1))
    return _tree(out)


def test_kill_9_leaves_no_worker_and_the_same_command_resumes(tmp_path: Path, reference: dict[str, bytes]) -> None:
    out = tmp_path / "b"
    proc, workers = _start_and_wait_for_workers(out)
    os.kill(proc.pid, signal.SIGKILL)  # the build only: its workers must notice on their own
    proc.wait()
    assert not _wait_gone(workers), "render workers outlived the killed build"
    assert not (out / "manifest.json").exists()
    command = [sys.executable, "-m", "ksafe", "build", *ARGS, "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert _tree(out) == reference


def test_sigterm_stops_like_ctrl_c(tmp_path: Path, reference: dict[str, bytes]) -> None:
    out = tmp_path / "b"
    proc, workers = _start_and_wait_for_workers(out)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert time.monotonic() - started < 10, "an interrupted build waited for its queued renders"
    lines = [line for line in stderr.decode().splitlines() if line.strip() and "━" not in line]
    assert lines and lines[-1].startswith("interrupted:") and "Traceback" not in stderr.decode()
    assert not _wait_gone(workers, 5)
    command = [sys.executable, "-m", "ksafe", "build", *ARGS, "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert _tree(out) == reference


HOLD_AND_FORK = """
import os, sys, time
from pathlib import Path
from ksafe.fileio import exclusive_lock
with exclusive_lock(Path(sys.argv[1]), "busy"):
    ready, told = os.pipe()
    child = os.fork()
    if child == 0:
        os.write(told, b"x")  # os.fork() returned here: the child's at-fork hooks (lock closing) have run
        time.sleep(60)  # a lingering child (a worker that has not died yet)
        os._exit(0)
    os.read(ready, 1)  # a parent killed before its child ever ran would leave the lock with the child for a moment
    print(child, flush=True)
    time.sleep(60)
"""


def test_a_lock_whose_holder_died_never_blocks_even_if_its_child_lives(tmp_path: Path) -> None:
    from ksafe.errors import KsafeError
    from ksafe.fileio import exclusive_lock

    lock = tmp_path / ".ksafe" / "lock"
    proc = subprocess.Popen([sys.executable, "-c", HOLD_AND_FORK, str(lock)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    child = int(proc.stdout.readline())
    try:
        with pytest.raises(KsafeError, match=rf"busy \(process {proc.pid}\)"), exclusive_lock(lock, "busy"):
            pass
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _alive({child}), "the child should still be running for this test to mean anything"
        with exclusive_lock(lock, "busy"):
            assert lock.read_text().strip() == str(os.getpid())
    finally:
        os.kill(child, signal.SIGKILL)
