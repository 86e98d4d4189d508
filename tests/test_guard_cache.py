"""``ksafe guard --cache`` with ``--client direct``: the direct client's response cache (the one ``ksafe eval``
uses) against the scripted guard server: a rerun into a new run directory asks nothing again, a pair that
failed is asked past the cache, and a cache that cannot be written costs requests, never a verdict."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from evalkit.fixture_benchmark import write_fixture_benchmark
from guardkit.server import guard_server
from test_guard_e2e import _env, _guard

GUARDS = [
    "--guard",
    "llama_guard=openai-api/fake/llama_guard",
    "--guard",
    "binary_logprob=openai-api/fake/binary_logprob",
]
ARGS = [*GUARDS, "--client", "direct", "--max-connections", "4", "--max-retries", "0"]


def _asked(server: object) -> Counter[tuple[str, str, bool]]:
    return Counter((r["model"], r["text"], r["image"]) for r in server.requests())  # type: ignore[attr-defined]


def _verdicts(out: Path) -> dict[tuple[str, str, str], object]:
    rows = [json.loads(line) for line in (out / "verdicts.jsonl").read_text().splitlines()]
    return {(r["guard"], r["key"], r["view"]): r.get("flagged") for r in rows}


def test_a_rerun_into_a_new_run_directory_asks_nothing_again(tmp_path: Path) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    with guard_server(tmp_path / "server") as server:
        env = _env(tmp_path, server.base_url)
        first = _guard(env, bench, tmp_path / "run1", *ARGS, "--cache")
        assert first.returncode == 0, first.stderr[-3000:]
        asked = len(server.requests())
        second = _guard(env, bench, tmp_path / "run2", *ARGS, "--cache")
        assert second.returncode == 0, second.stderr[-3000:]
        assert len(server.requests()) == asked == 192  # every (guard, view, item) answered from the cache
        uncached = _guard(env, bench, tmp_path / "run3", *ARGS, "--no-cache")
        assert uncached.returncode == 0, uncached.stderr[-3000:]
        assert len(server.requests()) == 2 * asked  # --no-cache reads nothing from it
    assert _verdicts(tmp_path / "run2") == _verdicts(tmp_path / "run1") == _verdicts(tmp_path / "run3")
    assert list((tmp_path / "cache" / "ksafe-direct").glob("*/*/*.json"))  # ksafe's cache, beside Inspect's


def test_a_failed_pair_is_asked_past_the_cache(tmp_path: Path) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    out = tmp_path / "run"
    with guard_server(tmp_path / "server", rules={"#1h": "garbage"}) as server:
        env = _env(tmp_path, server.base_url)
        first = _guard(env, bench, out, *ARGS, "--cache")
        before = _asked(server)
        garbled = {key for key in before if "#1h" in key[1]}
        assert garbled and first.returncode == 0 and "guard_error" in first.stderr
        second = _guard(env, bench, out, *ARGS, "--cache")
        again = _asked(server) - before
    assert second.returncode == 0, second.stderr[-3000:]
    assert set(again) == garbled  # the cached garbage was not reused, and nothing with a verdict was asked


def test_an_unwritable_cache_loses_no_verdict(tmp_path: Path) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    (tmp_path / "blocker").write_text("a file where the cache folder would be")
    with guard_server(tmp_path / "server") as server:
        env = {**_env(tmp_path, server.base_url), "INSPECT_CACHE_DIR": str(tmp_path / "blocker" / "cache")}
        result = _guard(env, bench, tmp_path / "run", *ARGS, "--cache")
        asked = len(server.requests())
    assert result.returncode == 0, result.stderr[-3000:]
    assert asked == 192 and len(_verdicts(tmp_path / "run")) == 192
    assert "response cache" in result.stderr and "Traceback" not in result.stderr
