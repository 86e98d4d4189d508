"""One source of truth: results are computed from the run's samples and journal, never from its Inspect logs.

``samples.jsonl`` (the typed items the run evaluated), the journal (answers, errors, judge scores) and
``run.json`` are the run's record; ``responses.jsonl``, ``results.json``, the tables, ``ksafe report`` and
the Inspect logs (an export) all follow from them. So deleting or altering a log changes no figure, and
results rebuilt from the record equal the run's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.log import read_eval_log, write_eval_log
from inspect_ai.model import ChatMessage, ModelOutput, ModelUsage
from inspect_ai.scorer import Score

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from ksafe.evaluation.rescore import rescore_run
from ksafe.evaluation.run import JOURNAL_DIR, LOGS_DIR, SAMPLES_FILE, RunConfig, finalize, run_eval
from ksafe.report import build_report

REFUSAL = "죄송하지만 그 요청은 도와드릴 수 없습니다."
COMPLY = "네, 이미지 내용을 설명합니다. (placeholder)"
OUTPUTS = ("responses.jsonl", "results.json", "tables/leaderboard.csv", "tables/breakdowns.csv")


class Target:
    """Complies with every third item (by the index its text ends in), refuses the rest; counts calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, messages: list[ChatMessage], *_: Any) -> ModelOutput:
        self.calls += 1
        index = int(messages[-1].text.rsplit("#", 1)[-1][:-1])
        output = ModelOutput.from_content("mockllm", COMPLY if index % 3 == 0 else REFUSAL)
        output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)  # no tokenizer download
        return output


@pytest.fixture()
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[RunConfig, Target]:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    write_fixture_benchmark(tmp_path / "bench", benign_kinds=True)
    target = Target()
    config = RunConfig(
        benchmark=str(tmp_path / "bench"),
        models=("mockllm/model",),
        out=tmp_path / "run",
        display="none",
        model_args={"custom_outputs": target},
        pack=str(write_refusals_pack(tmp_path / "pack")),
    )
    run_eval(config)
    assert target.calls == 48
    return config, target


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def _report_tables(run_dir: Path, out: Path) -> dict[str, str]:
    report = build_report([run_dir], out, max_examples=0, embed_font=False)
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((report.files_dir / "tables").glob("*.csv"))}


def test_results_rebuilt_from_samples_and_journal_equal_the_runs(run: tuple[RunConfig, Target]) -> None:
    out = run[0].out
    before = _outputs(out)
    assert (out / SAMPLES_FILE).is_file() and len((out / SAMPLES_FILE).read_text().splitlines()) == 48
    shutil.rmtree(out / LOGS_DIR)
    for name in OUTPUTS:
        (out / name).unlink()
    rebuilt = finalize(out)
    assert _outputs(out) == before
    assert rebuilt.models[0].overall.asr.numerator == 8  # items 0, 3, ..., 45 comply: 8 of them harmful
    assert not (out / LOGS_DIR).exists()  # computing results never needed (nor wrote) a log


def test_an_altered_or_deleted_log_changes_no_figure(run: tuple[RunConfig, Target], tmp_path: Path) -> None:
    config, target = run
    out = config.out
    tables = _report_tables(out, tmp_path / "before.html")
    before = _outputs(out)
    (path,) = (out / LOGS_DIR).glob("*.json")
    log = read_eval_log(str(path))
    for sample in log.samples or []:  # every verdict turned into compliance, every answer rewritten
        sample.scores = {"heuristic": Score(value="harmful_compliance", explanation="forged")}
        sample.output = ModelOutput.from_content("forged", "forged answer")
    write_eval_log(log, str(path), format="json")
    run_eval(config)  # the same command: nothing to ask, results from the journal
    assert target.calls == 48
    assert _outputs(out) == before
    assert _report_tables(out, tmp_path / "altered.html") == tables

    shutil.rmtree(out / LOGS_DIR)
    run_eval(config)  # the log is exported again from the journal; nothing is asked
    assert target.calls == 48 and _outputs(out) == before
    (path,) = (out / LOGS_DIR).glob("*.json")
    exported = read_eval_log(str(path))
    assert {str(s.scores["heuristic"].value) for s in exported.samples or [] if s.scores} == {
        "refused",
        "harmful_compliance",
        "safe_completion",
    }
    assert exported.results is not None and [s.name for s in exported.results.scores] == ["heuristic"]
    assert _report_tables(out, tmp_path / "deleted.html") == tables


def test_rescore_needs_no_log_and_exports_one(run: tuple[RunConfig, Target]) -> None:
    out = run[0].out
    before = json.loads((out / "results.json").read_text(encoding="utf-8"))["models"]
    shutil.rmtree(out / LOGS_DIR)
    rescored = rescore_run(out, ("heuristic",), pack=run[0].pack)
    assert run[1].calls == 48
    assert json.loads(rescored.model_dump_json())["models"] == before
    (path,) = (out / LOGS_DIR).glob("*.json")
    assert len(read_eval_log(str(path)).samples or []) == 48


def test_an_answer_no_judge_scored_is_a_judge_error_not_a_missing_row(run: tuple[RunConfig, Target]) -> None:
    out = run[0].out
    for journal in (out / JOURNAL_DIR).rglob("*.jsonl"):  # the judges' records lost, answers kept
        kept = [line for line in journal.read_text(encoding="utf-8").splitlines() if '"scores"' not in line]
        journal.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    results = finalize(out)
    assert results.models[0].overall.verdict_counts == {"judge_error": 48}
    lines = (out / "responses.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 48 and all(json.loads(line)["response"] in (COMPLY, REFUSAL) for line in lines)
