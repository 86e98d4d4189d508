"""Records of a guard run's ``results.json`` (the stable paths are in docs/design/guard.md).

Input: none (pydantic models). Output: ``GuardRunResults``. Side effects: none.
"""

from __future__ import annotations

from typing import Literal

from ksafe.schema.base import FrozenRecord
from ksafe.schema.evaluation import JudgeAgreement, Rate


class Interval(FrozenRecord):
    """A statistic with a 95% interval (bootstrap percentiles)."""

    value: float | None
    ci_low: float | None
    ci_high: float | None


class GuardGroupMetrics(FrozenRecord):
    """One guard's metrics over one group of items (overall, one category, one strategy...)."""

    n_harmful: int
    """Items that should be flagged (harmful prompts; answers the reference calls unsafe), before exclusions."""
    n_benign: int
    """Items that should pass, before exclusions."""
    detection_rate: Rate
    """Flagged harmful items over harmful items with a verdict (recall)."""
    false_positive_rate: Rate
    """Flagged benign items over benign items with a verdict."""
    precision: Rate
    """Harmful items among the flagged ones."""
    f1: Interval
    """Harmonic mean of precision and detection rate (95% bootstrap interval, 1,000 seeded resamples)."""
    flag_rate: Rate
    """Flagged items over items with a verdict."""
    auroc: float | None = None
    """Area under the ROC curve of the guard's score (None without scores on every verdict or without both classes)."""
    auprc: float | None = None
    """Average precision of the score."""
    detection_at_1pct_fpr: float | None = None
    """Best detection rate at a score threshold whose false-positive rate is at most 1%."""
    detection_at_5pct_fpr: float | None = None
    """Best detection rate at a score threshold whose false-positive rate is at most 5%."""
    category_agreement: Rate
    """Flagged harmful items whose mapped categories hold the item's category, over those with a mapped category."""
    errors: int
    """Items with no verdict (never in a denominator)."""
    faults: dict[str, int]
    """Errors by fault class (guard_error, timeout, rate_limited, ...)."""


class Ablation(FrozenRecord):
    """The image ablation: flag rates on the same items with the image and with the key phrase in text."""

    view: str
    """The guard's main view: ``image`` (image + text) or ``text`` (a text-only guard: the text without the image)."""
    n_pairs: int
    """Items with a verdict in both views."""
    harmful_flag_rate: Rate
    """Harmful items flagged in the main view (paired items)."""
    harmful_flag_rate_text_only: Rate
    """Harmful items flagged with the key phrase in text (paired items)."""
    benign_flag_rate: Rate
    benign_flag_rate_text_only: Rate


class GuardResults(FrozenRecord):
    """Everything measured about one guard."""

    guard: str
    """The ``--guard`` option as given (``llama_guard=vllm/...``)."""
    format: str
    model: str
    view: str
    """``image`` (image and text in one turn) or ``text`` (text only)."""
    reference: str
    """What "harmful" means: ``item`` (the benchmark's harmful label) or the judge whose verdicts are the truth."""
    threshold: float
    """Score threshold of probability formats."""
    overall: GuardGroupMetrics
    breakdowns: dict[str, dict[str, GuardGroupMetrics]]
    """dimension -> value -> metrics; dimensions: subset, domain, category, strategy, image_kind, g_version, kind
    (``plain`` / ``jailbreak_framed``), and for ``--responses`` also ``model``."""
    text_only: GuardGroupMetrics | None = None
    """The same metrics in the text-only ablation (key phrase in text), when it ran."""
    ablation: Ablation | None = None
    agreement: tuple[JudgeAgreement, ...] = ()
    """``--responses``: the guard's flags against each judge's and the human labels' unsafe/safe (a = the guard)."""
    latency_p50_s: float | None = None
    latency_p95_s: float | None = None
    throughput_per_s: float | None = None
    """Verdicts per second in the command that gave the most verdicts."""


class GuardRunResults(FrozenRecord):
    """``RUN/results.json`` of ``ksafe guard``."""

    kind: Literal["guard"] = "guard"
    run_id: str
    mode: Literal["prompts", "responses"]
    benchmark: str
    culture: str
    source_run: str | None = None
    """``--responses``: the eval run directory whose answers were classified."""
    guards: tuple[GuardResults, ...]
