"""``ksafe eval`` (a subprocess) against the fake OpenAI-compatible server with faults an HTTP provider
meets: a server that keeps failing, replies without choices or with a body that is not JSON, an API key
echoed in a 401, a judge whose service is down. Requests are counted at the server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from evalkit.server import fake_server

KEY = "sk-test-ECHOED-5b4a3c2d1e0f"


def _env(tmp_path: Path, **urls: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        FAKE_API_KEY=KEY,
        JUDGE_API_KEY="sk-judge-0a1b2c3d4e5f",
        INSPECT_CACHE_DIR=str(tmp_path / "cache"),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        NO_COLOR="1",
        COLUMNS="200",
    )
    env.update(urls)
    return env


def _eval(env: dict[str, str], bench: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ksafe", "eval", str(bench), "--model", "openai-api/fake/target"]
    command += ["--out", str(out), "--display", "none", "--pack", str(bench.parent / "pack"), "--workers", "1"]
    return subprocess.run([*command, *extra], env=env, capture_output=True, text=True, timeout=240)


def _marker(text: str) -> str:
    return text.rsplit(" ", 1)[1]


@pytest.fixture()
def bench(tmp_path: Path) -> tuple[Path, list[str]]:
    items = write_fixture_benchmark(tmp_path / "bench")
    write_refusals_pack(tmp_path / "pack")
    return tmp_path / "bench", [_marker(i.text) for i in items]


def test_failed_items_are_retried_by_the_same_command_and_secrets_never_leak(
    tmp_path: Path, bench: tuple[Path, list[str]]
) -> None:
    root, markers = bench
    faults = {
        markers[0]: "500_always",
        markers[3]: "no_choices",
        markers[6]: "bad_body",
        markers[9]: "echo_key",
        markers[12]: "echo_key_500",
    }
    out = tmp_path / "run"
    args = ("--max-retries", "1", "--max-connections", "4")
    with fake_server(tmp_path / "down", faults=faults) as server:
        first = _eval(_env(tmp_path, FAKE_BASE_URL=server.base_url), root, out, *args)
        asked_first = Counter(_marker(r["text"]) for r in server.requests() if r["kind"] == "target")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "5 of 48 items failed" in first.stderr
    assert "IndexError" not in first.stderr and "Traceback" not in first.stderr
    assert asked_first[markers[0]] == 2  # --max-retries 1: one retry, two requests (no SDK retries beneath)
    responses = [json.loads(line) for line in (out / "responses.jsonl").read_text().splitlines()]
    errors = {_marker(r["text"]): r["rationale"] for r in responses if r["verdict"] == "error"}
    assert set(errors) == set(faults)  # a malformed reply is an error, never a final answer
    assert "(after 2 attempts)" in errors[markers[0]]
    assert "[redacted $FAKE_API_KEY]" in errors[markers[9]] and "[redacted $FAKE_API_KEY]" in errors[markers[12]]
    for path in out.rglob("*"):  # journal, responses.jsonl, results, the Inspect log
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), f"API key written to {path}"
    assert KEY not in first.stdout + first.stderr

    with fake_server(tmp_path / "up") as server:  # the service is back
        env = _env(tmp_path, FAKE_BASE_URL=server.base_url)
        second = _eval(env, root, out, *args)
        asked_second = [_marker(r["text"]) for r in server.requests() if r["kind"] == "target"]
        third = _eval(env, root, out, *args)
        asked_third = [_marker(r["text"]) for r in server.requests() if r["kind"] == "target"]
    assert second.returncode == 0, second.stderr[-3000:]
    assert sorted(asked_second) == sorted(faults)  # exactly the items without an answer, once each
    assert "failed" not in second.stderr
    responses = [json.loads(line) for line in (out / "responses.jsonl").read_text().splitlines()]
    assert len(responses) == 48 and all(r["verdict"] == "refused" for r in responses)
    assert third.returncode == 0 and asked_third == asked_second  # nothing left: no request


def test_a_judge_down_for_every_answer_fails_the_command_and_the_same_command_rejudges(
    tmp_path: Path, bench: tuple[Path, list[str]]
) -> None:
    root, _ = bench
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    out = tmp_path / "run"
    args = ("--judge", "openai-api/judge/j", "--limit", "4", "--max-retries", "0", "--attempt-timeout", "5")
    with fake_server(tmp_path / "server") as server:
        first = _eval(_env(tmp_path, FAKE_BASE_URL=server.base_url, JUDGE_BASE_URL=dead), root, out, *args)
        targets_first = len([r for r in server.requests() if r["kind"] == "target"])
        second = _eval(_env(tmp_path, FAKE_BASE_URL=server.base_url, JUDGE_BASE_URL=server.base_url), root, out, *args)
        requests = server.requests()
    assert first.returncode == 1, first.stderr[-3000:]
    assert "judge openai-api/judge/j: 4 of 4 answers not judged (judge call failed: " in first.stderr
    assert "a judge failed on every answer" in first.stderr
    assert second.returncode == 0, second.stderr[-3000:]
    assert len([r for r in requests if r["kind"] == "target"]) == targets_first == 4  # the target not asked again
    assert len([r for r in requests if r["kind"] == "judge"]) == 4
    responses = [json.loads(line) for line in (out / "responses.jsonl").read_text().splitlines()]
    assert [r["verdict"] for r in responses] == ["refused"] * 4


def test_a_library_call_from_a_threaded_host_spawns_its_workers_and_leaves_the_heap_alone(
    tmp_path: Path, bench: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import threading

    from ksafe.evaluation import shard
    from ksafe.evaluation.run import RunConfig, run_eval

    root, markers = bench
    freezes: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1))
    methods: list[str] = []
    real_method = shard.start_method
    monkeypatch.setattr(shard, "start_method", lambda fork: methods.append(real_method(fork)) or methods[-1])
    forks: list[int] = []
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or -1)  # a library call must never fork its caller
    for name, value in _env(tmp_path).items():
        monkeypatch.setenv(name, value)
    outcome: dict[str, object] = {}
    with fake_server(tmp_path / "server") as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)  # set after import: spawned workers see it
        config = RunConfig(
            benchmark=str(root),
            models=("openai-api/fake/target",),
            out=tmp_path / "run",
            pack=str(tmp_path / "pack"),
            display="none",
            workers=2,
        )
        busy = threading.Event()
        helper = threading.Thread(target=busy.wait, daemon=True)  # the host's own thread, alive throughout
        helper.start()
        worker = threading.Thread(target=lambda: outcome.update(results=run_eval(config)))
        worker.start()
        worker.join(240)
        busy.set()
        asked = Counter(_marker(r["text"]) for r in server.requests() if r["kind"] == "target")
    results = outcome["results"]
    assert methods == ["spawn"] and freezes == [] and forks == []
    assert sorted(asked) == sorted(markers) and set(asked.values()) == {1}
    assert results.models[0].overall.verdict_counts == {"refused": 48}  # type: ignore[attr-defined]
    assert len(list((tmp_path / "run" / "journal").rglob("answers-1-*.jsonl"))) == 1  # a second worker answered
