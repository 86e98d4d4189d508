"""`--out` safety: a user's folder is never touched, a benchmark is replaced only whole, eval checks the manifest.

Also the disk faults of a build (full disk, read-only folder, a path under a file): one line, exit 2, no
traceback, and the same command completes after the fault is gone.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ksafe.fileio
from ksafe.build import BuildOptions, build_benchmark
from ksafe.cli import app
from ksafe.errors import KsafeError
from ksafe.evaluation.dataset import load_benchmark


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _build_cli(out: Path, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(
        app, ["build", "--culture", "ko", "--workers", "1", "--out", str(out), *args], catch_exceptions=False
    )
    lines = [line for line in result.output.splitlines() if line.strip() and "━" not in line]
    return result.exit_code, lines


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The reference bytes of ``--limit 20 --seed 1``."""
    out = tmp_path_factory.mktemp("clean") / "b"
    build_benchmark(BuildOptions(culture="ko", out=out, limit=20, seed=1, workers=1))
    return _tree(out)


def test_a_users_folder_without_a_manifest_is_refused_and_untouched(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "README.md").write_text("my notes\n", encoding="utf-8")
    (out / "items.jsonl").write_text('{"mine": true}\n', encoding="utf-8")
    before = _tree(out)
    code, lines = _build_cli(out, "--limit", "10")
    assert code == 2 and len(lines) == 1 and "no ksafe manifest" in lines[0], lines
    assert _tree(out) == before and sorted(p.name for p in out.iterdir()) == ["README.md", "items.jsonl"]
    code, lines = _build_cli(out, "--limit", "10", "--force")  # --force never takes a folder ksafe did not write
    assert code == 2 and _tree(out) == before


def test_a_foreign_manifest_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "my project"}\n', encoding="utf-8")
    with pytest.raises(KsafeError, match="not a ksafe manifest"):
        build_benchmark(BuildOptions(culture="ko", out=out, limit=10, workers=1))
    assert [p.name for p in out.iterdir()] == ["manifest.json"]


def test_out_under_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    code, lines = _build_cli(tmp_path / "file" / "sub", "--limit", "10")
    assert code == 2 and len(lines) == 1 and "which is a file" in lines[0], lines
    code, lines = _build_cli(tmp_path / "file", "--limit", "10")
    assert code == 2 and len(lines) == 1 and "not a folder" in lines[0], lines


def test_other_options_replace_a_benchmark_only_with_force(tmp_path: Path, clean: dict[str, bytes]) -> None:
    out = tmp_path / "b"
    build_benchmark(BuildOptions(culture="ko", out=out, limit=10, seed=3, workers=1))
    before = _tree(out)
    code, lines = _build_cli(out, "--limit", "20", "--seed", "1")
    assert code == 2 and len(lines) == 1 and "--force" in lines[0] and "limit, seed" in lines[0], lines
    assert _tree(out) == before
    code, _ = _build_cli(out, "--limit", "10", "--seed", "3")  # the same options: a rerun, no --force needed
    assert code == 0 and _tree(out) == before
    code, lines = _build_cli(out, "--limit", "20", "--seed", "1", "--force")
    assert code == 0, lines
    assert _tree(out) == clean


def _disk_full_after(monkeypatch: pytest.MonkeyPatch, budget: int) -> None:
    """Every atomic write fails with ENOSPC once ``budget`` bytes were written (as a filling disk does)."""
    real = ksafe.fileio._write_fd
    left = [budget]

    def write(fd: int, data: bytes, durable: bool) -> None:
        if len(data) > left[0]:
            os.close(fd)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        left[0] -= len(data)
        real(fd, data, durable)

    monkeypatch.setattr(ksafe.fileio, "_write_fd", write)


def test_full_disk_in_a_rebuild_leaves_the_earlier_benchmark_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean: dict[str, bytes]
) -> None:
    out = tmp_path / "b"
    build_benchmark(BuildOptions(culture="ko", out=out, limit=10, seed=3, workers=1))
    earlier = _tree(out)
    earlier_items = load_benchmark(out).items
    images = sum(len(data) for name, data in clean.items() if name.startswith("images/"))
    _disk_full_after(monkeypatch, images + 2000)  # the images fit; items, parquet and card do not
    code, lines = _build_cli(out, "--limit", "20", "--seed", "1", "--force")
    assert code == 2 and len(lines) == 1, lines
    assert "no space left on device" in lines[0] and str(out) in lines[0] and "rerun" in lines[0], lines
    assert {k: v for k, v in _tree(out).items() if not k.startswith((".ksafe/", "images/"))} == {
        k: v for k, v in earlier.items() if not k.startswith("images/")
    }
    assert load_benchmark(out).items == earlier_items  # eval still sees the earlier benchmark, whole
    monkeypatch.undo()
    code, lines = _build_cli(out, "--limit", "20", "--seed", "1", "--force")
    assert code == 0, lines
    assert _tree(out) == clean


def test_full_disk_while_rendering_then_the_same_command_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean: dict[str, bytes]
) -> None:
    out = tmp_path / "b"
    _disk_full_after(monkeypatch, 20_000)
    code, lines = _build_cli(out, "--limit", "20", "--seed", "1")
    assert code == 2 and len(lines) == 1 and "no space left on device" in lines[0] and "images" in lines[0], lines
    assert not (out / "manifest.json").exists()
    monkeypatch.undo()
    code, lines = _build_cli(out, "--limit", "20", "--seed", "1")
    assert code == 0, lines
    assert _tree(out) == clean


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_out_is_a_one_line_error(tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        code, lines = _build_cli(parent / "b", "--limit", "10")
    finally:
        parent.chmod(0o755)
    assert code == 2 and len(lines) == 1 and str(parent) in lines[0] and "permission" in lines[0].lower(), lines


def test_read_only_out_as_root_via_a_failing_mkdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the tests run as root (folder modes do not apply), a read-only file system is simulated."""
    real_mkdir = Path.mkdir

    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self.is_relative_to(tmp_path / "ro"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", mkdir)
    code, lines = _build_cli(tmp_path / "ro" / "b", "--limit", "10")
    assert code == 2 and len(lines) == 1 and "read-only file system" in lines[0] and "ro" in lines[0], lines


def test_eval_refuses_a_benchmark_without_manifest_or_with_other_items(tmp_path: Path) -> None:
    out = tmp_path / "b"
    build_benchmark(BuildOptions(culture="ko", out=out, limit=10, workers=1, write_parquet=False))
    items = out / "items.jsonl"
    items.write_bytes(items.read_bytes().replace(b"\n", b"\n\n", 1))  # same items, other bytes
    with pytest.raises(KsafeError, match=r"does not match manifest\.json") as err:
        load_benchmark(out)
    assert "\n" not in str(err.value)
    (out / "manifest.json").unlink()
    with pytest.raises(KsafeError, match=r"manifest\.json: missing"):
        load_benchmark(out)
    result = CliRunner().invoke(app, ["eval", str(out), "--model", "mockllm/model", "--out", str(tmp_path / "r")])
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and "manifest.json: missing" in lines[0], lines
