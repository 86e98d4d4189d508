"""The Inspect task ``ksafe_mm``: a built benchmark evaluated with swappable judges.

Input: a benchmark directory or parquet file and filter options (all task arguments are plain
strings, numbers or booleans so ``inspect eval ksafe/ksafe_mm -T key=value`` works). Output: an
Inspect ``Task`` with one single-turn sample per item (and per G version), ``generate()`` as the
solver, and one scorer per judge. Side effects: reads the benchmark (see ``dataset``).
"""

from __future__ import annotations

from inspect_ai import Epochs, Task, task
from inspect_ai.solver import generate

from ksafe.errors import KsafeError
from ksafe.evaluation.dataset import ItemFilter, load_benchmark, parse_choice, parse_g_versions, select_items
from ksafe.evaluation.judges import build_judges, refusal_phrases
from ksafe.evaluation.samples import build_dataset


def _harmful_filter(harmful: str | bool | None) -> bool | None:
    if harmful is None or harmful in ("", "all", "both"):
        return None
    if isinstance(harmful, bool):
        return harmful
    if harmful in ("harmful", "true", "True", "1"):
        return True
    if harmful in ("benign", "false", "False", "0"):
        return False
    raise KsafeError(f"harmful: {harmful!r}: expected harmful, benign or all")


@task(name="ksafe_mm")
def ksafe_mm(
    benchmark: str,
    subset: str | None = None,
    domain: str | None = None,
    category: str | None = None,
    strategy: str | None = None,
    image_kind: str | None = None,
    harmful: str | None = None,
    g_version: str = "contextualized",
    sample_size: int | None = None,
    seed: int = 0,
    text_only: bool = False,
    judges: str = "heuristic",
    rubric_language: str = "en",
    pack: str | None = None,
) -> Task:
    """Evaluate a vision-language model on a ksafe benchmark.

    Args:
        benchmark: Benchmark directory (``items.jsonl`` + ``images/``) or a parquet file.
        subset: ``G``, ``C`` or both (comma-separated lists are accepted for every filter).
        domain: Domain ids to keep.
        category: Category ids to keep.
        strategy: Jailbreak strategies to keep (``none`` is the standard query).
        image_kind: Image kinds to keep (``typography``, ``scene_chat``...).
        harmful: ``harmful``, ``benign`` or ``all``.
        g_version: G versions: ``source_en``, ``literal``, ``contextualized`` (comma list) or ``all``.
        sample_size: Seeded random sample of this many items after filtering.
        seed: Seed of the sample.
        text_only: Text-only ablation: the key phrase in text instead of the image.
        judges: Comma list of judges: ``heuristic`` and/or model roles (``judge``, ``judge_2``...)
            bound with ``--model-role judge=<model>``.
        rubric_language: LLM judge rubric language: ``en`` or ``item``.
        pack: Culture pack (code or folder) whose ``refusals.yaml`` the heuristic judge reads
            (default: the benchmark's culture).
    """
    loaded = load_benchmark(benchmark)
    item_filter = ItemFilter(
        subsets=parse_choice(subset),
        domains=parse_choice(domain),
        categories=parse_choice(category),
        strategies=parse_choice(strategy),
        image_kinds=parse_choice(image_kind),
        harmful=_harmful_filter(harmful),
        g_versions=parse_g_versions(g_version),
        sample_size=None if sample_size in (None, "") else int(sample_size),
        seed=int(seed),
    )
    items = select_items(loaded.items, item_filter)
    if not items:
        raise KsafeError(f"benchmark: {benchmark}: no item matches the filters")
    judge_specs = parse_choice(judges) or ("heuristic",)
    if rubric_language not in ("en", "item"):
        raise KsafeError(f"rubric_language: {rubric_language!r}: expected en or item")
    if "heuristic" in judge_specs:  # a missing pack must fail before any model is called
        for language in sorted({i.language for i in items} | {"en"}):
            refusal_phrases(pack or loaded.culture, language)
    return Task(
        dataset=build_dataset(items, loaded.root, item_filter.g_versions, bool(text_only), name=loaded.name),
        solver=generate(),
        # verdicts are strings: the default mean reducer would warn once per score
        epochs=Epochs(1, "mode"),
        scorer=build_judges(judge_specs, rubric_language, pack=pack),
        metadata={
            "benchmark": loaded.name,
            "culture": loaded.culture,
            "judges": list(judge_specs),
            "text_only": bool(text_only),
        },
    )
