"""Evaluation through Inspect with ``mockllm`` models: run directory, judges, rescoring, calibration."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ChatMessage, Model, ModelOutput, ModelUsage, get_model
from typer.testing import CliRunner

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from ksafe.cli import app
from ksafe.evaluation.run import RunConfig, run_eval
from ksafe.schema.evaluation import RunResults, ScoredResponse

REFUSAL = "죄송하지만 그 요청은 도와드릴 수 없습니다."
COMPLY = "네, 이미지 내용을 설명합니다. (placeholder)"


def _output(text: str) -> ModelOutput:
    output = ModelOutput.from_content("mockllm", text)
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)  # no tokenizer download
    return output


class Target:
    """A mock target: complies with every harmful item whose text ends in an index divisible by 4."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, messages: list[ChatMessage], *_: Any) -> ModelOutput:
        text = messages[-1].text
        self.calls.append(text)
        marker = text.rsplit("#", 1)[-1]
        comply = marker.endswith("h") and int(marker[:-1]) % 4 == 0
        return _output(COMPLY if comply else REFUSAL)


@pytest.fixture(autouse=True)
def isolated_inspect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture()
def bench(tmp_path: Path) -> Path:
    write_fixture_benchmark(tmp_path / "bench")
    return tmp_path / "bench"


@pytest.fixture()
def pack(tmp_path: Path) -> str:
    return str(write_refusals_pack(tmp_path / "pack"))


def _mock(target: Target) -> dict[str, Any]:
    return {"custom_outputs": target}


def test_run_directory_contract_and_rescore_without_target(bench: Path, tmp_path: Path, pack: str) -> None:
    target = Target()
    out = tmp_path / "run"
    config = RunConfig(
        benchmark=str(bench),
        models=("mockllm/model",),
        out=out,
        display="none",
        model_args=_mock(target),
        pack=pack,
    )
    results = run_eval(config)
    assert len(target.calls) == 48
    data = json.loads((out / "results.json").read_text())
    RunResults.model_validate(data)
    overall = data["models"][0]["overall"]
    # 24 harmful items, indices 0,1,4,5,...: those divisible by 4 comply -> 12 of 24
    assert overall["asr"]["value"] == pytest.approx(0.5)
    assert overall["asr"]["denominator"] == 24
    assert overall["over_refusal"]["value"] == pytest.approx(1.0)
    assert 0 < overall["asr"]["ci_low"] < 0.5 < overall["asr"]["ci_high"] < 1
    assert data["models"][0]["is_heuristic_judge"] is True
    assert set(data["models"][0]["breakdowns"]) == {
        "subset",
        "domain",
        "category",
        "strategy",
        "image_kind",
        "g_version",
        "benign_kind",
        "minors",
    }
    lines = (out / "responses.jsonl").read_text().splitlines()
    assert len(lines) == 48
    assert all(ScoredResponse.model_validate_json(line).judge == "heuristic" for line in lines)
    board = list(csv.DictReader((out / "tables" / "leaderboard.csv").open()))
    assert "heuristic" in board[0]["judge"] and board[0]["is_heuristic_judge"] == "True"
    assert results.models[0].overall.asr.value == pytest.approx(0.5)

    # the same command resumes: nothing is asked again
    run_eval(config)
    assert len(target.calls) == 48
    assert len((out / "responses.jsonl").read_text().splitlines()) == 48

    # rescoring with a second judge never calls the target
    from ksafe.evaluation.rescore import rescore_run

    rescored = rescore_run(out, ("heuristic",))
    assert len(target.calls) == 48
    assert rescored.models[0].overall.asr.numerator == 12


def _judge_model(replies: list[str]) -> Model:
    def reply(messages: list[ChatMessage], *_: Any) -> ModelOutput:
        text = messages[-1].text
        assert "Reply with one JSON object" in text
        return _output(replies.pop(0) if replies else '{"verdict": "refused", "rationale": "r"}')

    return get_model("mockllm/judge", custom_outputs=reply)


def _llm_judged(bench: Path, judge_replies: list[str]) -> list[Any]:
    from ksafe.evaluation.task import ksafe_mm

    task = ksafe_mm(str(bench), judges="judge", sample_size=1, seed=3, harmful="harmful")
    target = get_model("mockllm/model", custom_outputs=Target())
    logs = inspect_eval(
        task,
        model=target,
        model_roles={"judge": _judge_model(judge_replies)},
        display="none",
        log_dir=str(bench.parent / "logs"),
        max_connections=1,
    )
    assert logs[0].samples
    return [score for sample in logs[0].samples for score in (sample.scores or {}).values()]


def test_llm_judge_structured_verdict_through_model_role(bench: Path) -> None:
    scores = _llm_judged(bench, ['{"verdict": "partial_compliance", "rationale": "hedged"}'])
    assert [s.value for s in scores] == ["partial_compliance"]
    assert scores[0].metadata == {"judge": "mockllm/judge", "is_heuristic": False}


def test_unparseable_judge_is_retried_then_judge_error(bench: Path) -> None:
    scores = _llm_judged(bench, ["hmm", "no idea", "still no idea", "unused"])
    assert [s.value for s in scores] == ["judge_error"]
    scores = _llm_judged(bench, ["hmm", '{"verdict": "refused"}'])
    assert [s.value for s in scores] == ["refused"]


def test_inspect_entry_point_resolves_task(bench: Path, pack: str) -> None:
    logs = inspect_eval(
        "ksafe/ksafe_mm",
        task_args={"benchmark": str(bench), "sample_size": 4, "pack": pack},
        model=get_model("mockllm/model", custom_outputs=Target()),
        display="none",
        log_dir=str(bench.parent / "logs2"),
    )
    assert logs[0].status == "success" and len(logs[0].samples or []) == 4


def test_judge_sample_and_agreement_cli(bench: Path, tmp_path: Path, pack: str) -> None:
    out = tmp_path / "run"
    run_eval(
        RunConfig(
            benchmark=str(bench),
            models=("mockllm/model",),
            out=out,
            display="none",
            model_args=_mock(Target()),
            pack=pack,
        )
    )
    runner = CliRunner()
    result = runner.invoke(app, ["judge", "sample", str(out), "--n", "20"])
    assert result.exit_code == 0, result.output
    sheet = out / "judge_labels.csv"
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    assert len(rows) == 20 and len({r["category"] for r in rows}) == 6
    responses = {
        f"{r['model']}|{r['item_id']}|{r['g_version'] or ''}": r
        for r in (json.loads(line) for line in (out / "responses.jsonl").read_text().splitlines())
    }
    for i, row in enumerate(rows):  # human agrees with the judge on all but the first 4 rows
        verdict = responses[row["key"]]["verdict"]
        row["human_verdict"] = ("misunderstood" if verdict != "misunderstood" else "refused") if i < 4 else verdict
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["judge", "agreement", str(out), str(sheet)])
    assert result.exit_code == 0, result.output
    assert "80.0" in result.output
    data = json.loads((out / "results.json").read_text())
    human = [a for a in data["judge_agreement"] if a["a"] == "human"]
    assert human and human[0]["n"] == 20 and human[0]["percent_agreement"] == pytest.approx(0.8)
    bad = tmp_path / "bad.csv"
    bad.write_text("key,human_verdict\nx,unsafe\n", encoding="utf-8")
    result = runner.invoke(app, ["judge", "agreement", str(out), str(bad)])
    assert result.exit_code == 2 and "human_verdict" in result.output
