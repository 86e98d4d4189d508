"""`ksafe eval --model mockllm/model` is a dry run that works offline (no tokenizer download)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from ksafe.cli import app
from ksafe.evaluation.dry_run import DRY_RUN_ANSWER


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access in an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "tiktoken"))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def test_mockllm_dry_run_answers_every_item_offline(tmp_path: Path) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    pack = write_refusals_pack(tmp_path / "pack")
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            str(bench),
            "--model",
            "mockllm/model",
            "--judge",
            "heuristic",
            "--pack",
            str(pack),
            "--out",
            str(out),
            "--no-cache",
        ],
    )
    assert result.exit_code == 0, result.output
    overall = json.loads((out / "results.json").read_text(encoding="utf-8"))["models"][0]["overall"]
    assert overall["errors"] == 0
    assert overall["n_harmful"] + overall["n_benign"] == 48
    responses = [json.loads(line) for line in (out / "responses.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["response"] for r in responses} == {DRY_RUN_ANSWER}


def test_inspect_eval_of_the_task_runs_offline_with_the_dry_run_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tiktoken
    from inspect_ai import eval as inspect_eval

    from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack

    def offline(name: str) -> None:
        raise ConnectionError(f"offline: cannot download {name}")

    monkeypatch.setattr(tiktoken, "get_encoding", offline)  # what fails offline with mockllm/model
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    write_fixture_benchmark(tmp_path / "bench")
    pack = write_refusals_pack(tmp_path / "pack")
    args = {"benchmark": str(tmp_path / "bench"), "pack": str(pack)}
    logs = inspect_eval(
        "ksafe/ksafe_mm", task_args=args, model="ksafe/dry-run", limit=5, display="none", log_dir=str(tmp_path / "logs")
    )
    assert logs[0].status == "success" and logs[0].samples and len(logs[0].samples) == 5
    assert all(s.output.completion.startswith("ksafe dry run") for s in logs[0].samples)
    failing = inspect_eval(
        "ksafe/ksafe_mm", task_args=args, model="mockllm/model", limit=1, display="none", log_dir=str(tmp_path / "logs")
    )
    assert failing[0].status == "error"  # mockllm's default answer counts tokens with the tokenizer
