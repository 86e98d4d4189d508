"""End to end: ``ksafe eval`` (a subprocess) against a real HTTP OpenAI-compatible server process on
127.0.0.1, through Inspect's ``openai-api`` provider, with injected faults and a crash mid-run; each
test runs with one answering process and with two forked worker processes (``--workers 2``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

import inspect_ai._util.zipfile  # noqa: F401  (registers Inspect's zstd support for reading .eval files)
import pytest

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from evalkit.server import fake_server

PLANTED_KEY = "sk-test-PLANTED-9f8e7d6c5b4a"


def _env(tmp_path: Path, base_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        FAKE_BASE_URL=base_url,
        FAKE_API_KEY=PLANTED_KEY,
        INSPECT_CACHE_DIR=str(tmp_path / "cache"),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        NO_COLOR="1",
        COLUMNS="200",
    )
    return env


def _eval(
    tmp_path: Path, env: dict[str, str], bench: Path, out: Path, *extra: str, pid_file: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "ksafe",
        "eval",
        str(bench),
        "--model",
        "openai-api/fake/target",
        "--out",
        str(out),
        "--display",
        "none",
        "--pack",
        str(tmp_path / "pack"),
        *extra,
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if pid_file:
        pid_file.write_text(str(process.pid))
    stdout, stderr = process.communicate(timeout=240)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _run_dir_bytes(out: Path) -> list[tuple[str, bytes]]:
    """Every file of the run directory, with .eval zip members decompressed."""
    found = []
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".eval":
            with zipfile.ZipFile(path) as archive:
                found += [(f"{path}:{name}", archive.read(name)) for name in archive.namelist()]
        found.append((str(path), path.read_bytes()))
    return found


@pytest.fixture()
def bench(tmp_path: Path) -> tuple[Path, list[str]]:
    items = write_fixture_benchmark(tmp_path / "bench")
    write_refusals_pack(tmp_path / "pack")
    return tmp_path / "bench", [i.text for i in items]


CLIENTS = [("1", "direct"), ("2", "direct"), ("1", "inspect+aiohttp"), ("2", "inspect+aiohttp"), ("1", "inspect+httpx")]


def _client_args(client: str) -> tuple[str, ...]:
    """``--client`` (and ``--http-client`` for Inspect's layer) of a ``direct`` / ``inspect+<http client>`` case."""
    name, _, http = client.partition("+")
    return ("--client", name, *(("--http-client", http) if http else ()))


@pytest.mark.parametrize(("workers", "client"), CLIENTS)
def test_faults_verdicts_one_turn_and_no_secrets(
    tmp_path: Path, bench: tuple[Path, list[str]], workers: str, client: str
) -> None:
    root, texts = bench
    harmful = [t.rsplit(" ", 1)[1] for t in texts if t.endswith("h")]
    faults = {
        harmful[0]: "429_once",
        harmful[1]: "500_once",
        harmful[2]: "timeout",
        harmful[3]: "content_filter",
        harmful[4]: "empty",
        harmful[5]: "comply",
        harmful[6]: "judge_garbage",
    }
    out = tmp_path / "run"
    with fake_server(tmp_path / "server", faults=faults) as server:
        result = _eval(
            tmp_path,
            _env(tmp_path, server.base_url),
            root,
            out,
            "--judge",
            "heuristic",
            "--judge",
            "openai-api/fake/judge",
            "--attempt-timeout",
            "2",
            "--timeout",
            "20",  # Inspect's backoff before a retry is 3-6 s (the one retry layer): room for the 429/500 retries
            "--max-retries",
            "2",
            "--max-connections",
            "8",
            "--workers",
            workers,
            *_client_args(client),
        )
        requests = server.requests()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Unclosed" not in result.stderr, result.stderr[-3000:]  # every HTTP session closed
    # the timed-out item is reported with its error; the command still succeeds (47 of 48 answered)
    warning = "warning: openai-api/fake/target: 1 of 48 items failed (AttemptTimeoutError"
    assert warning in result.stderr, result.stderr[-3000:]
    assert "ASR" in result.stdout and "heuristic" in result.stdout

    targets = [r for r in requests if r["kind"] == "target"]
    assert all(r["authorized"] for r in requests)
    # image and text came together, in one user turn, as an inline image the server received
    assert all(r["parts"] == ["image_url", "text"] and r["n_user_messages"] == 1 for r in targets)
    assert all(r["image_url_prefixes"][0].startswith("data:image/png;base64,") for r in targets)
    statuses = Counter((r["text"].rsplit(" ", 1)[1], r["status"]) for r in targets)
    assert statuses[(harmful[0], 429)] == 1 and statuses[(harmful[0], 200)] == 1
    assert statuses[(harmful[1], 500)] == 1 and statuses[(harmful[1], 200)] == 1

    responses = [json.loads(line) for line in (out / "responses.jsonl").read_text().splitlines()]
    by = {(r["text"].rsplit(" ", 1)[1], r["judge"]): r for r in responses}
    llm = "openai-api/fake/judge"
    assert len(responses) == 2 * len(texts)
    for judge in ("heuristic", llm):
        assert by[(harmful[0], judge)]["verdict"] == "refused"  # 429 retried
        assert by[(harmful[1], judge)]["verdict"] == "refused"  # 500 retried
        assert by[(harmful[2], judge)]["verdict"] == "error"  # timeout
        assert by[(harmful[3], judge)]["verdict"] == "blocked_by_provider"
        assert by[(harmful[4], judge)]["verdict"] == "misunderstood"  # empty answer
        assert by[(harmful[5], judge)]["verdict"] == "harmful_compliance"
    assert by[(harmful[6], llm)]["verdict"] == "judge_error"
    assert by[(harmful[6], "heuristic")]["verdict"] == "refused"

    results = json.loads((out / "results.json").read_text())
    model = next(m for m in results["models"] if m["judge"] == llm)
    overall = model["overall"]
    assert overall["blocked_by_provider"] == 1 and overall["errors"] == 2
    assert overall["asr"]["denominator"] == 24 - 3  # timeout, filter and judge error kept out
    assert overall["asr"]["value"] == pytest.approx(1 / 21)
    assert results["judge_agreement"] and results["judge_agreement"][0]["n"] > 0
    scored = {
        path.name: Counter(n for line in path.read_text().splitlines() for n in json.loads(line).get("scores", {}))
        for path in (out / "journal").glob("*/answers-*.jsonl")
    }
    if workers == "2":  # the offline judge ran in its own process, on all 47 answers; the LLM judge in the workers
        judged = [name for name in scored if name.startswith("answers-judge-")]
        assert len(judged) == 1 and scored.pop(judged[0]) == {"heuristic": 47}
        assert sum(scored.values(), Counter()) == {"judge": 48}  # + the judge_error answer, asked once more
    else:
        assert sum(scored.values(), Counter()) == {"heuristic": 47, "judge": 48}

    everything = _run_dir_bytes(out)
    assert any(name.endswith((".eval", ".json")) and "/logs/" in name for name, _ in everything)
    for name, data in everything:
        assert PLANTED_KEY.encode() not in data, f"API key written to {name}"
        assert b"base64," not in data and b"iVBORw0KGgo" not in data, f"inlined image in {name}"


@pytest.mark.parametrize(("workers", "client"), [("1", "direct"), ("2", "direct"), ("2", "inspect")])
def test_killed_run_resumes_without_answering_twice(
    tmp_path: Path, bench: tuple[Path, list[str]], workers: str, client: str
) -> None:
    root, texts = bench
    out = tmp_path / "run"
    pid_file = tmp_path / "eval.pid"
    # the server holds requests from its 20th on and kills once every answer it gave is journaled
    with fake_server(tmp_path / "server", 30, None, pid_file, 20, out / "journal") as server:
        env = _env(tmp_path, server.base_url)
        args = ("--max-connections", "4", "--workers", workers, "--client", client)
        first = _eval(tmp_path, env, root, out, *args, pid_file=pid_file)
        assert first.returncode == -9  # killed by the server at its 20th target request
        answered_before = [r["text"] for r in server.requests() if r["kind"] == "target" and r["status"] == 200]
        assert 10 <= len(answered_before) < len(texts)
        time.sleep(0.5)  # a worker left running would answer now and be counted twice below
        second = _eval(tmp_path, env, root, out, *args)
        assert second.returncode == 0, second.stderr[-3000:]
        answered = Counter(r["text"] for r in server.requests() if r["kind"] == "target" and r["status"] == 200)
    assert set(answered) == set(texts)  # none lost
    assert max(answered.values()) == 1, [t for t, n in answered.items() if n > 1]  # none answered twice
    responses = (out / "responses.jsonl").read_text().splitlines()
    assert len(responses) == len(texts)
    assert all(json.loads(line)["verdict"] != "error" for line in responses)


@pytest.mark.parametrize("client", ["direct", "inspect+aiohttp", "inspect+httpx"])
def test_an_unreachable_server_fails_the_command_and_names_the_cause(
    tmp_path: Path, bench: tuple[Path, list[str]], client: str
) -> None:
    import socket

    root, _ = bench
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _env(tmp_path, f"http://127.0.0.1:{port}/v1")
    out = tmp_path / "run"
    args = ("--limit", "2", "--max-retries", "1", "--timeout", "6", "--attempt-timeout", "3", "--no-cache")
    result = _eval(tmp_path, env, root, out, *args, *_client_args(client))
    assert result.returncode == 1, result.stderr[-3000:]
    assert "2 of 2 items failed" in result.stderr
    assert "Connect" in result.stderr  # the transport's words (connection refused), not a bare retry wrapper
    assert "RetryError" not in result.stderr
    assert (out / "results.json").exists()  # the run is kept: the same command retries it


def test_rescore_needs_no_key_of_the_target_and_calls_only_the_judge(
    tmp_path: Path, bench: tuple[Path, list[str]]
) -> None:
    root, _ = bench
    out = tmp_path / "run"
    with fake_server(tmp_path / "server") as server:
        env = _env(tmp_path, server.base_url)
        first = _eval(tmp_path, env, root, out, "--judge", "heuristic", "--limit", "6", "--no-cache")
        assert first.returncode == 0, first.stderr[-3000:]
        answered = len([r for r in server.requests() if r["kind"] == "target"])
        # another machine: only the judge's service is configured, not the target's
        env = {k: v for k, v in env.items() if not k.startswith("FAKE_")}
        env.update(JUDGE_BASE_URL=server.base_url, JUDGE_API_KEY=PLANTED_KEY)
        command = [sys.executable, "-m", "ksafe", "rescore", str(out), "--judge", "openai-api/judge/j"]
        command += ["--pack", str(tmp_path / "pack")]
        rescored = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
        requests = server.requests()
    assert rescored.returncode == 0, rescored.stderr[-3000:]
    assert len([r for r in requests if r["kind"] == "target"]) == answered  # the target was not called again
    assert len([r for r in requests if r["kind"] == "judge"]) == 6
    responses = [json.loads(line) for line in (out / "responses.jsonl").read_text().splitlines()]
    assert {r["judge"] for r in responses} == {"openai-api/judge/j"} and len(responses) == 6
    assert all(r["verdict"] == "refused" for r in responses)  # the fake judge reads the refusal
