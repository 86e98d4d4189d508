"""The CLI's error boundary: any OSError or KsafeError is one line naming the path, exit code 2."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ksafe.cli import app
from ksafe.commands.errors import MAX_MESSAGE_CHARS, describe_os_error, one_line, user_errors
from ksafe.errors import KsafeError


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (errno.ENOSPC, "no space left on device (free some disk space and rerun the same command"),
        (errno.EROFS, "read-only file system (the file system is read-only; choose a writable location)"),
        (errno.EACCES, "permission denied (no permission; choose a writable location)"),
        (errno.ENOTDIR, "not a directory (a part of this path is a file, not a folder)"),
        (errno.ENAMETOOLONG, "file name too long (the name is too long for the file system)"),
    ],
)
def test_os_errors_name_the_path_the_reason_and_what_to_do(code: int, expected: str) -> None:
    message = describe_os_error(OSError(code, os.strerror(code), "/data/out/items.jsonl"))
    assert message.startswith("/data/out/items.jsonl: ") and expected in message.lower()


def test_a_huge_path_or_message_stays_short_and_on_one_line() -> None:
    message = describe_os_error(OSError(errno.ENAMETOOLONG, "File name too long", "/x/" + "a" * 10_000_000))
    assert len(message) < 500
    assert one_line("a\nb\u2028c\rd") == "a b c d"
    assert len(one_line("x" * 10_000_000)) == MAX_MESSAGE_CHARS + 3


@pytest.mark.parametrize(
    "exc",
    [
        KsafeError("bad\nvalue"),
        OSError(errno.ENOSPC, "No space left on device", "/d/f"),
        PermissionError(errno.EACCES, "Permission denied", "/d"),
    ],
)
def test_user_errors_exit_2_with_one_line(exc: Exception, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop, user_errors():
        raise exc
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_eval_with_out_under_a_file_is_one_line(tmp_path: Path) -> None:
    from evalkit.fixture_benchmark import write_fixture_benchmark

    write_fixture_benchmark(tmp_path / "bench")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["eval", str(tmp_path / "bench"), "--model", "mockllm/model", "-o", str(tmp_path / "file" / "run")]
    )
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and "not a directory" in lines[0], lines
