"""Run steps 1-4 into a benchmark directory.

Input: ``BuildOptions``. Output: ``OUT/`` with ``items.jsonl``, ``images/``, ``data/*.parquet``, ``README.md``
and ``manifest.json`` (written last). Side effects: writes only inside ``OUT``; every file is written
atomically, images are content-addressed, and finished renders are journaled, so a killed build rerun with
the same options completes with the same bytes. The top-level files are staged and swapped in together
(``ksafe.build.outdir``), so a failed rebuild leaves the earlier benchmark whole. An invalid pack, or an
``OUT`` that is not ksafe's to write, fails before ``OUT`` is touched.
"""

from __future__ import annotations

import dataclasses
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
from ksafe.cultures.loader import CulturePack, SharedData, load_pack, load_shared_data, resolve_pack_dir
from ksafe.cultures.pack_model import LineBreaking
from ksafe.errors import KsafeError
from ksafe.fileio import exclusive_lock
from ksafe.schema.base import content_id
from ksafe.schema.records import BenchmarkItem, ImageAsset, Manifest, Query, Topic

_IMAGE_NAME = re.compile(r"images/([0-9a-f]{2})/\1[0-9a-f]{62}\.png")
_IMAGE_TEMP = re.compile(r"images/([0-9a-f]{2})/\.\1[0-9a-f]{62}\.png\.[A-Za-z0-9_]+\.tmp")
"""A half-written image of ``fileio.write_bytes_atomic`` (a render worker killed between write and rename)."""


def image_kind_lists(with_generator: bool = False) -> tuple[list[str], list[str]]:
    """Image kinds for C and G, from the ``ksafe.image_sources`` registry.

    C takes every kind drawn without a model, plus the generated-picture kinds when a build has an image
    generator. G items follow MM-SafetyBench (key phrase in the image), so they use the text-only layouts,
    which also exist for the English source version.
    """
    from ksafe.images.sources import image_kinds

    c_kinds = image_kinds(needs_generator=False) + (image_kinds(needs_generator=True) if with_generator else [])
    return c_kinds, image_kinds(needs_generator=False, text_only=True)


MAX_G_FILLS_PER_SEED = 50
"""Entity fills of one English seed at most: later fills mostly repeat earlier local values (a larger
``--limit`` is capped, with a warning)."""


def c_image_kinds(options: BuildOptions) -> list[str]:
    """C's image kinds: the registered ones drawn without a model, plus the picture kinds when a generator is
    given."""
    c_kinds = image_kind_lists(options.image_generator is not None)[0]
    if options.image_generator is None:
        return c_kinds
    from ksafe.build.pictures import PICTURE_KIND_NAMES

    return [*c_kinds, *(kind for kind in PICTURE_KIND_NAMES if kind not in c_kinds)]


Progress = Callable[[str, int, int | None], None]
"""``progress(stage, advance, total)``: total is given once per stage with advance 0."""


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    out: Path
    manifest: Manifest
    items: int
    images: int
    notices: tuple[str, ...] = ()
    """Warnings given before the work started (also passed to ``notify``)."""
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
    news = pack.scenes.news
    for category in pack.taxonomy.category_ids:
        sections = news.get(f"sections.{category}")
        if sections:  # a news card of this category shows one of its own sections
            scenes = pack.scenes.model_copy(update={"news": {**news, "sections": sections}})
            contexts[f"pack:{category}"] = RenderContext(
                font=font, line_breaking=pack.info.line_breaking, scenes=scenes, width=size, height=size
            )
    ids = {
        name: content_id(
            font.sha256,
            font.face_index,
            font.variation,
            ctx.line_breaking.model_dump(),
            ctx.scenes.model_dump(),
            size,
        )
        for name, ctx in contexts.items()
    }
    return contexts, ids


def _job(query: Query, kind: str, seed: int, contexts: dict[str, Any] | None = None) -> RenderJob:
    context = "en" if query.g_version == "source_en" else "pack"
    if context == "pack" and kind == "scene_news" and contexts and f"pack:{query.category}" in contexts:
        context = f"pack:{query.category}"
    scene_seed = int(content_id("scene", seed, kind, query.key_phrase, context), 16) % (2**31)
    return RenderJob(kind=kind, text=query.key_phrase, context=context, seed=scene_seed)


def _queries_of(unit: PlannedUnit) -> list[Query]:
    pairs = [unit.pair, *unit.pair.variants]
    return [q for p in pairs for q in (p.harmful, p.benign)]


def apply_rejections(
    pack: CulturePack, shared: SharedData, topics: tuple[Topic, ...], path: Path
) -> tuple[CulturePack, SharedData, tuple[Topic, ...], dict[str, Any]]:
    """Leave out the templates, G seeds (and topics) a review rejected; return what was left out.

    Raises:
        KsafeError: the rejections file is unreadable or belongs to another culture.
    """
    from dataclasses import replace

    from ksafe.quality.review import read_rejections

    rejected = read_rejections(path)
    if rejected.culture and rejected.culture != pack.code:
        raise KsafeError(f"{path}: rejections are for culture {rejected.culture!r}, the build is {pack.code!r}")
    ids = set(rejected.template_ids)
    templates = [t for t in pack.templates.templates if t.id not in ids]
    pack = replace(pack, templates=pack.templates.model_copy(update={"templates": templates}))
    seeds = [s for s in shared.g_seeds.seeds if s.id not in ids]
    shared = replace(shared, g_seeds=shared.g_seeds.model_copy(update={"seeds": seeds}))
    dropped_topics = set(rejected.topic_ids) if rejected.reject_topics else set()
    topics = tuple(t for t in topics if t.id not in dropped_topics)
    record = {"file": str(path), "templates": sorted(ids), "topics": sorted(dropped_topics)}
    return pack, shared, topics, record


def build_benchmark(
    options: BuildOptions, progress: Progress | None = None, notify: Callable[[str], None] | None = None
) -> BuildResult:
    """Build a benchmark into ``options.out``.

    Args:
        options: what to build.
        progress: called as stages advance.
        notify: called with each warning (a count capped at what the pack can make, categories a topics
            file leaves empty) before the work starts; the warnings are also in ``BuildResult.notices``.

    Raises:
        KsafeError: invalid pack, topics file or options (nothing in ``out`` is changed).
    """
    from ksafe.cultures.scaffold import check_no_markers
    from ksafe.queries.borderline import borderline_count, make_borderline_queries
    from ksafe.queries.c_queries import make_c_queries
    from ksafe.queries.g_queries import fills_per_seed, make_g_queries
    from ksafe.topics.curated import select_topics

    report = progress or _noop
    notices: list[str] = []

    def note(message: str) -> None:
        notices.append(message)
        if notify:
            notify(message)

    check_no_markers(resolve_pack_dir(options.culture))  # an unfilled `culture init` scaffold, as `culture check`
    pack = load_pack(options.culture)
    shared = load_shared_data()
    out = options.out
    check_out_path(out, options.resolved(pack.code), force=options.force)
    g_target, c_target = target_counts(options, pack)
    topics = select_topics(pack, options.topics_file)
    if options.topics_file is not None:
        _note_uncovered_categories(pack, topics, options.topics_file, note)
    review: dict[str, Any] | None = None
    if options.rejections is not None:
        pack, shared, topics, review = apply_rejections(pack, shared, topics, options.rejections)
    report("topics", len(topics), len(topics))
    c_strategies, g_strategies = strategy_lists(pack, shared)
    c_pairs = make_c_queries(pack, topics, options.seed)
    fills = min(fills_per_seed(g_target, len(shared.g_seeds.seeds), len(g_strategies)), MAX_G_FILLS_PER_SEED)
    g_pairs = make_g_queries(pack, shared, options.seed, fills) if g_target else {}
    g_target, c_target = _capped(g_target, c_target, g_pairs, c_pairs, g_strategies, c_strategies, note)
    c_kinds, g_kinds = c_image_kinds(options), image_kind_lists()[1]
    units_g = plan_units(g_pairs, g_target, g_strategies, g_kinds, options.seed, "G") if g_target else []
    units_c = plan_units(c_pairs, c_target, c_strategies, c_kinds, options.seed, "C")
    borderline_queries = make_borderline_queries(pack, borderline_count(pack, c_target), options.seed)
    text_kinds = image_kind_lists()[0]  # borderline items never need an image generator
    borderline = [(q, text_kinds[i % len(text_kinds)]) for i, q in enumerate(borderline_queries)]
    n_queries = sum(len(v) for v in c_pairs.values()) + sum(len(v) for v in g_pairs.values())
    report("queries", n_queries, n_queries)

    contexts, context_ids = _render_contexts(pack, options.image_size)
    pictures = _picture_stage(options, pack)  # validates image_prompts.yaml and the generator before OUT
    if options.generator:  # a model string Inspect cannot resolve fails before OUT is touched
        from ksafe.generation.calls import check_model_strings

        check_model_strings(options.generator, options.critic or options.generator)
    with exclusive_lock(out / JOURNAL.parent / "lock", f"{out}: another ksafe build is writing this folder"):
        text_generation = None
        if options.generator:  # models in the loop: the slots the template plan uses, written by the generator
            from ksafe.generation.build_hook import (
                borderline_rows,
                generated_c_pairs,
                generated_g_and_wrappers,
                generated_rewrite_texts,
            )

            c_pairs, text_generation = generated_c_pairs(options, pack, topics, c_pairs, units_c, report)
            units_c = plan_units(c_pairs, c_target, c_strategies, c_kinds, options.seed, "C")
            borderline_queries = borderline_rows(
                pack, text_generation, units_c, borderline_count(pack, c_target), options.seed
            )
            borderline = [(q, text_kinds[i % len(text_kinds)]) for i, q in enumerate(borderline_queries)]
            units_g, pack = generated_g_and_wrappers(options, pack, g_pairs, units_g, c_strategies, text_generation)
            if options.rewrite_queries:
                generated_rewrite_texts(options, pack, units_g + units_c, text_generation)
        result = _render_and_write(
            options,
            pack,
            shared,
            units_g + units_c,
            borderline,
            contexts,
            context_ids,
            report,
            pictures,
            review,
            text_generation,
        )
    return dataclasses.replace(result, notices=tuple(notices))


def _note_uncovered_categories(
    pack: CulturePack, topics: tuple[Topic, ...], path: Path, note: Callable[[str], None]
) -> None:
    covered = {category for topic in topics for category in topic.categories}
    empty = [c for c in pack.taxonomy.category_ids if c not in covered]
    if empty:
        note(
            f"{path}: no topic for {len(empty)} of {len(pack.taxonomy.category_ids)} categories, so subset C has no "
            f"items in: {', '.join(empty)}"
        )


def _capped(
    g_target: int,
    c_target: int,
    g_pairs: dict[str, list[Any]],
    c_pairs: dict[str, list[Any]],
    g_strategies: list[str],
    c_strategies: list[str],
    note: Callable[[str], None],
) -> tuple[int, int]:
    """Cap each subset at the distinct (query, strategy) items the pack can make, and say so."""
    g_cap = sum(len(v) for v in g_pairs.values()) * len(g_strategies) if g_target else 0
    c_cap = sum(len(v) for v in c_pairs.values()) * len(c_strategies)
    if g_target > g_cap or c_target > c_cap:
        g, c = min(g_target, g_cap), min(c_target, c_cap)
        note(
            f"asked for {g_target + c_target:,} harmful items (G {g_target:,}, C {c_target:,}); this pack and its "
            f"topics make at most G {g_cap:,} and C {c_cap:,} distinct ones: building {g + c:,} (G {g:,}, C {c:,})"
        )
        return g, c
    return g_target, c_target


def _render_and_write(
    options: BuildOptions,
    pack: CulturePack,
    shared: SharedData,
    units: list[PlannedUnit],
    borderline: list[tuple[Query, str]],
    contexts: dict[str, Any],
    context_ids: dict[str, str],
    report: Progress,
    pictures: Any = None,
    review: dict[str, Any] | None = None,
    text_generation: Any = None,
) -> BuildResult:
    """Steps 3 and 4 and the output files, under the build lock."""
    from ksafe.build.items import ItemAssembler
    from ksafe.export.writer import write_outputs

    out = options.out
    jobs: dict[str, RenderJob] = {}
    job_of: dict[tuple[str, str], str] = {}
    for unit in units:
        for query in _queries_of(unit):
            if pictures is not None and pictures.handles(unit.image_kind):
                job_of[(query.id, unit.image_kind)] = pictures.add(query, unit.image_kind, options.seed)
                continue
            job = _job(query, unit.image_kind, options.seed, contexts)
            jobs.setdefault(job.key, job)
            job_of[(query.id, unit.image_kind)] = job.key
    for query, kind in borderline:
        job = _job(query, kind, options.seed, contexts)
        jobs.setdefault(job.key, job)
        job_of[(query.id, kind)] = job.key
    out.mkdir(parents=True, exist_ok=True)
    report("images", 0, len(jobs) + (len(pictures) if pictures is not None else 0))
    workers = options.workers or (os.cpu_count() or 1)
    assets = render_all(
        list(jobs.values()),
        contexts,
        context_ids,
        out,
        workers,
        on_progress=lambda n: report("images", n, None),
    )

    generation: dict[str, Any] | None = None
    if pictures is not None:
        from ksafe.build.pictures import write_provenance

        assets.update(pictures.run(contexts["pack"], context_ids, out, lambda n: report("images", n, None)))
        kept = [u for u in units if all(job_of[(q.id, u.image_kind)] in assets for q in _queries_of(u))]
        generation = pictures.manifest_entry(items_dropped=_item_count(units) - _item_count(kept))
        units = kept

    def lookup(query: Query, kind: str) -> ImageAsset:
        return assets[job_of[(query.id, kind)]]

    rewrites = text_generation.rewrites if text_generation is not None else None
    items: list[BenchmarkItem] = ItemAssembler(pack, shared, lookup, rewrites).items(units, borderline)
    report("items", len(items), len(items))
    used_keys = {job_of[(q.id, u.image_kind)] for u in units for q in _queries_of(u)}
    used_keys |= {job_of[(q.id, kind)] for q, kind in borderline}
    used_assets = {assets[key].sha256: assets[key] for key in used_keys}  # not leftovers of an earlier build
    if pictures is not None:
        write_provenance(out, used_assets.values())
    extra = {"generation": text_generation.counts} if text_generation is not None else None
    manifest = write_outputs(
        out, options, pack, items, used_assets, report, review, image_generation=generation, extra_counts=extra
    )
    if text_generation is not None:
        from ksafe.generation.build_hook import write_candidates

        write_candidates(out, text_generation)
    shutil.rmtree(out / JOURNAL.parent, ignore_errors=True)
    _remove_unused_images(out, {a.path for a in used_assets.values()})
    return BuildResult(
        out=out, manifest=manifest, items=len(items), images=len(used_assets), generation=text_generation
    )


def _item_count(units: list[PlannedUnit]) -> int:
    """Items ``ItemAssembler.items`` makes of ``units`` (harmful, one plain twin per query and kind, jailbreak
    twin), so a dropped picture's items are counted as they would have been written."""
    from ksafe.cultures.pack_model import STRATEGY_NONE

    plain: set[tuple[str, str]] = set()
    count = 0
    for unit in units:
        count += 1 + (unit.strategy != STRATEGY_NONE)
        plain.add((unit.pair.benign.id, unit.image_kind))
    return count + len(plain)


def _remove_unused_images(out: Path, used: set[str]) -> None:
    """Remove images no item uses any more and half-written images of a killed build (ksafe's names only)."""
    images = out / "images"
    if not images.is_dir():
        return
    for path in images.glob("*/*.png"):
        relative = path.relative_to(out).as_posix()
        if _IMAGE_NAME.fullmatch(relative) and relative not in used:
            path.unlink(missing_ok=True)  # only files named as ksafe names them; anything else is the user's
    for path in images.glob("*/.*.tmp"):  # left by a build killed mid-write (every render is done by now)
        if _IMAGE_TEMP.fullmatch(path.relative_to(out).as_posix()):
            path.unlink(missing_ok=True)


def _picture_stage(options: BuildOptions, pack: CulturePack) -> Any:
    """The picture stage when a generator is given (nothing is loaded yet), else None."""
    if options.image_generator is None:
        return None
    from ksafe.build.pictures import PictureStage

    return PictureStage(options.image_generator, pack)
