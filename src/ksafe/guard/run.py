"""Run ``ksafe guard`` into a run directory, resumably.

Input: a ``GuardConfig`` (a benchmark and filters, or an eval run with ``responses=True``; guards as
``FORMAT=MODEL``). Output: ``RUN/run.json`` (options, never secrets), ``RUN/journal/<guard-slug>/``
(every verdict and fault as it arrives), ``RUN/verdicts.jsonl`` (one row per guard x view x item),
``RUN/results.json`` (``GuardRunResults``) and ``RUN/tables/guard_*.csv``. Side effects: calls the
guards; holds ``RUN/.lock`` while running. The same command resumes: verdicts in the journal are never
asked again, faults are asked again.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.dataset import ItemFilter
from ksafe.evaluation.engine import GenerateOptions
from ksafe.evaluation.evallog import model_slug
from ksafe.evaluation.journal import read_journals, run_lock
from ksafe.fileio import write_text_atomic
from ksafe.guard.faults import cannot_write
from ksafe.guard.items import GuardItem, filter_responses, response_items
from ksafe.guard.results import GuardRunResults
from ksafe.guard.runner import CLIENTS, GuardJob, GuardSpec, check_guard, parse_guard
from ksafe.guard.shards import frozen_heap, run_guards_sharded
from ksafe.guard.sources import ItemSource, ListSource, benchmark_source
from ksafe.guard.summary import guard_results, reference_of
from ksafe.guard.work import GuardWork, pending_pairs

RUN_FILE = "run.json"
JOURNAL_DIR = "journal"
VERDICTS_FILE = "verdicts.jsonl"
RESULTS_FILE = "results.json"


@dataclass(frozen=True)
class GuardConfig:
    """Everything ``ksafe guard`` needs (API keys stay in the environment)."""

    source: str
    """Benchmark (directory, parquet or name), or with ``responses`` an eval run directory."""
    guards: tuple[str, ...]
    out: Path
    responses: bool = False
    item_filter: ItemFilter = field(default_factory=ItemFilter)
    ablation: bool = True
    """Prompt mode: also ask every guard with the key phrase in text (the image ablation)."""
    threshold: float = 0.5
    options: GenerateOptions = field(default_factory=lambda: GenerateOptions(max_tokens=None, cache=False))
    workers: int = 0
    """Processes per guard; 0 = auto (``--client direct``, >= 1,000 pending: one per core, >= 16 connections each)."""
    client: str = "inspect"
    """``inspect`` (Inspect's model layer) or ``direct`` (aiohttp to an OpenAI-compatible server, ``guard.direct``)."""
    model_args: dict[str, Any] = field(default_factory=dict)
    """Extra Inspect model arguments (tests); never written."""


AUTO_SHARD_MIN = 1000


def _workers(config: GuardConfig, pending: int) -> int:
    """Answering processes: as asked, else several only for large direct-client runs on Linux (fork)."""
    if config.model_args:
        return 1  # in-process model arguments (tests) do not cross a fork
    if config.workers > 0:
        return config.workers
    if config.client != "direct" or pending < AUTO_SHARD_MIN or not sys.platform.startswith("linux"):
        return 1
    return max(1, min(os.cpu_count() or 1, config.options.max_connections // 16))


def _views(guard: GuardSpec, config: GuardConfig) -> list[str]:
    views = [guard.primary_view]
    if config.ablation and not config.responses and not guard.format.images_only:  # it never reads the text
        views.append("text_only")
    return views


def _record(config: GuardConfig) -> dict[str, Any]:
    f = config.item_filter
    source = str(Path(config.source).resolve()) if Path(config.source).exists() else config.source
    return {
        "kind": "guard",
        "mode": "responses" if config.responses else "prompts",
        "source": source,
        "filters": {
            "subsets": list(f.subsets),
            "domains": list(f.domains),
            "categories": list(f.categories),
            "strategies": list(f.strategies),
            "image_kinds": list(f.image_kinds),
            "harmful": f.harmful,
            "g_versions": list(f.g_versions),
            "sample_size": f.sample_size,
            "seed": f.seed,
        },
        "threshold": config.threshold,
        "ablation": config.ablation,
    }


def _check_same_run(out: Path, record: dict[str, Any]) -> dict[str, Any]:
    path = out / RUN_FILE
    if not path.exists():
        return {}
    previous = json.loads(path.read_text(encoding="utf-8"))
    for key in ("kind", "mode", "source", "filters", "threshold", "ablation"):
        if previous.get(key) != record.get(key):
            raise KsafeError(f"{path}: {key}: differs from this command; use a new --out to start another run")
    return dict(previous)


def run_guards(config: GuardConfig) -> GuardRunResults:
    """Ask every guard about every item (resuming the run directory), then write the results."""
    with frozen_heap(paused=True) as freeze:  # the collector is off while the items load
        return _run_guards(config, freeze)


def _run_guards(config: GuardConfig, freeze: Callable[[], None]) -> GuardRunResults:
    if config.client not in CLIENTS:
        raise KsafeError(f"--client {config.client!r}: expected one of {', '.join(CLIENTS)}")
    if not config.guards:
        raise KsafeError("--guard: give at least one FORMAT=MODEL (e.g. llama_guard=vllm/meta-llama/Llama-Guard-4-12B)")
    specs = [parse_guard(spec, config.threshold) for spec in dict.fromkeys(config.guards)]
    for guard in specs:
        if config.responses and guard.format.images_only:
            raise KsafeError(f"--guard {guard.spec}: {guard.format.name} classifies images, not answers (--responses)")
    source = _source(config)
    freeze()  # what was loaded lives to the end of the run
    for guard in specs:  # a missing key or bad model string fails before the run directory is touched
        check_guard(guard, config.model_args, config.client)
    record = _record(config)
    out = config.out
    previous = _check_same_run(out, record)
    try:
        with run_lock(out):
            record["guards"] = sorted(set(previous.get("guards", [])) | {g.spec for g in specs})
            record["run_id"] = previous.get("run_id") or uuid.uuid4().hex[:22]
            record["benchmark"] = source.name
            write_text_atomic(out / RUN_FILE, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
            jobs: list[GuardJob] = []
            for guard in specs:
                journal_dir = out / JOURNAL_DIR / model_slug(guard.spec)
                journal_dir.mkdir(parents=True, exist_ok=True)
                jobs.append((guard, GuardWork(source, _views(guard, config), read_journals(journal_dir)), journal_dir))
            pending = sum(work.estimate() for _, work, _ in jobs)
            if pending < AUTO_SHARD_MIN:  # a small run, or a resumed one nearly done: count exactly (this builds
                # every item first; a G item may hold fewer versions than asked, and the journal may hold verdicts
                # of items no longer selected), so a run with nothing left opens no client and no journal file
                pending = sum(pending_pairs(source, work.views, work.state) for _, work, _ in jobs)
            if pending:  # every guard at once (each with its own connections), in one or more processes
                workers = _workers(config, pending)
                run_guards_sharded(
                    jobs, config.options, workers, config.model_args, config.client, while_waiting=_prepare_results
                )
            items = source.items()
            freeze()
            return finalize(config, specs, items, record, source.name, source.culture)
    except OSError as exc:  # a read-only or full disk: what was journaled stays, the same command resumes
        raise KsafeError(cannot_write(exc, out)) from None


def _source(config: GuardConfig) -> ItemSource:
    """The items to classify: an eval run's answers (``--responses``), or the benchmark's samples."""
    if config.responses:
        name, culture, items = response_items(Path(config.source))
        return ListSource(name, culture, filter_responses(items, config.item_filter))
    return benchmark_source(config.source, config.item_filter)


def _prepare_results() -> None:
    """Import what ``finalize`` needs while forked workers answer (the parent would otherwise sit idle):
    the tables writer, and numpy's random (bootstrap) and masked-array (percentiles) modules."""
    import numpy.ma
    import numpy.random  # noqa: F401

    import ksafe.guard.outputs  # noqa: F401


def finalize(
    config: GuardConfig,
    specs: Sequence[GuardSpec],
    items: Sequence[GuardItem],
    record: dict[str, Any],
    name: str,
    culture: str,
) -> GuardRunResults:
    """Build ``results.json``, ``verdicts.jsonl`` and the tables from the journals of ``specs``."""
    from ksafe.guard.outputs import write_outputs

    judges: list[str] = []
    if config.responses:
        eval_run = json.loads((Path(config.source) / "run.json").read_text(encoding="utf-8"))
        judges = list(eval_run.get("judges") or dict.fromkeys(j for i in items for j in i.judge_verdicts))
    reference = reference_of(judges) if config.responses else "item"
    guards, rows = [], []
    asked = {g.spec for g in specs}
    earlier = [parse_guard(s, config.threshold) for s in record.get("guards", []) if s not in asked]
    for guard in [*earlier, *specs]:  # guards of earlier commands on this directory stay in the results
        state = read_journals(config.out / JOURNAL_DIR / model_slug(guard.spec))
        result, guard_rows = guard_results(guard, items, _views(guard, config), state, reference, judges)
        guards.append(result)
        rows += guard_rows
    results = GuardRunResults(
        run_id=record["run_id"],
        mode=record["mode"],
        benchmark=name,
        culture=culture,
        source_run=record["source"] if config.responses else None,
        guards=tuple(guards),
    )
    write_outputs(config.out, results, rows)
    return results
