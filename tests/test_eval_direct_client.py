"""``ksafe eval`` with its direct client (``--client direct``, the default for ``openai-api/...`` targets) against
the fake OpenAI-compatible server process: the response cache (a rerun into a new run directory asks nothing;
changed options or a failed sample ask again; an unwritable cache loses no answer), generate options sent as
given, usage recorded, the Inspect log in the shape Inspect's layer gives, and a key echoed in an answer stored
nowhere. Requests are counted at the server."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evalkit.fixture_benchmark import write_fixture_benchmark, write_refusals_pack
from evalkit.server import fake_server
from ksafe.evaluation.dataset import ItemFilter
from ksafe.evaluation.engine import GenerateOptions
from ksafe.evaluation.run import RunConfig, run_eval

KEY = "sk-test-DIRECT-0f1e2d3c4b5a"
MODEL = "openai-api/fake/target"


@pytest.fixture()
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[RunConfig, list[str]]:
    items = write_fixture_benchmark(tmp_path / "bench")
    pack = write_refusals_pack(tmp_path / "pack")
    monkeypatch.setenv("FAKE_API_KEY", KEY)
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    config = RunConfig(
        benchmark=str(tmp_path / "bench"),
        models=(MODEL,),
        out=tmp_path / "run",
        items=ItemFilter(sample_size=6),
        pack=str(pack),
        display="none",
        generate=GenerateOptions(client="direct", max_retries=0),
    )
    return config, [i.text.rsplit(" ", 1)[1] for i in items]


def _targets(server: Any) -> list[dict[str, Any]]:
    return [r for r in server.requests() if r["kind"] == "target"]


def _with(config: RunConfig, out: Path, **options: Any) -> RunConfig:
    return dataclasses.replace(config, out=out, generate=dataclasses.replace(config.generate, **options))


def _outputs(out: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for path in (out / "journal").rglob("answers-*.jsonl") for line in path.open()]
    return [line["output"] for line in lines if "output" in line]


def test_a_rerun_into_a_new_run_directory_is_answered_from_the_cache(
    tmp_path: Path, setup: tuple[RunConfig, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = setup
    with fake_server(tmp_path / "server") as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        first = run_eval(_with(config, tmp_path / "a"))
        asked_first = len(_targets(server))
        again = run_eval(_with(config, tmp_path / "b"))
        asked_again = len(_targets(server))
        run_eval(_with(config, tmp_path / "c", cache=False))
        asked_uncached = len(_targets(server))
        run_eval(_with(config, tmp_path / "d", max_tokens=77))  # another request: not the cached one
        asked_changed = len(_targets(server))
    assert asked_first == 6
    assert asked_again == 6  # the same model, request and options: no call
    assert again.models[0].overall.verdict_counts == first.models[0].overall.verdict_counts == {"refused": 6}
    assert asked_uncached == 12 and asked_changed == 18
    stored = list((tmp_path / "cache" / "ksafe-direct").rglob("*.json"))
    assert len(stored) == 12  # max_tokens 1024 and 77; --no-cache wrote nothing
    assert all(KEY.encode() not in path.read_bytes() for path in stored)


def test_a_sample_whose_last_call_failed_is_asked_past_the_cache(
    tmp_path: Path, setup: tuple[RunConfig, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, markers = setup
    with fake_server(tmp_path / "up") as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        run_eval(_with(config, tmp_path / "a"))  # every answer cached
        asked = [r["text"].rsplit(" ", 1)[1] for r in _targets(server)]
    failing = asked[0]
    out = tmp_path / "b"
    with fake_server(tmp_path / "down", faults={failing: "500_always"}) as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        broken = run_eval(_with(config, out, cache=False))
    assert broken.models[0].overall.verdict_counts == {"refused": 5, "error": 1}
    with fake_server(tmp_path / "back") as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        fixed = run_eval(_with(config, out))  # cache on again: it holds an answer for the failed sample
        again = [r["text"].rsplit(" ", 1)[1] for r in _targets(server)]
    assert again == [failing]  # asked once more, past the cache (whose entry may be why it failed)
    assert fixed.models[0].overall.verdict_counts == {"refused": 6}
    assert failing in markers


def test_an_unwritable_cache_loses_no_answer(
    tmp_path: Path, setup: tuple[RunConfig, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = setup
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be\n")
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(blocked))
    with fake_server(tmp_path / "server") as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        results = run_eval(_with(config, tmp_path / "a"))
        run_eval(_with(config, tmp_path / "b"))
        asked = len(_targets(server))
    assert results.models[0].overall.verdict_counts == {"refused": 6}
    assert asked == 12  # nothing was cached, nothing was lost


def test_generate_options_are_sent_and_usage_recorded_and_the_log_has_inspects_shape(
    tmp_path: Path, setup: tuple[RunConfig, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = setup
    options = {"temperature": 0.25, "seed": 7, "max_tokens": 64, "top_p": 0.9}
    with fake_server(tmp_path / "server") as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        run_eval(_with(config, tmp_path / "direct", cache=False, **options))
        sent = [r["options"] for r in _targets(server)]
        run_eval(_with(config, tmp_path / "inspect", cache=False, client="inspect", **options))
        sent_inspect = [r["options"] for r in _targets(server)][len(sent) :]
    assert sent == [options] * 6
    assert sent_inspect == [options] * 6  # what Inspect's layer sends for the same options
    usage = [o["usage"] for o in _outputs(tmp_path / "direct")]
    assert usage == [{"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}] * 6

    def shape(out: Path) -> dict[str, Any]:
        (path,) = (out / "logs").glob("*.json")
        log = json.loads(path.read_text())
        sample = log["samples"][0]
        message = sample["output"]["choices"][0]["message"]
        return {
            "log": sorted(log),
            "sample": sorted(sample),
            "output": sorted(k for k in sample["output"] if k not in ("time", "metadata")),
            "message": sorted(k for k in message if k != "metadata"),
            "roles": [m["role"] for m in sample["messages"]],
            "scores": sorted(sample["scores"]),
        }

    assert shape(tmp_path / "direct") == shape(tmp_path / "inspect")


def test_a_key_echoed_in_an_answer_is_stored_nowhere(
    tmp_path: Path, setup: tuple[RunConfig, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, markers = setup
    faults = {marker: "echo_key_answer" for marker in markers}
    out = tmp_path / "run"
    with fake_server(tmp_path / "server", faults=faults) as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        results = run_eval(_with(config, out))
        assert len(_targets(server)) == 6
    assert sum(results.models[0].overall.verdict_counts.values()) == 6
    texts = [o["choices"][0]["message"]["content"] for o in _outputs(out)]
    assert Counter("[redacted $FAKE_API_KEY]" in t for t in texts) == {True: 6}
    for path in [*out.rglob("*"), *(tmp_path / "cache").rglob("*")]:
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), f"API key written to {path}"


def test_the_direct_client_imports_no_inspect_provider_nor_the_openai_sdk(
    tmp_path: Path, setup: tuple[RunConfig, list[str]]
) -> None:
    import os
    import subprocess
    import sys

    config, _ = setup
    script = f"""
import sys
from ksafe.evaluation.dataset import ItemFilter
from ksafe.evaluation.engine import GenerateOptions
from ksafe.evaluation.run import RunConfig, run_eval
results = run_eval(RunConfig(benchmark={config.benchmark!r}, models=({MODEL!r},), out=__import__("pathlib").Path(
    {str(tmp_path / "run")!r}), items=ItemFilter(sample_size=4), pack={config.pack!r}, display="none",
    generate=GenerateOptions(client=sys.argv[1]), workers=2, owns_process=True))
assert sum(results.models[0].overall.verdict_counts.values()) == 4
providers = [m for m in sys.modules if ".model._providers." in m and not m.endswith(".providers")]  # not the registry
print(sorted(m for m in sys.modules if m.split(".")[0] == "openai") + sorted(providers))
"""
    with fake_server(tmp_path / "server") as server:
        env = {**os.environ, "FAKE_BASE_URL": server.base_url}
        runs = {
            client: subprocess.run([sys.executable, "-c", script, client], env=env, capture_output=True, text=True)
            for client in ("direct", "inspect")
        }
    for run in runs.values():
        assert run.returncode == 0, run.stderr[-2000:]
    assert runs["direct"].stdout.strip() == "[]"  # no provider, no SDK: nothing of it before the first request
    assert "openai" in runs["inspect"].stdout  # the check can fail: Inspect's layer imports them
