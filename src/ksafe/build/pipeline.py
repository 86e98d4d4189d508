"""Run steps 1-4 into a benchmark directory.

Input: ``BuildOptions``. Output: ``OUT/`` with ``items.jsonl``, ``images/``, ``data/*.parquet``, ``README.md``
and ``manifest.json`` (written last). Side effects: writes only inside ``OUT``; every file is written
atomically, images are content-addressed, and finished renders are journaled, so a killed build rerun with
the same options completes with the same bytes. The top-level files are staged and swapped in together
(``ksafe.build.outdir``), so a failed rebuild leaves the earlier benchmark whole. An invalid pack, or an
``OUT`` that is not ksafe's to write, fails before ``OUT`` is touched.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ksafe.build.options import BuildOptions
from ksafe.build.outdir import check_out_path
from ksafe.build.plan import PlannedUnit, plan_units
from ksafe.build.render_jobs import JOURNAL, RenderJob, render_all
from ksafe.cultures.loader import CulturePack, SharedData, load_pack, load_shared_data
from ksafe.cultures.pack_model import LineBreaking
from ksafe.fileio import exclusive_lock
from ksafe.schema.base import content_id
from ksafe.schema.records import BenchmarkItem, ImageAsset, Manifest, Query

_IMAGE_NAME = re.compile(r"images/([0-9a-f]{2})/\1[0-9a-f]{62}\.png")


def image_kind_lists(with_generator: bool = False) -> tuple[list[str], list[str]]:
    """Image kinds for C and G, from the ``ksafe.image_sources`` registry.

    C takes every kind drawn without a model, plus the generated-picture kinds when a build has an image
    generator. G items follow MM-SafetyBench (key phrase in the image), so they use the text-only layouts,
    which also exist for the English source version.
    """
    from ksafe.images.sources import image_kinds

    c_kinds = image_kinds(needs_generator=False) + (image_kinds(needs_generator=True) if with_generator else [])
    return c_kinds, image_kinds(needs_generator=False, text_only=True)


Progress = Callable[[str, int, int | None], None]
"""``progress(stage, advance, total)``: total is given once per stage with advance 0."""


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    out: Path
    manifest: Manifest
    items: int
    images: int
    generation: Any = None
    """``GenerationOutcome`` of a build with a generator (counts, call costs), else ``None``."""


def _noop(stage: str, advance: int, total: int | None) -> None:
    return None


def target_counts(options: BuildOptions, pack: CulturePack) -> tuple[int, int]:
    """Harmful item targets (G, C): pack defaults, scaled by ``--limit``, overridden by explicit counts."""
    g_default, c_default = pack.info.defaults.g_count, pack.info.defaults.c_count
    if options.limit is not None:
        total = g_default + c_default
        g = round(options.limit * g_default / total) if total else 0
        c = options.limit - g
    else:
        g, c = g_default, c_default
    if options.g_count is not None:
        g = options.g_count
    if options.c_count is not None:
        c = options.c_count
    return g, c


def strategy_lists(pack: CulturePack, shared: SharedData) -> tuple[list[str], list[str]]:
    """Strategies for C (every strategy the pack localizes) and G (those with an English wrapper too)."""
    from ksafe.jailbreaks.registry import list_strategies

    names = [s.name for s in list_strategies()]
    localized = set(pack.jailbreaks.jailbreaks)
    c = [n for n in names if n == "none" or n in localized]
    english = set(shared.jailbreaks_en.jailbreaks) | {s.name for s in list_strategies() if s.english_template}
    g = [n for n in c if n == "none" or n in english]
    return c, g


def _render_contexts(pack: CulturePack, size: int) -> tuple[dict[str, Any], dict[str, str]]:
    from ksafe.images.canvas import RenderContext
    from ksafe.images.fonts import resolve_font

    font = resolve_font(pack.info.font, pack.directory)
    english_breaking = LineBreaking(mode="words")
    contexts = {
        "pack": RenderContext(
            font=font, line_breaking=pack.info.line_breaking, scenes=pack.scenes, width=size, height=size
        ),
        "en": RenderContext(font=font, line_breaking=english_breaking, scenes=pack.scenes, width=size, height=size),
    }
    ids = {
        name: content_id(
            font.sha256,
            font.face_index,
            font.variation,
            ctx.line_breaking.model_dump(),
            pack.scenes.model_dump(),
            size,
        )
        for name, ctx in contexts.items()
    }
    return contexts, ids


def _job(query: Query, kind: str, seed: int) -> RenderJob:
    context = "en" if query.g_version == "source_en" else "pack"
    scene_seed = int(content_id("scene", seed, kind, query.key_phrase, context), 16) % (2**31)
    return RenderJob(kind=kind, text=query.key_phrase, context=context, seed=scene_seed)


def _queries_of(unit: PlannedUnit) -> list[Query]:
    pairs = [unit.pair, *unit.pair.variants]
    return [q for p in pairs for q in (p.harmful, p.benign)]


def build_benchmark(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build a benchmark into ``options.out``.

    Raises:
        KsafeError: invalid pack, topics file or options (nothing in ``out`` is changed).
    """
    from ksafe.queries.c_queries import make_c_queries
    from ksafe.queries.g_queries import fills_per_seed, make_g_queries
    from ksafe.topics.curated import select_topics

    report = progress or _noop
    pack = load_pack(options.culture)
    shared = load_shared_data()
    out = options.out
    check_out_path(out, options.resolved(pack.code), force=options.force)
    g_target, c_target = target_counts(options, pack)
    topics = select_topics(pack, options.topics_file)
    report("topics", len(topics), len(topics))
    c_strategies, g_strategies = strategy_lists(pack, shared)
    c_pairs = make_c_queries(pack, topics, options.seed)
    fills = fills_per_seed(g_target, len(shared.g_seeds.seeds), len(g_strategies))
    g_pairs = make_g_queries(pack, shared, options.seed, fills) if g_target else {}
    c_kinds, g_kinds = image_kind_lists()
    units_g = plan_units(g_pairs, g_target, g_strategies, g_kinds, options.seed, "G") if g_target else []
    units_c = plan_units(c_pairs, c_target, c_strategies, c_kinds, options.seed, "C")
    n_queries = sum(len(v) for v in c_pairs.values()) + sum(len(v) for v in g_pairs.values())
    report("queries", n_queries, n_queries)

    contexts, context_ids = _render_contexts(pack, options.image_size)
    if options.generator:  # a model string Inspect cannot resolve fails before OUT is touched
        from ksafe.generation.calls import check_model_strings

        check_model_strings(options.generator, options.critic or options.generator)
    with exclusive_lock(out / JOURNAL.parent / "lock", f"{out}: another ksafe build is writing this folder"):
        generation = None
        if options.generator:  # models in the loop: the slots the template plan uses, written by the generator
            from ksafe.generation.build_hook import generated_c_pairs

            c_pairs, generation = generated_c_pairs(options, pack, topics, c_pairs, units_c, report)
            units_c = plan_units(c_pairs, c_target, c_strategies, c_kinds, options.seed, "C")
        return _render_and_write(options, pack, shared, units_g + units_c, contexts, context_ids, report, generation)


def _render_and_write(
    options: BuildOptions,
    pack: CulturePack,
    shared: SharedData,
    units: list[PlannedUnit],
    contexts: dict[str, Any],
    context_ids: dict[str, str],
    report: Progress,
    generation: Any = None,
) -> BuildResult:
    """Steps 3 and 4 and the output files, under the build lock."""
    from ksafe.build.items import ItemAssembler
    from ksafe.export.writer import write_outputs

    out = options.out
    jobs: dict[str, RenderJob] = {}
    job_of: dict[tuple[str, str], str] = {}
    for unit in units:
        for query in _queries_of(unit):
            job = _job(query, unit.image_kind, options.seed)
            jobs.setdefault(job.key, job)
            job_of[(query.id, unit.image_kind)] = job.key
    out.mkdir(parents=True, exist_ok=True)
    report("images", 0, len(jobs))
    workers = options.workers or (os.cpu_count() or 1)
    assets = render_all(
        list(jobs.values()),
        contexts,
        context_ids,
        out,
        workers,
        on_progress=lambda n: report("images", n, None),
    )

    def lookup(query: Query, kind: str) -> ImageAsset:
        return assets[job_of[(query.id, kind)]]

    items: list[BenchmarkItem] = ItemAssembler(pack, shared, lookup).items(units)
    report("items", len(items), len(items))
    used_assets = {assets[key].sha256: assets[key] for key in jobs}  # not leftovers of an earlier, other build
    extra = {"generation": generation.counts} if generation is not None else None
    manifest = write_outputs(out, options, pack, items, used_assets, report, extra_counts=extra)
    if generation is not None:
        from ksafe.generation.build_hook import write_candidates

        write_candidates(out, generation)
    shutil.rmtree(out / JOURNAL.parent, ignore_errors=True)
    _remove_unused_images(out, {a.path for a in used_assets.values()})
    return BuildResult(out=out, manifest=manifest, items=len(items), images=len(used_assets), generation=generation)


def _remove_unused_images(out: Path, used: set[str]) -> None:
    images = out / "images"
    if not images.is_dir():
        return
    for path in images.glob("*/*.png"):
        relative = path.relative_to(out).as_posix()
        if _IMAGE_NAME.fullmatch(relative) and relative not in used:
            path.unlink(missing_ok=True)  # only files named as ksafe names them; anything else is the user's
