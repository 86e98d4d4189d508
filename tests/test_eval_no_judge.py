"""A run with no judge at all (``judges=()``, ``ksafe eval --judge none``): answers are journaled, no verdict
or judge quality is invented, and the offline judge's analyzer (kiwipiepy, ~600 MB and ~2.5 s of CPU) is
never loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from evalkit.server import fake_server

TESTS = Path(__file__).resolve().parent

SCRIPT = """
import os, sys
from pathlib import Path
from ksafe.evaluation.dataset import ItemFilter
from ksafe.evaluation.engine import GenerateOptions
from ksafe.evaluation.run import RunConfig, run_eval

work = Path(sys.argv[1])
config = RunConfig(
    benchmark=str(work / "bench"), models=("openai-api/fake/target",), out=work / "run",
    items=ItemFilter(sample_size=8), generate=GenerateOptions(max_connections=4, cache=False, client="direct"),
    judges=(), display="none", pack=str(work / "pack"), workers=1,
)
run_eval(config)
print("analyzers:", sorted(m for m in ("kiwipiepy", "fugashi") if m in sys.modules))
"""


def test_a_run_without_judges_loads_no_analyzer_and_reports_no_judge(tmp_path: Path) -> None:
    write_fixture_benchmark(tmp_path / "bench")
    write_refusals_pack(tmp_path / "pack")
    with fake_server(tmp_path / "server") as server:
        env = dict(os.environ, FAKE_BASE_URL=server.base_url, FAKE_API_KEY="sk-test", XDG_DATA_HOME=str(tmp_path))
        env["INSPECT_CACHE_DIR"] = str(tmp_path / "cache")
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(tmp_path)], env=env, capture_output=True, text=True, timeout=180
        )
        answered = [r for r in server.requests() if r["kind"] == "target" and r["status"] == 200]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "analyzers: []" in done.stdout
    assert len(answered) == 8  # the answers were asked for and are kept in the journal
    journal = list((tmp_path / "run" / "journal").glob("*/answers-*.jsonl"))
    assert sum(len(p.read_text().splitlines()) for p in journal) == 8
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["judges"] == [] and results["judge_quality"] == []
    assert results["models"] == []  # no verdict, so no refusal rate: not judge_error figures of a judge never run
    assert (tmp_path / "run" / "responses.jsonl").read_text().strip() == ""


def _judge_none_command(tmp_path: Path, base_url: str) -> tuple[list[str], dict[str, str]]:
    """``ksafe eval --judge none`` on 4 items of the fixture benchmark, and its environment."""
    env = dict(os.environ, FAKE_BASE_URL=base_url, FAKE_API_KEY="sk-test", XDG_DATA_HOME=str(tmp_path))
    env.update(INSPECT_CACHE_DIR=str(tmp_path / "cache"), NO_COLOR="1")
    command = [sys.executable, "-m", "ksafe", "eval", str(tmp_path / "bench"), "--model", "openai-api/fake/target"]
    command += ["--out", str(tmp_path / "run"), "--judge", "none", "--limit", "4", "--display", "none"]
    command += ["--pack", str(tmp_path / "pack"), "--client", "direct"]
    return command, env


def test_judge_none_on_the_command_line_runs_no_judge(tmp_path: Path) -> None:
    write_fixture_benchmark(tmp_path / "bench")
    write_refusals_pack(tmp_path / "pack")
    with fake_server(tmp_path / "server") as server:
        command, env = _judge_none_command(tmp_path, server.base_url)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
        judged = [r for r in server.requests() if r["kind"] == "judge"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and not judged
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["judges"] == [] and results["judge_quality"] == []


def test_a_run_without_judges_is_judged_later_by_rescore(tmp_path: Path) -> None:
    write_fixture_benchmark(tmp_path / "bench")
    write_refusals_pack(tmp_path / "pack")
    with fake_server(tmp_path / "server") as server:
        command, env = _judge_none_command(tmp_path, server.base_url)
        assert subprocess.run(command, env=env, capture_output=True, timeout=180).returncode == 0
        asked = len(server.requests())
        rescore = [sys.executable, "-m", "ksafe", "rescore", str(tmp_path / "run"), "--judge", "heuristic"]
        rescore += ["--pack", str(tmp_path / "pack")]
        done = subprocess.run(rescore, env=env, capture_output=True, text=True, timeout=180)
        assert len(server.requests()) == asked  # the target is not asked again
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    overall = results["models"][0]["overall"]
    assert results["judges"] == ["heuristic"] and overall["n_harmful"] + overall["n_benign"] == 4
    assert overall["errors"] == 0 and results["judge_quality"]  # the heuristic's measured quality, now it ran
