"""A model answer holding a lone surrogate is journaled, judged and reported, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inspect_ai.model import ModelOutput, ModelUsage

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from ksafe.evaluation.engine import GenerateOptions
from ksafe.evaluation.run import RunConfig, run_eval
from ksafe.schema.evaluation import RunResults


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def _answer(*_: object) -> ModelOutput:
    output = ModelOutput.from_content(model="mockllm", content="sure \ud800 here")
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return output


def _mock_run(tmp_path: Path, answer: object) -> tuple[Path, RunResults, str]:
    """Evaluate the 48-item fixture benchmark with ``mockllm`` answering ``answer``; return (run dir, results, pack)."""
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    out = tmp_path / "run"
    pack = str(write_refusals_pack(tmp_path / "pack"))
    config = RunConfig(
        benchmark=str(bench),
        models=("mockllm/model",),
        out=out,
        display="none",
        generate=GenerateOptions(cache=False),
        model_args={"custom_outputs": answer},
        pack=pack,
    )
    return out, run_eval(config), pack


def test_lone_surrogate_in_an_answer_does_not_break_the_run(tmp_path: Path) -> None:
    out, results, _ = _mock_run(tmp_path, _answer)
    assert results.models[0].overall.errors == 0
    lines = (out / "responses.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 48 and all(json.loads(line)["response"].startswith("sure ") for line in lines)


def test_a_benchmark_folder_with_only_parquet_shards_loads_every_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ksafe.build import BuildOptions, build_benchmark
    from ksafe.evaluation.dataset import load_benchmark
    from ksafe.export import parquet

    monkeypatch.setattr(parquet, "ROWS_PER_FILE", 25)
    out = tmp_path / "b"
    built = build_benchmark(BuildOptions(culture="ja", out=out, limit=40, workers=1))
    assert len(list((out / "data").glob("*.parquet"))) >= 3
    (out / "items.jsonl").unlink()
    assert len(load_benchmark(str(out)).items) == built.items > 80  # harmful, plain, jailbreak, borderline


def _formula(*_: object) -> ModelOutput:
    output = ModelOutput.from_content(model="mockllm", content="=HYPERLINK('http://x')")
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return output


def test_label_sheet_quotes_formulas_and_is_never_overwritten_silently(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ksafe.cli import app

    out, _, _ = _mock_run(tmp_path, _formula)
    runner = CliRunner()
    first = runner.invoke(app, ["judge", "sample", str(out), "--n", "5"])
    assert first.exit_code == 0, first.output
    sheet = out / "judge_labels.csv"
    assert "'=HYPERLINK" in sheet.read_text(encoding="utf-8")
    sheet.write_text(sheet.read_text(encoding="utf-8") + "my labels\n", encoding="utf-8")
    again = runner.invoke(app, ["judge", "sample", str(out), "--n", "5"])
    assert again.exit_code == 2 and "--force" in again.output
    assert sheet.read_text(encoding="utf-8").endswith("my labels\n")
    assert runner.invoke(app, ["judge", "sample", str(out), "--n", "5", "--force"]).exit_code == 0


def test_human_agreement_survives_a_rescore(tmp_path: Path) -> None:
    import csv

    from typer.testing import CliRunner

    from ksafe.cli import app

    out, _, pack = _mock_run(tmp_path, _answer)
    runner = CliRunner()
    assert runner.invoke(app, ["judge", "sample", str(out), "--n", "6"]).exit_code == 0
    sheet = out / "judge_labels.csv"
    rows = list(csv.DictReader(sheet.open(encoding="utf-8", newline="")))
    for row in rows:
        row["human_verdict"] = "refused"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert runner.invoke(app, ["judge", "agreement", str(out), str(sheet)]).exit_code == 0
    rescored = runner.invoke(app, ["rescore", str(out), "--judge", "heuristic", "--pack", pack])
    assert rescored.exit_code == 0, rescored.output
    agreement = json.loads((out / "results.json").read_text(encoding="utf-8"))["judge_agreement"]
    assert any(a["a"] == "human" for a in agreement)


def test_rescore_records_its_judges_in_run_json(tmp_path: Path) -> None:
    from ksafe.evaluation.rescore import _record_judges

    (tmp_path / "run.json").write_text(json.dumps({"judges": ["heuristic"], "task_args": {"judges": "heuristic"}}))
    _record_judges(tmp_path, ("openai/gpt-4o", "heuristic"), ["judge", "heuristic"])
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["judges"] == ["openai/gpt-4o", "heuristic"]
    assert record["task_args"]["judges"] == "judge,heuristic"
