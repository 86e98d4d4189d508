"""``ksafe judge sample``: raw U+2028 in answers, fewer answers than asked, image and key phrase columns."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from inspect_ai.model import ModelOutput, ModelUsage
from typer.testing import CliRunner

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from ksafe.cli import app
from ksafe.evaluation.engine import GenerateOptions
from ksafe.evaluation.run import RunConfig, run_eval


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


def _answer(*_: object) -> ModelOutput:
    output = ModelOutput.from_content(model="mockllm", content="첫 줄\u2028둘째 줄\u2029셋째 줄\u0085끝")
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return output


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    """The 48-item fixture benchmark evaluated by ``mockllm`` answering with raw line separators."""
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    out = tmp_path / "run"
    config = RunConfig(
        benchmark=str(bench),
        models=("mockllm/model",),
        out=out,
        display="none",
        generate=GenerateOptions(cache=False),
        model_args={"custom_outputs": _answer},
        pack=str(write_refusals_pack(tmp_path / "pack")),
    )
    run_eval(config)
    assert "\u2028" in (out / "responses.jsonl").read_text(encoding="utf-8")
    return out


def _sheet(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_sample_with_raw_u2028_in_answers_and_fewer_answers_than_asked(run_dir: Path) -> None:
    result = CliRunner().invoke(app, ["judge", "sample", str(run_dir), "--n", "100"])
    assert result.exit_code == 0, result.output
    rows = _sheet(run_dir / "judge_labels.csv")
    answered = {json.loads(line)["item_id"] for line in (run_dir / "responses.jsonl").open(encoding="utf-8")}
    assert 0 < len(rows) < 100 and len(rows) <= len(answered) * 3
    assert all(r["response"] == "첫 줄\u2028둘째 줄\u2029셋째 줄\u0085끝" for r in rows)
    assert f"only {len(rows)} judged answers" in result.output and "asked for 100" in result.output


def test_sheet_has_the_image_path_and_key_phrase_of_each_answer(run_dir: Path) -> None:
    bench = run_dir.parent / "bench"
    items = {}
    for line in (bench / "items.jsonl").open(encoding="utf-8"):
        item = json.loads(line)
        items[(item["id"], item.get("g_version") or "")] = item
        for variant in item.get("variants", []):
            items[(item["id"], variant["g_version"])] = variant
    assert CliRunner().invoke(app, ["judge", "sample", str(run_dir), "--n", "30"]).exit_code == 0
    rows = _sheet(run_dir / "judge_labels.csv")
    assert rows and {"image", "key_phrase"} <= set(rows[0])
    for row in rows:
        expected = items[(row["item_id"], row["g_version"])]
        assert row["key_phrase"] == expected["key_phrase"]
        assert Path(row["image"]) == (bench / expected["image"]).resolve() and Path(row["image"]).is_file()
    assert any(row["g_version"] for row in rows), "G variants should be sampled too"


def test_an_image_path_outside_the_benchmark_is_left_blank(run_dir: Path) -> None:
    bench = run_dir.parent / "bench"
    lines = (bench / "items.jsonl").read_text(encoding="utf-8").splitlines()
    lines = [json.dumps({**json.loads(line), "image": "../../etc/passwd"}, ensure_ascii=False) for line in lines]
    (bench / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["judge", "sample", str(run_dir), "--n", "30"]).exit_code == 0
    rows = [r for r in _sheet(run_dir / "judge_labels.csv") if not r["g_version"] or r["g_version"] == "contextualized"]
    assert rows and all(r["image"] == "" for r in rows)


def test_every_reader_of_the_run_keeps_the_raw_separators(run_dir: Path) -> None:
    from ksafe.evaluation.calibration import read_responses
    from ksafe.report.loading import load_run

    expected = "첫 줄\u2028둘째 줄\u2029셋째 줄\u0085끝"
    from_calibration = read_responses(run_dir)
    from_report = load_run(run_dir).responses
    assert from_calibration and len(from_report) == len(from_calibration)
    assert all(r.response == expected for r in (*from_calibration, *from_report))


def test_a_torn_responses_line_is_a_one_line_error(run_dir: Path) -> None:
    path = run_dir / "responses.jsonl"
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([*lines[:-1], lines[0][:40]]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["judge", "sample", str(run_dir), "--n", "5"])
    assert result.exit_code == 2
    assert f"{path}:{len(lines)}:" in result.output and "Invalid JSON" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (run_dir / "judge_labels.csv").exists()
