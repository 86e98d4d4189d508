"""The ``ksafe eval`` engine: journal (torn lines, answers final), run lock, judging answers left
unjudged by a crash without calling the target again, and the Inspect log it writes."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.log import read_eval_log, write_eval_log
from inspect_ai.model import ChatMessage, ModelOutput, ModelUsage

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from ksafe.errors import KsafeError
from ksafe.evaluation.engine import GenerateOptions
from ksafe.evaluation.journal import Journal, has_choices, read_journal, read_journals, run_lock
from ksafe.evaluation.run import JOURNAL_DIR, LOGS_DIR, RunConfig, run_eval
from ksafe.evaluation.shard import load_while

REFUSAL = "죄송하지만 그 요청은 도와드릴 수 없습니다."


@pytest.fixture(autouse=True)
def isolated_inspect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def test_journal_skips_a_torn_line_and_keeps_answers_final(tmp_path: Path) -> None:
    path = tmp_path / "j" / "answers-0.jsonl"
    with Journal(path, fsync_every=0) as journal:
        journal.append({"id": "a", "output": {"choices": [{"message": "x"}]}})
        journal.append({"id": "b", "error": "TimeoutError: slow"})
        journal.append({"id": "a", "scores": {"heuristic": {"value": "refused"}}})
        journal.append({"id": "d", "output": {"model": "m", "choices": []}})  # no answer: an error
    with path.open("ab") as handle:
        handle.write(b'{"id": "c", "output": {"comp')  # a crash mid-write
    other = tmp_path / "j" / "answers-1.jsonl"
    with Journal(other) as journal:
        journal.append({"id": "a", "error": "late failure"})
        journal.append({"id": "b", "output": {"choices": [{"message": "y"}]}})
    assert [r["id"] for r in read_journal(path)] == ["a", "b", "a", "d"]
    state = read_journals(tmp_path / "j", is_answer=has_choices)  # eval's rule: an output without choices is none
    assert state["a"] == {"output": {"choices": [{"message": "x"}]}, "scores": {"heuristic": {"value": "refused"}}}
    assert state["b"] == {"output": {"choices": [{"message": "y"}]}}  # retried after an error: now answered
    assert "c" not in state
    assert "output" not in state["d"] and "no choices" in state["d"]["error"]  # asked again by a rerun
    # other journals (guard verdicts, generator replies) hold outputs without choices: those are answers
    assert read_journals(tmp_path / "j")["d"]["output"] == {"model": "m", "choices": []}


def test_second_run_on_the_same_directory_is_refused(tmp_path: Path) -> None:
    with run_lock(tmp_path / "run"):
        with pytest.raises(KsafeError, match="another ksafe eval"):
            with run_lock(tmp_path / "run"):
                pass
    with run_lock(tmp_path / "run"):  # released
        pass


class Target:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, messages: list[ChatMessage], *_: Any) -> ModelOutput:
        self.calls += 1
        output = ModelOutput.from_content("mockllm", REFUSAL)
        output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
        return output


def test_answers_left_unjudged_by_a_crash_are_judged_without_the_target(tmp_path: Path) -> None:
    write_fixture_benchmark(tmp_path / "bench")
    pack = write_refusals_pack(tmp_path / "pack")
    target = Target()
    out = tmp_path / "run"
    config = RunConfig(
        benchmark=str(tmp_path / "bench"),
        models=("mockllm/model",),
        out=out,
        model_args={"custom_outputs": target},
        pack=str(pack),
    )
    first = run_eval(config)
    assert target.calls == 48
    # simulate a crash after every answer was journaled but before any judge ran or the log was written
    for stale in (out / LOGS_DIR).glob("*"):
        stale.unlink()
    for path in (out / JOURNAL_DIR).rglob("*.jsonl"):
        kept = [line for line in path.read_text().splitlines() if '"scores"' not in line]
        path.write_text("\n".join(kept) + "\n")
    second = run_eval(config)
    assert target.calls == 48  # the target was not asked again
    assert second.models[0].overall == first.models[0].overall
    assert second.models[0].overall.verdict_counts["refused"] == 48

    logs = list((out / LOGS_DIR).glob("*.json"))
    assert len(logs) == 1
    log = read_eval_log(str(logs[0]))  # a standard Inspect log
    assert log.eval.model == "mockllm/model" and log.samples and len(log.samples) == 48
    sample = log.samples[0]
    assert sample.output.completion == REFUSAL
    assert sample.scores and sample.scores["heuristic"].value == "refused"
    assert len(sample.messages) == 2 and sample.messages[-1].role == "assistant"
    text = logs[0].read_text()
    assert "base64," not in text and json.loads(text)["eval"]["metadata"]["judges"] == ["heuristic"]
    write_eval_log(log, str(tmp_path / "inspect.json"), format="json")
    assert logs[0].read_bytes() == (tmp_path / "inspect.json").read_bytes()  # the bytes of Inspect's writer


def test_samples_built_in_a_helper_process_come_back_and_its_errors_are_raised() -> None:
    warmed: list[int] = []
    pid = os.getpid()
    assert load_while(lambda: {"ids": [1, 2]}, lambda: warmed.append(os.getpid())) == {"ids": [1, 2]}
    assert warmed == [pid]  # the warm-up ran here, in this process
    assert load_while(os.getpid, lambda: None) != pid  # the load ran in another process

    def fail() -> None:
        raise KsafeError("benchmark: /nowhere: no such directory")

    with pytest.raises(KsafeError, match="/nowhere: no such directory"):
        load_while(fail, lambda: None)


def test_a_missing_benchmark_is_reported_before_any_model_call(tmp_path: Path) -> None:
    # a large run on Linux builds the samples in a helper process: its error still reaches the user
    config = RunConfig(benchmark=str(tmp_path / "missing"), models=("openai-api/fake/target",), out=tmp_path / "run")
    with pytest.raises(KsafeError, match="missing: no such directory"):
        run_eval(config)
    assert not (tmp_path / "run").exists()


def test_openai_compatible_targets_get_the_sdk_aiohttp_client_unless_httpx_is_asked() -> None:
    import asyncio

    from openai import DefaultAioHttpClient

    from ksafe.evaluation.engine import http_client_args

    async def client_type(model: str, choice: str) -> type | None:
        args = http_client_args(model, choice)
        client = args.get("http_client")
        if client is not None:
            await client.aclose()
        return type(client) if client is not None else None

    assert asyncio.run(client_type("openai-api/local/m", "aiohttp")) is DefaultAioHttpClient
    assert asyncio.run(client_type("openai-api/local/m", "httpx")) is None  # Inspect's default client
    assert asyncio.run(client_type("anthropic/claude", "aiohttp")) is None  # other providers untouched
    with pytest.raises(ValueError, match="--http-client"):
        http_client_args("openai-api/local/m", "curl")


def test_an_unknown_http_client_is_a_one_line_error_before_any_work(tmp_path: Path) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    config = RunConfig(
        benchmark=str(bench),
        models=("mockllm/model",),
        out=tmp_path / "run",
        generate=GenerateOptions(http_client="curl"),
    )
    with pytest.raises(KsafeError, match="--http-client: 'curl'"):
        run_eval(config)
    assert not (tmp_path / "run").exists()


def test_a_spent_retry_shows_the_last_attempts_error_and_its_root_cause() -> None:
    import tenacity

    from ksafe.evaluation.engine import error_text

    attempt = tenacity.Future(3)
    try:
        raise TimeoutError("Request timed out.") from ConnectionRefusedError(111, "Connect call failed")
    except TimeoutError as exc:
        attempt.set_exception(exc)
    text = error_text(tenacity.RetryError(attempt))
    assert text.startswith("TimeoutError: Request timed out.")
    assert "caused by ConnectionRefusedError" in text and text.endswith("(after 3 attempts)")
    assert "Future" not in text
    assert error_text(ValueError("plain")) == "ValueError: plain"


def test_a_missing_api_key_or_unknown_provider_is_one_line_before_the_run_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    monkeypatch.delenv("NOKEY_API_KEY", raising=False)
    monkeypatch.setenv("NOKEY_BASE_URL", "http://127.0.0.1:9/v1")
    out = tmp_path / "run"
    with pytest.raises(KsafeError) as missing:  # the default client of openai-api/... targets: ksafe's direct one
        run_eval(RunConfig(benchmark=str(bench), models=("openai-api/nokey/m",), out=out))
    assert str(missing.value) == "--model openai-api/nokey/m: NOKEY_API_KEY is not set (--client direct)"
    with pytest.raises(KsafeError) as missing:
        inspect = GenerateOptions(client="inspect")
        run_eval(RunConfig(benchmark=str(bench), models=("openai-api/nokey/m",), out=out, generate=inspect))
    assert str(missing.value) == (
        "--model openai-api/nokey/m: Unable to initialise nokey client: No NOKEY_API_KEY defined in the environment."
    )
    with pytest.raises(KsafeError, match=r"^--model openai/gpt-4o: expected openai-api/<service>/<model>"):
        direct = GenerateOptions(client="direct")
        run_eval(RunConfig(benchmark=str(bench), models=("openai/gpt-4o",), out=out, generate=direct))
    with pytest.raises(KsafeError, match=r"^--client: 'curl': expected one of auto, inspect, direct"):
        run_eval(
            RunConfig(benchmark=str(bench), models=("mockllm/model",), out=out, generate=GenerateOptions(client="curl"))
        )
    with pytest.raises(KsafeError, match=r"^--judge openai-api/nokey/j: .*NOKEY_API_KEY"):
        run_eval(RunConfig(benchmark=str(bench), models=("mockllm/model",), judges=("openai-api/nokey/j",), out=out))
    with pytest.raises(KsafeError, match=r"^--model foo/bar: .*not recognized"):
        run_eval(RunConfig(benchmark=str(bench), models=("foo/bar",), out=out))
    assert not out.exists()  # nothing written: the same command works once the key is set


def test_progress_counts_this_runs_answers_and_failures_from_the_journal(tmp_path: Path) -> None:
    from ksafe.evaluation.progress import JournalProgress

    journal = tmp_path / "journal"
    journal.mkdir()
    (journal / "answers-0-old.jsonl").write_text('{"id": "a", "t": 1, "output": {}}\n')  # an earlier run's
    progress = JournalProgress(journal, total=4, label="m", enabled=False)
    progress._tail.skip_existing()  # what start() does: the bar counts this run's records only
    new = journal / "answers-0-new.jsonl"
    new.write_text(
        '{"id": "b", "t": 2, "output": {}}\n{"id": "b", "scores": {}}\n{"id": "c", "t": 2, "error": "E"}\n'
        '{"id": "d", "t": 2, "out'
    )
    progress.poll()
    assert (progress.answered, progress.failed) == (1, 1)  # the half-written line is not counted yet
    with new.open("a") as handle:
        handle.write('put": {}}\n')
    progress.poll()
    assert (progress.answered, progress.failed) == (2, 1)


def test_eval_shows_a_progress_bar_on_stderr_unless_display_is_none(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    pack = write_refusals_pack(tmp_path / "pack")
    config = RunConfig(benchmark=str(bench), models=("mockllm/model",), out=tmp_path / "a", pack=str(pack))
    run_eval(config)
    err = capfd.readouterr().err
    assert "answering mockllm/model" in err and "48/48" in err and "failed 0" in err
    run_eval(dataclasses.replace(config, out=tmp_path / "b", display="none"))
    assert "answering" not in capfd.readouterr().err


def test_the_inspect_log_carries_results_and_inspect_lists_it(tmp_path: Path) -> None:
    from inspect_ai.log import list_eval_logs

    write_fixture_benchmark(tmp_path / "bench")
    pack = write_refusals_pack(tmp_path / "pack")
    out = tmp_path / "run"
    config = RunConfig(
        benchmark=str(tmp_path / "bench"),
        models=("mockllm/model",),
        out=out,
        model_args={"custom_outputs": Target()},
        pack=str(pack),
        display="none",
    )
    run_eval(config)
    listed = list_eval_logs(str(out / LOGS_DIR))  # what `inspect log list` and `inspect view` show
    assert len(listed) == 1
    log = read_eval_log(listed[0].name)
    assert log.results is not None and log.results.total_samples == 48
    (score,) = log.results.scores
    assert score.name == "heuristic" and score.scored_samples == 48
    assert score.metrics["over_refusal"].value == 1.0 and score.metrics["asr"].value == 0.0
    run_eval(config)  # a rerun keeps one log per model
    assert len(list((out / LOGS_DIR).glob("*.json"))) == 1
