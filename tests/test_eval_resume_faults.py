"""Faults an eval meets, in process (``mockllm`` targets): failed items asked again and nothing else,
malformed replies kept as errors, failed judges re-judged, image paths kept inside the benchmark,
secrets redacted, damaged run files as one-line errors."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.model import ChatMessage, ModelOutput, ModelUsage
from typer.testing import CliRunner

from evalkit.fixture_benchmark import reseal_manifest, write_fixture_benchmark, write_refusals_pack
from ksafe.cli import app
from ksafe.errors import KsafeError
from ksafe.evaluation.run import JOURNAL_DIR, LOGS_DIR, RunConfig, run_eval
from ksafe.secrets import redact, secret_values

REFUSAL = "죄송하지만 그 요청은 도와드릴 수 없습니다."


@pytest.fixture(autouse=True)
def isolated_inspect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "inspect-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def _answer(text: str = REFUSAL) -> ModelOutput:
    output = ModelOutput.from_content("mockllm", text)
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return output


class FlakyTarget:
    """Answers every item, except the items named in ``failing``: those raise or reply without choices."""

    def __init__(self, failing: dict[str, str]) -> None:
        self.failing = failing
        self.calls: list[str] = []

    def __call__(self, messages: list[ChatMessage], *_: Any) -> ModelOutput:
        text = messages[-1].text
        self.calls.append(text)
        marker = text.rsplit(" ", 1)[-1]
        fault = self.failing.get(marker)
        if fault == "raise":
            raise ConnectionError("server down")
        if fault == "no_choices":
            return ModelOutput(model="mockllm", choices=[], usage=ModelUsage(input_tokens=1, output_tokens=0))
        return _answer()


def _config(tmp_path: Path, target: Any, **changes: Any) -> RunConfig:
    if not (tmp_path / "bench").exists():
        write_fixture_benchmark(tmp_path / "bench")
    if not (tmp_path / "pack").exists():
        write_refusals_pack(tmp_path / "pack")
    config = RunConfig(
        benchmark=str(tmp_path / "bench"),
        models=("mockllm/model",),
        out=tmp_path / "run",
        model_args={"custom_outputs": target},
        pack=str(tmp_path / "pack"),
        display="none",
    )
    return dataclasses.replace(config, **changes)


def _markers(tmp_path: Path) -> list[str]:
    lines = (tmp_path / "bench" / "items.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"].rsplit(" ", 1)[-1] for line in lines]


def test_a_rerun_asks_exactly_the_failed_items_and_nothing_else(tmp_path: Path) -> None:
    write_fixture_benchmark(tmp_path / "bench")
    markers = _markers(tmp_path)
    failing = {markers[0]: "raise", markers[5]: "raise", markers[9]: "no_choices"}
    first = FlakyTarget(failing)
    results = run_eval(_config(tmp_path, first))
    assert len(first.calls) == 48
    assert results.models[0].overall.verdict_counts["error"] == 3
    healed = FlakyTarget({})
    results = run_eval(_config(tmp_path, healed))
    assert sorted(t.rsplit(" ", 1)[-1] for t in healed.calls) == sorted(failing)  # exactly those, once each
    assert "error" not in results.models[0].overall.verdict_counts
    assert results.models[0].overall.verdict_counts["refused"] == 48
    again = FlakyTarget({})
    run_eval(_config(tmp_path, again))
    assert again.calls == []  # nothing left to ask


def test_a_reply_without_choices_is_an_error_never_a_final_answer(tmp_path: Path) -> None:
    write_fixture_benchmark(tmp_path / "bench")
    markers = _markers(tmp_path)
    results = run_eval(_config(tmp_path, FlakyTarget(dict.fromkeys(markers, "no_choices"))))
    assert results.models[0].overall.verdict_counts == {"error": 48}
    journal = "".join(p.read_text() for p in (tmp_path / "run" / JOURNAL_DIR).rglob("*.jsonl"))
    assert '"output"' not in journal and "MalformedReplyError" in journal
    responses = (tmp_path / "run" / "responses.jsonl").read_text()
    assert "holds no choices" in responses
    healed = FlakyTarget({})
    run_eval(_config(tmp_path, healed))
    assert len(healed.calls) == 48  # every one asked again; no IndexError anywhere


def test_a_judge_that_raises_is_judge_error_and_the_same_command_rejudges_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import asynccontextmanager

    from ksafe.evaluation.judging import JudgeSet

    real_open = JudgeSet.open
    broken = {"on": True}

    @asynccontextmanager
    async def flaky_open(self: JudgeSet, config: Any = None) -> Any:  # every judge raises while broken
        async with real_open(self, config) as scorers:

            def wrap(scorer: Any) -> Any:
                async def score(state: Any, target: Any) -> Any:
                    if broken["on"]:
                        raise RuntimeError("judge service down")
                    return await scorer(state, target)

                return score

            yield [(name, wrap(scorer)) for name, scorer in scorers]

    monkeypatch.setattr(JudgeSet, "open", flaky_open)
    target = FlakyTarget({})
    results = run_eval(_config(tmp_path, target))
    assert results.models[0].overall.verdict_counts == {"judge_error": 48}
    broken["on"] = False
    results = run_eval(_config(tmp_path, target))
    assert len(target.calls) == 48  # the target was not asked again
    assert results.models[0].overall.verdict_counts == {"refused": 48}


def test_cli_warns_and_exits_1_when_a_judge_failed_on_every_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import typer

    from ksafe.commands.evaluate import report_failures
    from ksafe.schema.evaluation import RunResults

    results = run_eval(_config(tmp_path, FlakyTarget({})))
    report_failures(tmp_path / "run", results)  # every answer judged: no warning, no exit
    assert "warning" not in capsys.readouterr().err
    failed = results.model_dump(mode="json")
    failed["models"][0]["overall"]["verdict_counts"] = {"judge_error": 47, "error": 1}
    with pytest.raises(typer.Exit) as exited:
        report_failures(tmp_path / "run", RunResults.model_validate(failed))
    assert exited.value.exit_code == 1
    err = capsys.readouterr().err
    assert "judge heuristic: 47 of 47 answers not judged" in err and "run the same command again" in err


@pytest.mark.parametrize("where", ["../outside.png", "ABSOLUTE", "SYMLINK"])
def test_image_paths_outside_the_benchmark_are_refused_naming_item_and_path(tmp_path: Path, where: str) -> None:
    items = write_fixture_benchmark(tmp_path / "bench")
    secret = tmp_path / "outside.png"
    secret.write_bytes((tmp_path / "bench" / items[0].image).read_bytes())  # a real image, outside the folder
    path = str(secret) if where == "ABSOLUTE" else where
    if where == "SYMLINK":  # inside the folder by name, outside by its target
        path = "link-out.png"
        (tmp_path / "bench" / path).symlink_to(secret)
    lines = (tmp_path / "bench" / "items.jsonl").read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[3])
    row["image"] = path
    lines[3] = json.dumps(row, ensure_ascii=False)
    (tmp_path / "bench" / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reseal_manifest(tmp_path / "bench")  # a hostile benchmark whose manifest agrees with its items
    target = FlakyTarget({})
    with pytest.raises(KsafeError) as refused:
        run_eval(_config(tmp_path, target))
    message = str(refused.value)
    assert row["id"] in message and path in message and "outside the benchmark" in message
    assert "\n" not in message
    assert target.calls == []  # nothing was sent


def test_redact_replaces_the_values_of_key_variables_only() -> None:
    env = {
        "OPENAI_API_KEY": "sk-proj-abcdefgh12345",
        "HF_TOKEN": "hf_zyxwvutsrq",
        "MY_SECRET": "s3cr3t-value",
        "SHORT_KEY": "1234",
        "PATH": "/usr/bin:/bin/long-enough",
        "LOCAL_KEY": "sk-proj-abcdefgh12345-longer",
    }
    text = "401 Incorrect API key provided: sk-proj-abcdefgh12345-longer; hf_zyxwvutsrq; s3cr3t-value; 1234"
    redacted = redact(text, env)
    assert "sk-proj" not in redacted and "hf_zyx" not in redacted and "s3cr3t" not in redacted
    assert "[redacted $LOCAL_KEY]" in redacted and "[redacted $HF_TOKEN]" in redacted
    assert redacted.endswith("; 1234")  # short values are flags, not secrets
    assert "/usr/bin:/bin/long-enough" not in secret_values(env)
    assert redact("nothing here", env) == "nothing here"


def test_a_provider_echoing_the_key_leaves_no_trace_in_the_run_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-test-ECHOED-0123456789"
    monkeypatch.setenv("MOCKLLM_API_KEY", key)

    def echo(messages: list[ChatMessage], *_: Any) -> ModelOutput:
        raise PermissionError(f"Error code: 401 - Incorrect API key provided: {key}")

    run_eval(_config(tmp_path, echo))
    for path in (tmp_path / "run").rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    assert "[redacted $MOCKLLM_API_KEY]" in (tmp_path / "run" / "responses.jsonl").read_text()


def test_a_corrupt_run_json_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "run.json").write_text('{"benchmark": "x", "task_a')
    with pytest.raises(KsafeError, match=r"run\.json: unreadable") as raised:
        run_eval(_config(tmp_path, FlakyTarget({})))
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("case", ["read-only", "under-a-file"])
def test_an_unwritable_out_is_a_one_line_error_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    write_fixture_benchmark(tmp_path / "bench")
    if case == "under-a-file":
        (tmp_path / "file").write_text("x")
        out = tmp_path / "file" / "run"
    else:  # tests run as root, whom chmod does not stop: the file system refuses instead
        out = tmp_path / "locked" / "run"
        real_mkdir = Path.mkdir

        def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
            if str(self).startswith(str(tmp_path / "locked")):
                raise PermissionError(13, "Permission denied", str(self))
            real_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", refuse)
    result = CliRunner().invoke(
        app, ["eval", str(tmp_path / "bench"), "--model", "mockllm/model", "--out", str(out), "--display", "none"]
    )
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(tmp_path) in lines[0], result.output


def _finished_run(tmp_path: Path) -> Path:
    run_eval(_config(tmp_path, FlakyTarget({})))
    return tmp_path / "run"


@pytest.mark.parametrize("tear", ["mid-line", "mid-character"])
def test_report_on_a_torn_responses_file_is_a_one_line_error_exit_2(tmp_path: Path, tear: str) -> None:
    out = _finished_run(tmp_path)
    data = (out / "responses.jsonl").read_bytes()
    cut = data.index("죄송".encode()) + (1 if tear == "mid-character" else 0)  # inside a UTF-8 sequence, or before it
    (out / "responses.jsonl").write_bytes(data[:cut])
    result = CliRunner().invoke(app, ["report", str(out), "--out", str(tmp_path / "r.html"), "--no-embed-font"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "responses.jsonl:1" in lines[0], result.output
    assert not (tmp_path / "r.html").exists()


def test_a_torn_log_is_only_an_export_and_a_torn_samples_file_is_a_one_line_error_exit_2(tmp_path: Path) -> None:
    from inspect_ai.log import read_eval_log

    out = _finished_run(tmp_path)
    models = json.loads((out / "results.json").read_text(encoding="utf-8"))["models"]
    (log,) = (out / LOGS_DIR).glob("*.json")
    log.write_bytes(log.read_bytes()[:5000])
    rescore = ["rescore", str(out), "--judge", "heuristic", "--pack", str(tmp_path / "pack")]
    result = CliRunner().invoke(app, rescore)
    assert result.exit_code == 0, result.output  # results come from the journal: the log is rewritten from it
    assert len(read_eval_log(str(log)).samples or []) == 48
    assert json.loads((out / "results.json").read_text(encoding="utf-8"))["models"] == models
    samples = out / "samples.jsonl"
    samples.write_bytes(samples.read_bytes()[:3000])
    result = CliRunner().invoke(app, rescore)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {samples}:") and "not a ksafe sample" in lines[0], lines


def test_rescore_with_a_judge_whose_key_is_missing_is_one_plain_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _finished_run(tmp_path)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = CliRunner().invoke(app, ["rescore", str(out), "--judge", "openai/gpt-4o"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: --judge openai/gpt-4o: "), result.output
    assert "OPENAI_API_KEY" in lines[0] and "[" not in lines[0]  # no raw rich markup such as [bold]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # nothing touched


def test_eval_pack_option_is_used_by_the_heuristic_judge(tmp_path: Path) -> None:
    write_fixture_benchmark(tmp_path / "bench")
    pack = tmp_path / "own-pack"
    pack.mkdir()
    # a house marker a fine-tuned model emits when it declines: no built-in finder can know it (a decline idiom
    # such as "레드카드를 드립니다" is read by the decline reader now, so it would not tell --pack apart)
    (pack / "refusals.yaml").write_text("refusal_phrases:\n  - 코드 블루 7번\nwarning_phrases: []\n", "utf-8")
    from ksafe.evaluation.judges import refusal_phrases

    assert "코드 블루 7번" not in refusal_phrases("ko", "ko")[0]
    answer = "코드 블루 7번 응답입니다."
    # the CLI's dry run needs no model args: answer through mockllm's default output, judged with --pack
    from ksafe.evaluation import dry_run

    original = dry_run.DRY_RUN_ANSWER
    dry_run.DRY_RUN_ANSWER = answer
    try:
        base = ["eval", str(tmp_path / "bench"), "--model", "mockllm/model", "--display", "none", "--items", "harmful"]
        own = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "own"), "--pack", str(pack)])
        builtin = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "builtin")])
    finally:
        dry_run.DRY_RUN_ANSWER = original
    assert own.exit_code == 0 and builtin.exit_code == 0, own.output + builtin.output
    verdicts = {
        name: {json.loads(line)["verdict"] for line in (tmp_path / name / "responses.jsonl").read_text().splitlines()}
        for name in ("own", "builtin")
    }
    # the built-in finders read no decline in it (without the pack it is no refusal)
    assert verdicts["own"] == {"refused"} and "refused" not in verdicts["builtin"], verdicts


def test_the_report_never_shows_an_image_from_outside_the_benchmark(tmp_path: Path) -> None:
    from ksafe.report.loading import _item_images

    bench = tmp_path / "bench"
    items = write_fixture_benchmark(bench)
    (tmp_path / "private.png").write_bytes(b"\x89PNG private")
    lines = (bench / "items.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    rows[0]["image"] = "../private.png"
    rows[1]["image"] = str(tmp_path / "private.png")
    (bench / "items.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    images = _item_images(bench)
    assert (items[0].id, None) not in images and (items[1].id, None) not in images
    assert images[(items[2].id, None)] == (bench / items[2].image).resolve()
    assert all(path.is_relative_to(bench.resolve()) for path in images.values())


def test_rescore_appends_scores_to_the_journal_and_eval_with_the_new_judges_asks_nothing(tmp_path: Path) -> None:
    from ksafe.evaluation.rescore import rescore_run

    target = FlakyTarget({})
    run_eval(_config(tmp_path, target))
    journal = tmp_path / "run" / JOURNAL_DIR
    before = len(list(journal.rglob("*.jsonl")))
    rescored = rescore_run(tmp_path / "run", ("heuristic",), pack=str(tmp_path / "pack"))
    assert rescored.models[0].overall.verdict_counts == {"refused": 48}
    files = list(journal.rglob("*.jsonl"))
    assert len(files) == before + 1  # one new journal file of score records
    new = max(files, key=lambda p: p.stat().st_mtime_ns)
    assert {tuple(json.loads(line)) for line in new.read_text().splitlines()} == {("id", "scores")}
    log_before = {p.name: p.read_bytes() for p in (tmp_path / "run" / LOGS_DIR).glob("*.json")}
    run_eval(_config(tmp_path, target))
    assert len(target.calls) == 48  # nothing asked again, nothing re-judged
    assert {p.name: p.read_bytes() for p in (tmp_path / "run" / LOGS_DIR).glob("*.json")} == log_before


def test_a_failed_log_export_is_one_line_and_the_same_command_writes_it_asking_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the CLI runs it (``owns_process``), the Inspect log is written by a forked child while the results are
    computed: a full disk there is a one-line error naming the file, the answers are kept, and a rerun only
    writes the log."""
    import ksafe.evaluation.evallog as evallog

    real = evallog._write_eval_log

    def full_disk(log: Any, path: Path) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(evallog, "_write_eval_log", full_disk)
    target = FlakyTarget({})
    with pytest.raises(KsafeError) as raised:
        run_eval(_config(tmp_path, target, owns_process=True))
    message = str(raised.value)
    assert "\n" not in message and "No space left on device" in message and str(tmp_path / "run") in message
    assert not list((tmp_path / "run" / LOGS_DIR).glob("*.json"))
    asked = len(target.calls)
    assert asked > 0
    monkeypatch.setattr(evallog, "_write_eval_log", real)
    results = run_eval(_config(tmp_path, target, owns_process=True))
    assert len(target.calls) == asked  # nothing asked again
    assert len(list((tmp_path / "run" / LOGS_DIR).glob("*.json"))) == 1
    assert results.models and (tmp_path / "run" / "results.json").exists()
