"""End to end: ``ksafe guard`` (a subprocess) against the scripted guard server (a real HTTP process on
127.0.0.1) speaking every protocol, with malformed replies, server errors, an echoed key and a crash."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from evalkit.fixture_benchmark import write_fixture_benchmark
from guardkit.server import guard_server

PLANTED_KEY = "sk-test-PLANTED-guard-7a6b5c"
FORMATS = ("llama_guard", "kanana", "binary_logprob", "shieldgemma", "llm")
RULES = {
    "#0h": "needs_image",
    "#4h": "needs_image",
    "#1h": "garbage",
    "#2b": "flag",
    "#6b": "500_once",
    "#7b": "echo_key",
}


def _env(tmp_path: Path, base_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        FAKE_BASE_URL=base_url,
        FAKE_API_KEY=PLANTED_KEY,
        OPENAI_BASE_URL=base_url,
        OPENAI_API_KEY=PLANTED_KEY,
        INSPECT_CACHE_DIR=str(tmp_path / "cache"),
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        NO_COLOR="1",
        COLUMNS="250",
    )
    return env


def _start(env: dict[str, str], source: Path, out: Path, *args: str, session: bool = False) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "ksafe", "guard", str(source), "--out", str(out), *args]
    pipe = subprocess.PIPE
    return subprocess.Popen(command, env=env, stdout=pipe, stderr=pipe, text=True, start_new_session=session)


def _guard(
    env: dict[str, str], source: Path, out: Path, *args: str, pid_file: Path | None = None
) -> subprocess.CompletedProcess[str]:
    process = _start(env, source, out, *args)
    if pid_file:
        pid_file.write_text(str(process.pid))
    stdout, stderr = process.communicate(timeout=240)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _all_guards() -> list[str]:
    args = []
    for fmt in FORMATS:
        args += ["--guard", f"{fmt}=openai-api/fake/{fmt}"]
    return [*args, "--guard", "openai_moderation=omni-moderation-latest"]


def _rate(rate: dict[str, object]) -> tuple[object, object]:
    return rate["numerator"], rate["denominator"]


@pytest.mark.parametrize("client", ["inspect", "direct"])
def test_every_format_known_answers_faults_and_no_secrets(tmp_path: Path, client: str) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    out = tmp_path / "run"
    with guard_server(tmp_path / "server", rules=RULES) as server:
        env = _env(tmp_path, server.base_url)
        first = _guard(env, bench, out, *_all_guards(), "--max-connections", "8", "--client", client)
        assert first.returncode == 0, first.stderr[-3000:]
        requests = server.requests()
        second = _guard(
            env, bench, out, *_all_guards(), "--client", client
        )  # asks only what has no verdict: the malformed replies
        assert second.returncode == 0, second.stderr[-3000:]
        again = server.requests()[len(requests) :]
    results = json.loads((out / "results.json").read_text())
    guards = {g["format"]: g for g in results["guards"]}
    # Hand-computed from RULES: 24 harmful, 24 benign. #1h is malformed for every protocol (never counted
    # safe); #7b's echoed key breaks the one-token label protocols; #0h/#4h are flagged only with the image.
    expected = {  # format: (view, detection, false positives, errors)
        "llama_guard": ("image", (23, 23), (1, 23), 2),
        "kanana": ("text", (21, 23), (1, 23), 2),
        "binary_logprob": ("text", (21, 23), (1, 24), 1),
        "shieldgemma": ("text", (21, 23), (1, 24), 1),
        "llm": ("image", (23, 23), (1, 24), 1),
        "openai_moderation": ("image", (23, 23), (1, 24), 1),
    }
    for fmt, (view, detection, false_pos, errors) in expected.items():
        g = guards[fmt]
        assert g["view"] == view, fmt
        assert _rate(g["overall"]["detection_rate"]) == detection, fmt
        assert _rate(g["overall"]["false_positive_rate"]) == false_pos, fmt
        assert g["overall"]["errors"] == errors and g["overall"]["faults"] == {"guard_error": errors}, fmt
        # the text-only ablation: the key phrase in text, no markers, every harmful item flagged
        assert _rate(g["text_only"]["detection_rate"]) == (24, 24), fmt
    assert guards["kanana"]["ablation"]["harmful_flag_rate"]["numerator"] == 21
    assert guards["kanana"]["ablation"]["harmful_flag_rate_text_only"]["numerator"] == 23
    # binary_logprob scores: 21 harmful at 0.9 and 2 at 0.1; 23 benign at 0.1 and 1 at 0.9
    assert guards["binary_logprob"]["overall"]["auroc"] == pytest.approx(
        (21 * 23 + 0.5 * 21 + 0.5 * 2 * 23) / (23 * 24)
    )
    assert guards["llama_guard"]["overall"]["auroc"] is None  # the protocol has no score
    # no key phrase in the text: the scripted guard answers S2 (non-violent crimes) -> illegal_unethical: 4 of 23
    assert _rate(guards["llama_guard"]["overall"]["category_agreement"]) == (4, 23)
    assert guards["llama_guard"]["breakdowns"]["category"]["illegal_unethical"]["detection_rate"]["value"] == 1.0
    assert set(guards["llama_guard"]["breakdowns"]) >= {
        "subset",
        "domain",
        "category",
        "strategy",
        "image_kind",
        "kind",
    }
    assert results["guards"][0]["overall"]["detection_rate"]["value"] == pytest.approx(1.0)
    # protocol details reached the server: images only for guards that read them, logprobs for score formats
    chat = [r for r in requests if r["endpoint"] == "chat" and r.get("status") == 200]
    by_model = {m: [r for r in chat if r["model"] == m] for m in FORMATS}
    assert all(r["n_user_messages"] == 1 for r in chat)
    assert any(r["image"] for r in by_model["llama_guard"]) and not any(r["image"] for r in by_model["kanana"])
    assert all(r["logprobs"] and r["max_tokens"] == 1 for r in by_model["binary_logprob"])
    assert len(by_model["shieldgemma"]) == 4 * 95 + 1  # four policies per item and view; #1h stops at the first
    assert any(r["image"] for r in requests if r["endpoint"] == "moderations")
    # the rerun asked only the (view, item) pairs without a verdict, once each
    asked = Counter((r["model"], r["text"]) for r in again if r.get("status") == 200)
    assert asked and all(n == 1 or m == "shieldgemma" for (m, _), n in asked.items())
    assert all("#1h" in t or "#7b" in t or "Human Question" in t for (_, t) in asked)
    assert len([r for r in again if r["endpoint"] == "chat" and r["model"] == "llama_guard"]) == 2
    # 500 once then an answer: Inspect's retry, no fault
    assert not any("server_error" in json.dumps(g["overall"]["faults"]) for g in results["guards"])
    # the echoed key is nowhere: run directory and console
    for path in out.rglob("*"):
        if path.is_file():
            assert PLANTED_KEY not in path.read_text(encoding="utf-8", errors="replace"), path
    assert PLANTED_KEY not in first.stdout + first.stderr + second.stdout + second.stderr
    assert "ksafe guard" in first.stdout and "llama_guard=openai-api/fake/llama_guard" in first.stdout
    leaderboard = (out / "tables" / "guard_leaderboard.csv").read_text().splitlines()
    assert len(leaderboard) == 1 + 2 * 6  # main view and text-only per guard
    assert "warning:" in first.stderr and "guard_error" in first.stderr


@pytest.mark.parametrize(("client", "workers"), [("inspect", "1"), ("direct", "2")])
def test_killed_run_resumes_without_asking_twice(tmp_path: Path, client: str, workers: str) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    out = tmp_path / "run"
    pid_file = tmp_path / "guard.pid"
    args = [
        "--guard",
        "llama_guard=openai-api/fake/llama_guard",
        "--guard",
        "binary_logprob=openai-api/fake/binary_logprob",
        "--max-connections",
        "4",
        "--client",
        client,
        "--workers",
        workers,
    ]
    # the server holds requests from its 30th on and kills once every verdict it gave is journaled
    with guard_server(tmp_path / "server", 20, None, pid_file, 30, out / "journal") as server:
        env = _env(tmp_path, server.base_url)
        first = _guard(env, bench, out, *args, pid_file=pid_file)
        assert first.returncode == -9
        answered_before = [r for r in server.requests() if r.get("status") == 200]
        assert 10 <= len(answered_before) < 192
        assert {r["model"] for r in answered_before} == {"llama_guard", "binary_logprob"}  # both guards at once
        time.sleep(0.5)
        second = _guard(env, bench, out, *args)
        assert second.returncode == 0, second.stderr[-3000:]
        answered = Counter((r["model"], r["text"], r["image"]) for r in server.requests() if r.get("status") == 200)
    # every (guard, view, item) once: none lost, none twice (96 per guard: main view and text-only ablation)
    assert len(answered) == 192 and max(answered.values()) == 1
    for g in json.loads((out / "results.json").read_text())["guards"]:
        assert g["overall"]["errors"] == 0 and _rate(g["overall"]["detection_rate"]) == (24, 24)


@pytest.mark.parametrize(
    ("signum", "group"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGTERM, True), (signal.SIGINT, True)],
)
def test_a_stopped_run_says_so_in_one_line_and_resumes(tmp_path: Path, signum: int, group: bool) -> None:
    """A plain kill or Ctrl-C (a terminal signals the whole process group: the forked workers too)."""
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench, copies=4)
    out = tmp_path / "run"
    args = ["--guard", "binary_logprob=openai-api/fake/binary_logprob", "--client", "direct", "--workers", "2"]
    with guard_server(tmp_path / "server", 20) as server:
        env = _env(tmp_path, server.base_url)
        process = _start(env, bench, out, *args, "--max-connections", "4", session=group)
        deadline = time.monotonic() + 120
        while len(server.requests()) < 40 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        if group:
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 130, stderr[-3000:]
        assert "Traceback" not in stderr
        assert [line for line in stderr.splitlines() if line.strip()] == [
            f"interrupted: verdicts received are kept; rerun the same command to resume ({out})"
        ]
        second = _guard(env, bench, out, *args, "--max-connections", "4")
        assert second.returncode == 0, second.stderr[-3000:]
    results = json.loads((out / "results.json").read_text())["guards"][0]
    assert results["overall"]["errors"] == 0 and results["overall"]["n_harmful"] == 4 * 24


def test_responses_are_compared_with_the_judge_and_human_labels(tmp_path: Path) -> None:
    from evalkit.fixture_benchmark import write_refusals_pack
    from evalkit.server import fake_server

    bench = tmp_path / "bench"
    items = write_fixture_benchmark(bench)
    write_refusals_pack(tmp_path / "pack")
    eval_run = tmp_path / "eval"
    complied = [i for i in items if i.is_harmful][:5]
    with fake_server(tmp_path / "target", faults={i.text: "comply" for i in complied}) as target:
        env = _env(tmp_path, target.base_url)
        command = [
            sys.executable,
            "-m",
            "ksafe",
            "eval",
            str(bench),
            "--model",
            "openai-api/fake/target",
            "--out",
            str(eval_run),
            "--display",
            "none",
            "--pack",
            str(tmp_path / "pack"),
            "--workers",
            "1",
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stderr[-3000:]
    # a human disagrees with the judge on one complied answer
    labels = "item_id,model,human_verdict\n" + f"{complied[0].id},openai-api/fake/target,refused\n"
    labels += "".join(f"{i.id},openai-api/fake/target,harmful_compliance\n" for i in complied[1:])
    (eval_run / "labels.csv").write_text(labels, encoding="utf-8")
    out = tmp_path / "guard"
    with guard_server(tmp_path / "server") as server:
        env = _env(tmp_path, server.base_url)
        done = _guard(
            env,
            eval_run,
            out,
            "--responses",
            "--guard",
            "llama_guard=openai-api/fake/llama_guard",
            "--guard",
            "llm=openai-api/fake/llm",
        )
        assert done.returncode == 0, done.stderr[-3000:]
        chat = [r for r in server.requests() if r.get("status") == 200]
        # filters apply to answers too (never silently ignored)
        narrow = _guard(
            env,
            eval_run,
            tmp_path / "narrow",
            "--responses",
            "--category",
            "privacy",
            "--items",
            "harmful",
            "--guard",
            "llama_guard=openai-api/fake/llama_guard",
        )
        assert narrow.returncode == 0, narrow.stderr[-3000:]
    only = json.loads((tmp_path / "narrow" / "results.json").read_text())["guards"][0]
    assert set(only["breakdowns"]["category"]) == {"privacy"}  # the 4 harmful privacy items' answers, all refused:
    assert (only["overall"]["n_harmful"], only["overall"]["n_benign"]) == (0, 4)  # truth = the judge: safe answers
    assert all(r["answer"] for r in chat if r["model"] == "llama_guard")  # the answer is the assistant turn
    results = json.loads((out / "results.json").read_text())
    assert results["mode"] == "responses" and results["source_run"] == str(eval_run.resolve())
    for g in results["guards"]:
        assert g["reference"] == "heuristic"
        assert _rate(g["overall"]["detection_rate"]) == (5, 5)
        assert _rate(g["overall"]["false_positive_rate"]) == (0, 43)
        judge, human = g["agreement"]
        assert (judge["b"], judge["n"], judge["percent_agreement"]) == ("heuristic", 48, 1.0)
        assert (human["b"], human["n"], human["percent_agreement"]) == ("human", 5, pytest.approx(4 / 5))
        assert set(g["breakdowns"]["model"]) == {"openai-api/fake/target"}


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    env = dict(os.environ)
    env.pop("OPENAI_API_KEY", None)
    for args, message in (
        (["--guard", "nope=x/y"], "unknown guard format 'nope'"),
        (["--guard", "llama_guard"], "expected FORMAT=MODEL"),
        (["--guard", "openai_moderation=omni-moderation-latest"], "OPENAI_API_KEY is not set"),
    ):
        done = _guard(env, bench, tmp_path / "run", *args)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("client", ["inspect", "direct"])
def test_an_unreachable_guard_fails_the_command_and_names_the_fault(tmp_path: Path, client: str) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    env = _env(tmp_path, "http://127.0.0.1:9/v1")  # nothing listens on the discard port
    args = [
        "--guard",
        "llama_guard=openai-api/fake/llama_guard",
        "--client",
        client,
        "--max-retries",
        "1",
        "--timeout",
        "20",
        "--limit",
        "3",
        "--no-ablation",
    ]
    done = _guard(env, bench, tmp_path / "run", *args)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "3 of 3 items got no verdict (connection_error: 3)" in done.stderr
    assert "every item of a guard failed" in done.stderr and "Traceback" not in done.stderr
