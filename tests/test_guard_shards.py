"""Guard work is taken unit by unit (``ksafe.guard.work.GuardWork`` over ``ksafe.guard.sources``): forked workers
share one counter, so every pair is asked by exactly one worker and a slower worker asks fewer; benchmark lines
are parsed only when a worker takes them, yet give the same items as loading the whole file, and a broken line
still fails the run with one line naming the file and line."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from evalkit.fixture_benchmark import reseal_manifest, write_fixture_benchmark
from guardkit.server import guard_server
from ksafe.errors import KsafeError
from ksafe.evaluation.dataset import ItemFilter
from ksafe.evaluation.engine import GenerateOptions
from ksafe.guard.items import GuardItem, benchmark_items
from ksafe.guard.run import GuardConfig, run_guards
from ksafe.guard.sources import BenchmarkLines, ListSource, benchmark_source
from ksafe.guard.work import GuardWork, SharedCounter


def _items(count: int) -> list[GuardItem]:
    fields: dict[str, Any] = dict(
        g_version=None, subset="C", domain="d", category="privacy", strategy="none", image_kind="typography"
    )
    return [
        GuardItem(
            key=str(k),
            item_id=str(k),
            is_harmful=True,
            language="ko",
            text=str(k),
            text_only=str(k),
            image=None,
            **fields,
        )
        for k in range(count)
    ]


def _take(work: GuardWork, out: Path, pause: float, start: Any) -> None:
    start.wait(60)  # all begin together: a worker forked late under load would otherwise find little left
    taken = []
    for rid, _ in work:
        taken.append(rid)
        time.sleep(pause)
    out.write_text("\n".join(taken))


def test_every_pair_is_taken_once_and_the_slow_worker_takes_fewer(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    source = ListSource("b", "ko", _items(300))
    work = GuardWork(source, ("image", "text_only"), {}, chunk=4).shared(SharedCounter(context.Value("q", 0)))
    pauses = (0.004, 0.0, 0.0)
    start = context.Barrier(len(pauses))
    processes = [
        context.Process(target=_take, args=(work, tmp_path / f"w{k}.txt", pause, start))
        for k, pause in enumerate(pauses)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0, 0, 0]
    taken = [(tmp_path / f"w{k}.txt").read_text().split("\n") for k in range(3)]
    everything = [rid for part in taken for rid in part if rid]
    expected = [f"{view}:{k}" for k in range(300) for view in ("image", "text_only")]
    assert sorted(everything) == sorted(expected)  # all taken, none twice
    # The slow worker takes fewer than the fast ones on average (which of the two fast ones takes more is a race).
    assert len(taken[0]) < (len(taken[1]) + len(taken[2])) / 2


def test_an_empty_share_yields_nothing() -> None:
    work = GuardWork(ListSource("b", "ko", []), ("text",), {})
    assert len(work) == 0 and list(work) == []


def test_verdicts_in_the_journal_are_not_asked_again_and_faults_are_asked_fresh() -> None:
    state: dict[str, dict[str, Any]] = {"text:0": {"output": {"flagged": True}}, "text:1": {"error": "[timeout] slow"}}
    pairs = list(GuardWork(ListSource("b", "ko", _items(3)), ("text",), state))
    assert [(rid, conversation.fresh) for rid, conversation in pairs] == [("text:1", True), ("text:2", False)]


@pytest.mark.parametrize(
    "item_filter",
    [
        ItemFilter(),
        ItemFilter(sample_size=37, seed=3),
        ItemFilter(g_versions=("source_en", "literal", "contextualized")),
    ],
)
def test_lines_read_as_needed_give_the_items_of_the_whole_file(tmp_path: Path, item_filter: ItemFilter) -> None:
    write_fixture_benchmark(tmp_path / "bench", copies=2)
    source = benchmark_source(str(tmp_path / "bench"), item_filter)
    assert isinstance(source, BenchmarkLines)
    name, culture, expected = benchmark_items(str(tmp_path / "bench"), item_filter)
    assert (source.name, source.culture) == (name, culture)
    assert source.items() == expected  # same items, fields and order (G items once per version asked)
    pairs = [rid for rid, _ in GuardWork(source, ("image", "text_only"), {})]
    assert sorted(pairs) == sorted(f"{view}:{item.key}" for item in expected for view in ("image", "text_only"))


def test_a_filtered_selection_is_built_up_front(tmp_path: Path) -> None:
    write_fixture_benchmark(tmp_path / "bench")
    source = benchmark_source(str(tmp_path / "bench"), ItemFilter(categories=("privacy",)))
    assert isinstance(source, ListSource)
    assert {item.category for item in source.items()} == {"privacy"}


def _break_line(bench: Path, number: int) -> None:
    path = bench / "items.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[number - 1])
    record["is_harmful"] = "sometimes"
    lines[number - 1] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reseal_manifest(bench)


def test_a_worker_parses_only_the_lines_it_takes_and_a_broken_line_still_fails(tmp_path: Path) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    count = len((bench / "items.jsonl").read_text(encoding="utf-8").splitlines())
    _break_line(bench, count)
    source = benchmark_source(str(bench), ItemFilter())
    first = next(iter(GuardWork(source, ("image",), {})))  # the first unit is asked before the last is read
    assert first[0].startswith("image:")
    with pytest.raises(KsafeError, match=rf"items\.jsonl:{count}: is_harmful: "):
        source.items()


def test_a_broken_line_left_out_of_the_sample_still_fails(tmp_path: Path) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)
    _break_line(bench, 5)
    source = benchmark_source(str(bench), ItemFilter(sample_size=1, seed=0))
    assert len(source) == 1
    with pytest.raises(KsafeError, match=r"items\.jsonl:5: is_harmful: "):
        source.items()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_broken_line_stops_the_run_with_one_line_and_keeps_the_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench, copies=3)
    count = len((bench / "items.jsonl").read_text(encoding="utf-8").splitlines())
    _break_line(bench, count - 2)
    monkeypatch.setenv("FAKE_API_KEY", "k")
    with guard_server(tmp_path / "server", latency_ms=20) as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        config = GuardConfig(
            source=str(bench),
            guards=("binary_logprob=openai-api/fake/binary_logprob",),
            out=tmp_path / "run",
            ablation=False,
            options=GenerateOptions(max_connections=4, max_tokens=None, cache=False),
            client="direct",
            workers=workers,
        )
        with pytest.raises(KsafeError) as raised:
            run_guards(config)
    message = str(raised.value)
    assert f"items.jsonl:{count - 2}: is_harmful: " in message and "\n" not in message
    journal = tmp_path / "run" / "journal"
    lines = [line for path in journal.rglob("*.jsonl") for line in path.read_text().splitlines()]
    assert all(json.loads(line).get("output") for line in lines)  # what was answered is kept
    assert not multiprocessing.active_children()


def test_a_finished_run_asks_nothing_and_writes_no_journal_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = tmp_path / "bench"
    write_fixture_benchmark(bench)  # G items hold two of the three versions asked
    monkeypatch.setenv("FAKE_API_KEY", "k")
    with guard_server(tmp_path / "server") as server:
        monkeypatch.setenv("FAKE_BASE_URL", server.base_url)
        config = GuardConfig(
            source=str(bench),
            guards=("binary_logprob=openai-api/fake/binary_logprob",),
            out=tmp_path / "run",
            item_filter=ItemFilter(g_versions=("source_en", "literal", "contextualized")),
            options=GenerateOptions(max_connections=4, max_tokens=None, cache=False),
            client="direct",
        )
        first = run_guards(config)
        asked = len(server.requests())
        files = sorted((tmp_path / "run" / "journal").rglob("*.jsonl"))
        second = run_guards(config)
        assert len(server.requests()) == asked
    assert sorted((tmp_path / "run" / "journal").rglob("*.jsonl")) == files
    assert second.guards[0].overall == first.guards[0].overall
