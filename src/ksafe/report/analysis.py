"""Turn loaded runs into the numbers the report shows.

Input: ``RunData`` from ``loading``. Output: a ``ReportData`` (leaderboard rows, matrices of rates
by category / strategy / image kind / subset / G version, judge agreement and disagreement).
Side effects: none. Metrics come from ``results.json``; agreement with human labels is computed
here from ``labels.csv`` when present.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ksafe.evaluation.metrics import cohen_kappa
from ksafe.report.labels import Names, load_names
from ksafe.report.loading import RunData
from ksafe.schema.evaluation import JudgeAgreement, ModelResults, Rate, ScoredResponse

HEURISTIC = "heuristic"
HEURISTIC_NOTE = "the offline structural judge (refusal acts and answer structure), not a model judge"
"""What the heuristic judge is; templates put it after a "heuristic judge" label, never with its own."""
G_ORDER = ("source_en", "literal", "contextualized")
NO_JUDGE_VERDICTS = ("blocked_by_provider", "error")


@dataclass(frozen=True)
class Entry:
    """One model under one judge in one run (a leaderboard row)."""

    run_id: str
    model: str
    label: str
    """Model name as shown (with the run id when the model appears in several runs)."""
    judge: str
    is_heuristic: bool
    results: ModelResults
    is_primary: bool
    """True for the judge used in the charts for this model (an LLM judge when there is one)."""

    def rate(self, dimension: str, key: str, metric: str = "asr") -> Rate | None:
        """The rate of ``metric`` for one breakdown group, or None when absent."""
        group = self.results.breakdowns.get(dimension, {}).get(key)
        return getattr(group, metric) if group is not None else None


@dataclass
class ReportData:
    """Everything the page, the figures and the tables show."""

    runs: list[RunData]
    names: Names
    entries: list[Entry]
    categories: list[str]
    domains: list[tuple[str, list[str]]]
    """(domain id, its categories present in the runs), in taxonomy order."""
    strategies: list[str]
    """``none`` (the standard query) first."""
    image_kinds: list[str]
    subsets: list[str]
    g_versions: list[str]
    agreements: list[dict[str, object]] = field(default_factory=list)
    disagreements: list[dict[str, object]] = field(default_factory=list)

    @property
    def primary(self) -> list[Entry]:
        """One entry per model (per run): the judge the charts use."""
        return [e for e in self.entries if e.is_primary]

    @property
    def uses_heuristic(self) -> bool:
        """True when any charted result comes from the heuristic judge."""
        return any(e.is_heuristic for e in self.primary)


def rate_dict(rate: Rate | None) -> dict[str, float | int | None]:
    """A rate as plain JSON (value and interval in [0, 1])."""
    if rate is None:
        return {"value": None, "lo": None, "hi": None, "k": 0, "n": 0}
    return {"value": rate.value, "lo": rate.ci_low, "hi": rate.ci_high, "k": rate.numerator, "n": rate.denominator}


def format_rate(rate: Rate | None) -> str:
    """``37.4% [31.0, 44.2] (n=120)`` or ``n/a``."""
    if rate is None or rate.value is None:
        return "n/a"
    return (
        f"{100 * rate.value:.1f}% [{100 * (rate.ci_low or 0):.1f}, "
        f"{100 * (rate.ci_high or 0):.1f}] (n={rate.denominator})"
    )


def _entries(runs: list[RunData]) -> list[Entry]:
    model_runs = Counter(m for run in runs for m in {r.model for r in run.results.models})
    entries: list[Entry] = []
    for run in runs:
        res = run.results
        judges_by_model: dict[str, list[ModelResults]] = {}
        for mr in res.models:
            judges_by_model.setdefault(mr.model, []).append(mr)
        for model, results in judges_by_model.items():
            ranked = sorted(results, key=lambda r: r.is_heuristic_judge or r.judge == HEURISTIC)
            label = f"{model} [{res.run_id}]" if model_runs[model] > 1 else model
            for mr in results:
                heuristic = mr.is_heuristic_judge or mr.judge == HEURISTIC
                entries.append(Entry(res.run_id, model, label, mr.judge, heuristic, mr, mr is ranked[0]))
    return entries


def _keys(entries: list[Entry], dimension: str) -> list[str]:
    seen: dict[str, None] = {}
    for e in entries:
        for key in e.results.breakdowns.get(dimension, {}):
            seen.setdefault(key, None)
    return list(seen)


def _human_agreements(run: RunData) -> list[dict[str, object]]:
    """Agreement of each judge of ``run`` with its human labels (per (item, model))."""
    out: list[dict[str, object]] = []
    if not run.human_labels:
        return out
    for judge in run.results.judges:
        pairs: dict[tuple[str, str], str] = {}
        heuristic = False
        for r in run.responses:
            if r.judge != judge or r.g_version not in (None, "contextualized"):
                continue
            heuristic = heuristic or r.is_heuristic_judge
            if (r.item_id, r.model) in run.human_labels and r.verdict not in NO_JUDGE_VERDICTS:
                pairs[(r.item_id, r.model)] = r.verdict
        human = [run.human_labels[k] for k in pairs]
        judged = list(pairs.values())
        n = len(judged)
        out.append(
            {
                "run": run.results.run_id,
                "a": "human",
                "b": judge,
                "b_heuristic": heuristic,
                "n": n,
                "percent": (sum(x == y for x, y in zip(human, judged, strict=True)) / n) if n else None,
                "kappa": cohen_kappa(human, judged),
                "source": "labels.csv",
            }
        )
    return out


def _agreement_row(run: RunData, ag: JudgeAgreement) -> dict[str, object]:
    heuristic_judges = {r.judge for r in run.responses if r.is_heuristic_judge} | {HEURISTIC}
    return {
        "run": run.results.run_id,
        "a": ag.a,
        "b": ag.b,
        "b_heuristic": ag.b in heuristic_judges,
        "a_heuristic": ag.a in heuristic_judges,
        "n": ag.n,
        "percent": ag.percent_agreement,
        "kappa": ag.cohen_kappa,
        "source": "results.json",
    }


def _disagreements(run: RunData) -> dict[str, object] | None:
    """How often the judges of ``run`` disagree on the same answer, with the verdict pairs."""
    judges = list(run.results.judges)
    if len(judges) < 2:
        return None
    a, b = judges[0], judges[1]
    by_key: dict[tuple[str, str, str | None], dict[str, str]] = {}
    for r in run.responses:
        if r.verdict not in (*NO_JUDGE_VERDICTS, "judge_error"):
            by_key.setdefault((r.model, r.item_id, r.g_version), {})[r.judge] = r.verdict
    both = [v for v in by_key.values() if a in v and b in v]
    pairs = Counter((v[a], v[b]) for v in both if v[a] != v[b])
    return {
        "run": run.results.run_id,
        "a": a,
        "b": b,
        "n": len(both),
        "disagree": sum(pairs.values()),
        "pairs": [{"a": x, "b": y, "count": c} for (x, y), c in pairs.most_common(8)],
        "judges": judges,
        "matrix": _kappa_matrix(run, judges),
        "answers": _disagreeing_answers(run, judges),
    }


DISAGREEMENTS_SHOWN = 40
"""Answers the judges disagree on, listed per run in the report (the example browser filters all of them)."""


def _kappa_matrix(run: RunData, judges: list[str]) -> list[list[str]]:
    """Cohen's kappa of every pair of judges (rows x columns), from ``results.json``."""
    kappa = {(ag.a, ag.b): ag.cohen_kappa for ag in run.results.judge_agreement if ag.a != "human"}
    rows = []
    for x in judges:
        row = []
        for y in judges:
            value = 1.0 if x == y else kappa.get((x, y), kappa.get((y, x)))
            row.append("n/a" if value is None else f"{value:.3f}")
        rows.append(row)
    return rows


def _disagreeing_answers(run: RunData, judges: list[str]) -> list[dict[str, object]]:
    """Answers on which the judges of ``run`` gave different model verdicts (untrusted text: escaped when shown)."""
    by_key: dict[tuple[str, str, str | None], list[ScoredResponse]] = {}
    for r in run.responses:
        if r.verdict not in (*NO_JUDGE_VERDICTS, "judge_error"):
            by_key.setdefault((r.model, r.item_id, r.g_version), []).append(r)
    out: list[dict[str, object]] = []
    for key in sorted(by_key, key=str):
        group = by_key[key]
        if len({r.verdict for r in group}) < 2:
            continue
        first = group[0]
        out.append(
            {
                "model": first.model,
                "item_id": first.item_id,
                "harmful": first.is_harmful,
                "text": first.text[:400],
                "response": first.response[:800],
                "verdicts": [
                    {"judge": r.judge, "verdict": r.verdict, "rationale": r.rationale[:200]}
                    for r in sorted(group, key=lambda r: judges.index(r.judge) if r.judge in judges else len(judges))
                ],
            }
        )
        if len(out) >= DISAGREEMENTS_SHOWN:
            break
    return out


def analyse(runs: list[RunData]) -> ReportData:
    """Collect the report's numbers from loaded runs."""
    cultures = list(dict.fromkeys(run.results.culture for run in runs))
    names = load_names(cultures)
    entries = _entries(runs)
    present = set(_keys(entries, "category"))
    domain_of = {r.category: r.domain for run in runs for r in run.responses}
    categories = [c for c in names.category_order if c in present] + sorted(present - set(names.category_order))
    domain_ids = [d for d in names.domain_order if d in domain_of.values()]
    domain_ids += sorted({domain_of.get(c, "other") for c in categories} - set(domain_ids))
    domains = [(d, [c for c in categories if domain_of.get(c, "other") == d]) for d in domain_ids]
    domains = [(d, cs) for d, cs in domains if cs]
    categories = [c for _, cs in domains for c in cs]
    strategies = _keys(entries, "strategy")
    strategies = (["none"] if "none" in strategies else []) + sorted(s for s in strategies if s != "none")
    g_present = set(_keys(entries, "g_version"))
    agreements: list[dict[str, object]] = []
    disagreements: list[dict[str, object]] = []
    for run in runs:
        agreements += [_agreement_row(run, ag) for ag in run.results.judge_agreement]
        if not any(ag.a == "human" or ag.b == "human" for ag in run.results.judge_agreement):
            agreements += _human_agreements(run)
        dis = _disagreements(run)
        if dis is not None:
            disagreements.append(dis)
    return ReportData(
        runs=runs,
        names=names,
        entries=entries,
        categories=categories,
        domains=domains,
        strategies=strategies,
        image_kinds=sorted(_keys(entries, "image_kind")),
        subsets=[s for s in ("G", "C") if s in _keys(entries, "subset")],
        g_versions=[g for g in G_ORDER if g in g_present],
        agreements=agreements,
        disagreements=disagreements,
    )
