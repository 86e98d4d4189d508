"""A small ko build with the scripted generator server: faults, counts, provenance, budget, kill -9 resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.genkit.server import MODEL, SECRET, scripted_generator

from ksafe.build import BuildOptions, build_benchmark
from ksafe.errors import KsafeError

FAULTS = {
    "privacy": "refuse_once",
    "violence": "refuse_always",
    "hate_unfairness": "malformed_once",
    "sexual": "schema_once",
    "self_harm": "wrong_language",
    "weaponization": "duplicates",
    "copyrights": "low_critic",
    "sensitive_uses": "timeout_once",
    "illegal_unethical": "echo_secret",
}


def _options(out: Path, **extra: object) -> BuildOptions:
    return BuildOptions(
        culture="ko", out=out, limit=12, generator=MODEL, workers=1, write_parquet=False, generator_timeout_s=8, **extra
    )  # type: ignore[arg-type]


def test_generated_build_handles_every_fault_and_resumes_without_asking_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scripted_generator(tmp_path / "server", faults=FAULTS) as server:
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        out = tmp_path / "gen"
        result = build_benchmark(_options(out))
        first = server.requests()
        assert all(r["has_schema"] for r in first)  # structured output through Inspect's response_schema
        counts = result.manifest.counts["generation"]["category"]
        assert counts["privacy"]["refusals"] == 1 and counts["privacy"]["generated_slots"] == 1
        assert counts["violence"]["refusals"] == 2 and counts["violence"]["fallback_refused"] == 1
        assert counts["hate_unfairness"]["repairs"] == 1 and counts["hate_unfairness"]["generated_slots"] == 1
        assert counts["sexual"]["repairs"] == 1 and counts["sexual"]["generated_slots"] == 1
        assert counts["self_harm"]["fallback_invalid"] == 1
        assert counts["weaponization"]["near_duplicate"] == 1
        assert counts["copyrights"]["low_natural"] == 3 and counts["copyrights"]["fallback_critic"] == 1
        assert counts["sensitive_uses"]["generated_slots"] == 1  # the timed-out attempt was retried
        assert any(r["status"] == "timeout" for r in first)
        items = [json.loads(line) for line in (out / "items.jsonl").read_text(encoding="utf-8").splitlines()]
        by_category: dict[str, set[str]] = {}
        for item in items:
            if item["subset"] == "C" and item.get("benign_kind") != "borderline":
                by_category.setdefault(item["category"], set()).add(item.get("source", "template"))
        assert by_category["violence"] == {"template"} and by_category["self_harm"] == {"template"}
        assert by_category["privacy"] == {MODEL}
        generated = [i for i in items if i.get("source") == MODEL]
        versions = {"C": "c-queries-v2", "G": "g-translate-v1"}
        assert generated and all(i["prompt_version"] == versions[i["subset"]] for i in generated)
        assert any(not i["is_harmful"] for i in generated)  # the generated benign twins are in the build
        harmful_generated = [i for i in generated if i["is_harmful"] and i["subset"] == "C"]
        assert all(i["image_prompt"] for i in harmful_generated)  # the generator's picture prompt rides along
        assert all("image_prompt" not in i for i in items if i.get("source") is None)
        borderline = [i for i in items if i.get("benign_kind") == "borderline"]
        generated_borderline = [i for i in borderline if i.get("source") == MODEL]
        assert generated_borderline and all("신고 절차" in i["query"] for i in generated_borderline)
        harmful_pairs = {i["pair_id"] for i in items if i["is_harmful"]}
        assert not harmful_pairs & {i["pair_id"] for i in borderline}  # own pairs, no harmful twin (as the pack's)
        assert len({i["pair_id"] for i in borderline}) == len(borderline)
        assert {i["category"] for i in generated_borderline} <= {c for c, s in by_category.items() if MODEL in s}
        candidates = (out / "generation" / "candidates.jsonl").read_text(encoding="utf-8").splitlines()
        assert all("borderline" in json.loads(c) and json.loads(c)["image_prompt"] for c in candidates)
        assert any("(key ***)" in json.loads(c)["harmful"]["query"] for c in candidates)  # the echoed key, redacted
        for path in out.rglob("*"):
            assert not path.is_file() or SECRET.encode() not in path.read_bytes(), path
        manifest_bytes = (out / "manifest.json").read_bytes()
        again = build_benchmark(_options(out))
        assert len(server.requests()) == len(first)  # every prompt came from the journal
        assert again.generation.calls.new == 0
        assert (out / "manifest.json").read_bytes() == manifest_bytes


def test_max_calls_budget_stops_and_a_rerun_continues(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with scripted_generator(tmp_path / "server") as server:
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        out = tmp_path / "gen"
        with pytest.raises(KsafeError, match="--max-calls: the budget of 4 new calls is spent"):
            build_benchmark(_options(out, max_calls=4))
        assert len(server.requests()) == 4
        assert not (out / "manifest.json").exists()
        build_benchmark(_options(out))
        keys = [r["key"] for r in server.requests()]
        assert len(keys) == len(set(keys))  # nothing asked twice


def test_kill_9_during_a_generated_build_resumes_without_asking_answered_prompts(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    out = tmp_path / "gen"
    command = [
        sys.executable,
        "-m",
        "ksafe",
        "build",
        "--culture",
        "ko",
        "--limit",
        "12",
        "--out",
        str(out),
        "--generator",
        MODEL,
        "--workers",
        "1",
        "--no-parquet",
        "--generator-connections",
        "2",
    ]
    with scripted_generator(
        tmp_path / "server", latency_ms=100, kill_pid_file=pid_file, kill_after=9, kill_journal=out
    ) as server:
        env = {**os.environ, **server.env}
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        pid_file.write_text(str(process.pid))
        process.wait(timeout=180)
        assert process.returncode == -9
        answered = {r["key"] for r in server.requests() if r["status"] == 200}
        assert answered and not (out / "manifest.json").exists()
        time.sleep(0.2)
        n_first = len(server.requests())
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        second = server.requests()[n_first:]
        assert not answered & {r["key"] for r in second}
        assert "new calls" in done.stdout and (out / "manifest.json").exists()
