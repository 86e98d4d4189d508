"""What a guard is asked about: benchmark items (prompt classification) or a ``ksafe eval`` run's answers.

Input: a benchmark (directory or parquet, through ``ksafe.evaluation.dataset``) with filters, or an
eval run directory (``run.json``, ``responses.jsonl``, optional human labels ``judge_labels.csv`` or
``labels.csv``). Output: ``GuardItem`` records carrying the breakdown fields and, per view, the
``Conversation`` a guard sees. Side effects: reads files (parquet images are cached by the dataset module).

Views: ``image`` (image and text in one user turn, as the target saw it), ``text`` (the same text without
the image: what a text-only guard sees) and ``text_only`` (the ablation: the key phrase in the text).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.evaluation.dataset import ItemFilter, load_benchmark, select_items
from ksafe.evaluation.samples import sample_id
from ksafe.guard.formats.base import Conversation
from ksafe.schema.records import BenchmarkItem, GVersion, ItemVariant

VIEWS: tuple[str, ...] = ("image", "text", "text_only")
JAILBREAK_FRAMED = "jailbreak_framed"
PLAIN = "plain"
BORDERLINE = "borderline"
KINDS: tuple[str, ...] = (PLAIN, BORDERLINE, JAILBREAK_FRAMED)
"""Values of the ``kind`` breakdown: harmful items are plain or jailbreak-framed, benign items any of the three."""


def record_id(view: str, key: str) -> str:
    """The journal id of one (view, item)."""
    return f"{view}:{key}"


@dataclass(slots=True)
class GuardItem:
    """One thing to classify: a benchmark sample, or one target answer to it (not changed once built).

    Not ``frozen``: a frozen dataclass sets each of its 18 fields through ``object.__setattr__`` (~11 us an
    item against ~1.6 us, ~45 ms of start-up on 5,000 items).
    """

    key: str
    """Stable id within the run: the sample id, or ``<model>|<sample id>`` for answers."""
    item_id: str
    g_version: str | None
    subset: str
    domain: str
    category: str
    strategy: str
    image_kind: str
    is_harmful: bool
    language: str
    text: str
    """The user turn's text as sent with the image."""
    text_only: str
    """The ablation text (key phrase inline)."""
    image: str | None
    """Absolute image path (None when the eval run was text-only)."""
    response: str | None = None
    """The target's answer (``--responses``)."""
    model: str | None = None
    """The target model that answered (``--responses``)."""
    judge_verdicts: dict[str, str] = field(default_factory=dict)
    """Judge -> verdict of the answer (``--responses``)."""
    human_verdict: str | None = None
    """A human label of the answer, where a labels file holds one."""
    benign_kind: str | None = None
    """The benchmark's ``benign_kind`` (``plain``, ``borderline``, ``jailbreak``; None for harmful items)."""

    @property
    def kind(self) -> str:
        """``plain``, ``borderline`` (a safe request in alarming words) or ``jailbreak_framed`` (a strategy).

        The harmful/benign side is ``is_harmful``: a group's detection rate is on its harmful items, its
        false-positive rate on its benign ones (``borderline`` holds benign items only).
        """
        if not self.is_harmful and self.benign_kind == BORDERLINE:
            return BORDERLINE
        return PLAIN if self.strategy == "none" else JAILBREAK_FRAMED

    def conversation(self, view: str) -> Conversation:
        """What a guard is shown in ``view``."""
        if view == "text_only":
            return Conversation(text=self.text_only, language=self.language, response=self.response)
        image = self.image if view == "image" else None
        return Conversation(text=self.text, image=image, response=self.response, language=self.language)


def benchmark_items(benchmark: str, item_filter: ItemFilter) -> tuple[str, str, list[GuardItem]]:
    """The samples of a benchmark as guard items (one per G version asked), with its name and culture."""
    bench = load_benchmark(benchmark)
    selected = select_items(bench.items, item_filter)
    if not selected:
        raise KsafeError(f"benchmark: {benchmark}: no item passes the filters")
    images = ImagePaths(bench.root)
    items = [guard_item for item in selected for guard_item in guard_items(item, item_filter.g_versions, images)]
    return bench.name, bench.culture, items


def guard_items(item: BenchmarkItem, g_versions: Sequence[GVersion], images: ImagePaths) -> list[GuardItem]:
    """The guard items of one benchmark item: itself, or a G item once per version of ``g_versions`` it has.

    Raises:
        KsafeError: an image path leaves the benchmark folder or its file is missing.
    """
    if item.subset != "G":
        image = images.path(item.image)
        return [_item(sample_id(item, None), item, None, item.language, item.text, item.text_only, image)]
    found = []
    for version in g_versions:
        v = _variant(item, version)  # built once per version (a G item's own version is a new record)
        if v is None:
            continue
        image = images.path(v.image)
        found.append(_item(sample_id(item, version), item, version, v.language, v.text, v.text_only, image))
    return found


def _variant(item: BenchmarkItem, version: GVersion) -> ItemVariant | None:
    try:
        return item.variant(version)
    except KeyError:
        return None


class ImagePaths:
    """Absolute paths of a benchmark's images, each checked once to lie inside its folder.

    Items share images (twins, strategies), and a benchmark keeps them in a few folders: each folder is
    resolved and listed once (``os.scandir``), so a plain file in a folder without symlinks needs no
    system call of its own. Anything else (a symlink, ``..``, a name the listing lacks) takes the full
    check of ``_image``, which resolves the path and raises the error naming it.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._prefix = str(self.root)
        self._found: dict[str, str] = {}
        self._folders: dict[str, frozenset[str]] = {}

    def path(self, relative: str) -> str:
        """The absolute path of ``relative`` (a path from a data file).

        Raises:
            KsafeError: the path leaves the folder or the file is missing.
        """
        found = self._found.get(relative)
        if found is None:
            found = self._found[relative] = self._plain(relative) or _image(self.root, relative)
        return found

    def _plain(self, relative: str) -> str | None:
        """The path when it is a plain file under folders without symlinks, else None (check it in full)."""
        parts = relative.split("/")
        if any(part in ("", ".", "..") for part in parts):
            return None
        folder = "/".join(parts[:-1])
        files = self._folders.get(folder)
        if files is None:
            files = self._folders[folder] = self._listing(folder)
        return f"{self._prefix}/{relative}" if parts[-1] in files else None

    def _listing(self, folder: str) -> frozenset[str]:
        """Names of the regular files (not symlinks) of ``folder``; empty unless it resolves to itself."""
        path = f"{self._prefix}/{folder}" if folder else self._prefix
        if os.path.realpath(path) != path:
            return frozenset()  # the folder is (or lies under) a symlink: every name is checked in full
        try:
            with os.scandir(path) as entries:
                return frozenset(e.name for e in entries if e.is_file(follow_symlinks=False))
        except OSError:
            return frozenset()


def _image(root: Path, relative: str) -> str:
    """The absolute image path, kept inside the benchmark folder (a data file names it).

    Raises:
        KsafeError: the path leaves the folder or the file is missing.
    """
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise KsafeError(f"image: {relative}: outside the benchmark folder {root}")
    if not path.is_file():
        raise KsafeError(f"image: {relative}: file not found under {root}")
    return str(path)


def _item(
    key: str,
    item: BenchmarkItem,
    g_version: GVersion | None,
    language: str,
    text: str,
    text_only: str,
    image: str | None,
) -> GuardItem:
    return GuardItem(
        key=key,
        item_id=item.id,
        g_version=g_version,
        subset=item.subset,
        domain=item.domain,
        category=item.category,
        strategy=item.strategy,
        image_kind=item.image_kind,
        is_harmful=item.is_harmful,
        language=str(language or item.language),
        text=text,
        text_only=text_only,
        image=image,
        benign_kind=item.benign_kind,
    )


def _read_run(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "run.json"
    if not path.exists():
        raise KsafeError(f"{path}: missing (--responses reads a run directory written by `ksafe eval`)")
    value = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(value, dict) or "benchmark" not in value:
        raise KsafeError(f"{path}: benchmark: missing (not a ksafe eval run directory)")
    return value


def _images(items: Sequence[BenchmarkItem], root: Path) -> dict[tuple[str, str | None], tuple[BenchmarkItem, str]]:
    """(item id, G version) -> (item, image path relative to the benchmark)."""
    found: dict[tuple[str, str | None], tuple[BenchmarkItem, str]] = {}
    for item in items:
        found[(item.id, None)] = (item, item.image)
        for version in ("source_en", "literal", "contextualized"):
            try:
                variant = item.variant(version)
            except KeyError:
                continue
            found[(item.id, version)] = (item, variant.image)
    return found


def _human_labels(run_dir: Path) -> dict[str, str]:
    """Human verdicts keyed ``<model>|<item id>|<G version>``, from ``judge_labels.csv`` or ``labels.csv``."""
    from ksafe.evaluation.calibration import read_labels
    from ksafe.report.loading import load_human_labels

    sheet = run_dir / "judge_labels.csv"
    if sheet.exists():
        try:
            return read_labels(sheet)
        except KsafeError as exc:
            if "no labelled rows" not in str(exc):
                raise
    plain = run_dir / "labels.csv"
    if plain.exists():
        return {f"{model}|{item_id}|": verdict for (item_id, model), verdict in load_human_labels(plain).items()}
    return {}


def response_items(run_dir: Path) -> tuple[str, str, list[GuardItem]]:
    """The answered samples of an eval run as guard items (one per model x sample), with judge verdicts.

    Answers that never came (errors, provider blocks) are left out: there is nothing to classify.
    """
    from ksafe.evaluation.calibration import read_responses, response_key

    record = _read_run(run_dir)
    text_only_run = bool(record.get("task_args", {}).get("text_only", False))
    bench = load_benchmark(str(record["benchmark"]))
    images = _images(bench.items, bench.root)
    paths = ImagePaths(bench.root)
    labels = _human_labels(run_dir)
    grouped: dict[str, GuardItem] = {}
    verdicts: dict[str, dict[str, str]] = {}
    for r in read_responses(run_dir):
        if r.verdict in ("error", "blocked_by_provider"):
            continue
        key = response_key(r)
        verdicts.setdefault(key, {})[r.judge] = r.verdict
        if key in grouped:
            continue
        found = images.get((r.item_id, r.g_version))
        if found is None:
            raise KsafeError(f"{run_dir / 'responses.jsonl'}: item {r.item_id}: not in the benchmark {bench.root}")
        item, image = found
        variant = item.variant(r.g_version) if r.g_version else None  # type: ignore[arg-type]
        grouped[key] = GuardItem(
            key=f"{r.model}|{r.item_id}-{r.g_version}" if r.g_version else f"{r.model}|{r.item_id}",
            item_id=r.item_id,
            g_version=r.g_version,
            subset=r.subset,
            domain=r.domain,
            category=r.category,
            strategy=r.strategy,
            image_kind=r.image_kind,
            is_harmful=r.is_harmful,
            language=r.language,
            text=r.text,
            text_only=variant.text_only if variant else item.text_only,
            image=None if text_only_run else paths.path(image),
            response=r.response,
            model=r.model,
            human_verdict=labels.get(key) or labels.get(f"{r.model}|{r.item_id}|"),
            benign_kind=item.benign_kind,
        )
    if not grouped:
        raise KsafeError(f"{run_dir / 'responses.jsonl'}: no answered item to classify")
    return (
        bench.name,
        bench.culture,
        [dataclasses.replace(item, judge_verdicts=verdicts[k]) for k, item in grouped.items()],
    )


def filter_responses(items: Sequence[GuardItem], item_filter: ItemFilter) -> list[GuardItem]:
    """Answers that pass ``item_filter`` (subset, domain, category, strategy, image kind, harmful), then its
    seeded sample of answers. G versions are the eval run's: ``g_versions`` does not apply.

    Raises:
        KsafeError: no answer passes.
    """
    import random

    f = item_filter
    checks = (
        (f.subsets, "subset"),
        (f.domains, "domain"),
        (f.categories, "category"),
        (f.strategies, "strategy"),
        (f.image_kinds, "image_kind"),
    )
    kept = [
        item
        for item in items
        if all(not allowed or getattr(item, name) in allowed for allowed, name in checks)
        and (f.harmful is None or item.is_harmful == f.harmful)
    ]
    if f.sample_size is not None and f.sample_size < len(kept):
        chosen = set(random.Random(f.seed).sample(range(len(kept)), f.sample_size))
        kept = [item for index, item in enumerate(kept) if index in chosen]
    if not kept:
        raise KsafeError("--responses: no answer passes the filters")
    return kept
