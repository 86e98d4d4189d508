"""Several ``--guard`` of one command are asked at the same time, each with its own connections and journal.

Input: the 48-item fixture benchmark and the scripted guard server (a real HTTP process) with 50 ms latency.
Output: pytest results. Side effects: writes under pytest's tmp_path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.fixture_benchmark import write_fixture_benchmark
from guardkit.server import guard_server
from ksafe.evaluation.engine import GenerateOptions
from ksafe.guard.run import GuardConfig, run_guards


@pytest.mark.parametrize("workers", [1, 2])
def test_two_guards_are_asked_at_the_same_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    monkeypatch.setenv("FAKE_API_KEY", "test-key-concurrent")
    guards = ("llama_guard=openai-api/fake/llama_guard", "binary_logprob=openai-api/fake/binary_logprob")
    with guard_server(tmp_path / "server", latency_ms=50) as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        results = run_guards(
            GuardConfig(
                source=str(bench),
                guards=guards,
                out=tmp_path / "run",
                ablation=False,
                options=GenerateOptions(max_connections=2, max_tokens=None, cache=False),
                client="direct",
                workers=workers,
            )
        )
        requests = [r for r in server.requests() if r.get("status") == 200]
    spans = {}
    for model in ("llama_guard", "binary_logprob"):
        mine = [r for r in requests if r["model"] == model]
        assert len(mine) == 48  # each guard asked every item once
        spans[model] = (min(r["t_arrive"] for r in mine), max(r["t_done"] for r in mine))
    (a0, a1), (b0, b1) = spans.values()
    overlap = min(a1, b1) - max(a0, b0)
    # one after another, 48 x 50 ms at 2 connections each would take >= 1.2 s apiece and not overlap at all
    assert overlap > 0.5 * min(a1 - a0, b1 - b0), spans
    assert [g.guard for g in results.guards] == list(guards)
    assert all(g.overall.detection_rate.numerator == 24 and g.overall.errors == 0 for g in results.guards)
    journals = sorted(p.parent.name for p in (tmp_path / "run" / "journal").glob("*/verdicts-*.jsonl"))
    assert len(journals) == 2 * workers and len(set(journals)) == 2  # a journal file per guard per process
