"""Records for evaluation runs: responses, verdicts and metrics (the run directory's contract).

A run directory holds ``responses.jsonl`` (one ``ScoredResponse`` per model x item x judge),
``results.json`` (a ``RunResults``), CSV tables and Inspect logs. ``ksafe report`` reads only
these files. See ``docs/design/run-directory.md``.
"""

from __future__ import annotations

from typing import Literal

from ksafe.schema.base import FrozenRecord

Verdict = Literal[
    "refused",
    "safe_completion",
    "harmful_compliance",
    "partial_compliance",
    "misunderstood",
    "blocked_by_provider",
    "error",
    "judge_error",
]
"""Judge verdicts. The last three are not the model's choice and stay out of denominators."""

MODEL_VERDICTS: tuple[Verdict, ...] = (
    "refused",
    "safe_completion",
    "harmful_compliance",
    "partial_compliance",
    "misunderstood",
)
"""Verdicts that describe what the model chose to do."""

NON_MODEL_VERDICTS: tuple[Verdict, ...] = ("blocked_by_provider", "error", "judge_error")
"""Verdicts kept out of every denominator and shown as counts."""


class ScoredResponse(FrozenRecord):
    """One model's answer to one item, with one judge's verdict."""

    run_id: str
    """Id of the run directory."""
    model: str
    """Inspect model string of the target."""
    judge: str
    """Judge name (``heuristic`` or an Inspect model string)."""
    is_heuristic_judge: bool
    """True when the verdict came from the offline refusal-phrase heuristic."""
    item_id: str
    """BenchmarkItem id."""
    culture: str
    """Culture pack code."""
    language: str
    """Language of the text sent."""
    subset: str
    """G or C."""
    domain: str
    """Domain id."""
    category: str
    """Category id."""
    strategy: str
    """Jailbreak strategy (``none`` for the standard query)."""
    image_kind: str
    """Image renderer, or ``text_only`` in the text-only ablation."""
    g_version: str | None = None
    """G version evaluated, if any."""
    is_harmful: bool
    """Whether the item is a harmful request or a benign twin."""
    benign_kind: str | None = None
    """For benign items: ``plain``, ``borderline`` or ``jailbreak`` (each its own over-refusal figure)."""
    minors: bool = False
    """The item involves children or teenagers (reported apart in the ``minors`` breakdown)."""
    text: str
    """The text sent to the model."""
    response: str
    """The model's answer (untrusted text: escape wherever shown)."""
    stop_reason: str = ""
    """Provider's finish reason."""
    verdict: Verdict
    """The judge's verdict."""
    rationale: str = ""
    """The judge's short explanation."""


class Rate(FrozenRecord):
    """A proportion with its 95% Wilson confidence interval."""

    value: float | None
    """numerator / denominator, or None when the denominator is 0."""
    ci_low: float | None
    """Lower bound of the 95% interval."""
    ci_high: float | None
    """Upper bound of the 95% interval."""
    numerator: int
    """Count of the event."""
    denominator: int
    """Count of eligible items."""


class GroupMetrics(FrozenRecord):
    """Metrics over one group of responses (overall, or one category, strategy...)."""

    asr: Rate
    """Attack success rate: harmful (and, if configured, partial) compliance over answered harmful items."""
    over_refusal: Rate
    """Refusals over answered benign items."""
    misunderstood_rate: Rate
    """Misunderstood over all answered items."""
    n_harmful: int
    """Harmful items in the group (before exclusions)."""
    n_benign: int
    """Benign items in the group (before exclusions)."""
    blocked_by_provider: int
    """Responses blocked by the provider's content filter."""
    errors: int
    """Responses that failed (including judge errors)."""
    verdict_counts: dict[str, int]
    """Count of each verdict."""


NO_RATE = Rate(value=None, ci_low=None, ci_high=None, numerator=0, denominator=0)
"""A rate with nothing to count (no eligible item)."""


class OverRefusal(FrozenRecord):
    """Over-refusal of one model under one judge on each kind of benign item, counted apart (issue 11 part 4).

    Refusing a benign request inside a jailbreak wrapper is arguably right, so the three are never mixed.
    Each is ``breakdowns["benign_kind"][kind].over_refusal``; ``n/a`` (denominator 0) where the run had none.
    """

    plain: Rate = NO_RATE
    """Plain benign twins: the harmful item's topic asked as a safe request, no jailbreak (strategy ``none``)."""
    borderline: Rate = NO_RATE
    """Borderline benign requests: safe questions that use alarming words (XSTest-style)."""
    jailbreak: Rate = NO_RATE
    """Benign twins inside a jailbreak wrapper (over-refusal under jailbreak framing)."""


class ModelResults(FrozenRecord):
    """All metrics of one model under one judge."""

    model: str
    """Inspect model string."""
    judge: str
    """Judge name."""
    is_heuristic_judge: bool
    """True when made with the heuristic judge: label it wherever shown."""
    overall: GroupMetrics
    """Metrics over every item, each counted once: a G item evaluated in several versions (``--g-version
    all``) counts at its most localized one (contextualized > literal > source_en)."""
    breakdowns: dict[str, dict[str, GroupMetrics]]
    """Keyed by dimension (subset, domain, category, strategy, image_kind, g_version), then value. Items
    are counted once as in ``overall``, except under ``g_version``, which holds every evaluated version."""
    over_refusal: OverRefusal = OverRefusal()
    """The three over-refusal figures: ``models[].over_refusal.plain``, ``.borderline`` and ``.jailbreak``."""


class JudgeAgreement(FrozenRecord):
    """Agreement between two judges, or a judge and human labels."""

    a: str
    """First judge (or ``human``)."""
    b: str
    """Second judge."""
    n: int
    """Responses compared."""
    percent_agreement: float | None
    """Share of identical verdicts."""
    cohen_kappa: float | None
    """Cohen's kappa."""


class JudgeQuality(FrozenRecord):
    """A judge's agreement with the human verdicts of a labelled judge set (``ksafe judge check``)."""

    judge: str
    """Judge name (``heuristic`` or an Inspect model string)."""
    is_heuristic_judge: bool
    """True for the offline judge."""
    judge_set: str
    """The labelled set (``builtin`` or its path)."""
    split: str
    """``heldout``, ``dev`` or ``all``: held-out answers were never read while tuning the offline judge."""
    scope: str
    """``overall``; ``language:ko``; ``language:ko:harmful`` / ``language:ko:benign``; ``verdict:refused``."""
    measure: str
    """``verdict``: the exact verdict (accuracy; kappa over the five model verdicts). ``binary``: harmful items
    complied (harmful or partial) or not, benign items refused or not. ``recall``: share of the answers whose
    human verdict is the scope's verdict that got it (kappa one-vs-rest over the whole split)."""
    n: int
    """Answers in the scope."""
    accuracy: float | None
    """Share the judge got right."""
    cohen_kappa: float | None
    """Cohen's kappa against the human verdicts (None when undefined)."""


class RunResults(FrozenRecord):
    """``results.json``: the stable summary of a run."""

    schema_version: str
    """Version of this format."""
    run_id: str
    """Id of the run."""
    benchmark: str
    """Benchmark name or path evaluated."""
    culture: str
    """Culture pack code."""
    count_partial_as_success: bool
    """Whether partial compliance counts toward ASR."""
    judges: tuple[str, ...]
    """Judges used."""
    models: tuple[ModelResults, ...]
    """One entry per model x judge."""
    judge_agreement: tuple[JudgeAgreement, ...] = ()
    """Pairwise agreement between judges (and with human labels when given)."""
    judge_quality: tuple[JudgeQuality, ...] = ()
    """Each judge's agreement with a labelled judge set (the offline judge's on the built-in held-out split,
    measured at every build of this file; an LLM judge's when recorded by ``ksafe judge check --record``)."""
