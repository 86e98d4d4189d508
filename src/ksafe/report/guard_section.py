"""The report's guard section: guard runs (``ksafe guard``) beside eval runs (``ksafe eval``).

Input: guard run directories (``run.json`` with ``"kind": "guard"``, ``results.json``, ``verdicts.jsonl``)
and the report's eval runs. Output: an HTML fragment (leaderboard, detection-rate heatmap per
category, ROC curves where the guard gives scores, the image ablation, guard against judge agreement)
and ``Table`` records for the report's files. Side effects: reads files only. Every name reaches the
page through jinja's autoescape; the ROC curves are inline SVG of numbers only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pydantic import ValidationError

from ksafe.errors import KsafeError
from ksafe.report.loading import RunData
from ksafe.report.tables import Table
from ksafe.schema.evaluation import Rate

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
UNSAFE = ("harmful_compliance", "partial_compliance")


def is_guard_run(path: Path) -> bool:
    """Whether ``path`` was written by ``ksafe guard`` (its ``run.json`` says so)."""
    file = path / "run.json"
    if not file.is_file():
        return False
    try:
        return json.loads(file.read_text(encoding="utf-8")).get("kind") == "guard"
    except (ValueError, AttributeError):
        return False


@dataclass(frozen=True)
class GuardRun:
    """One guard run directory, loaded."""

    path: Path
    results: Any
    """``GuardRunResults``."""
    verdicts: list[dict[str, Any]]
    """``verdicts.jsonl`` rows."""


def load_guard_run(path: Path) -> GuardRun:
    """Read a guard run directory.

    Raises:
        KsafeError: ``results.json`` or ``verdicts.jsonl`` is missing or invalid.
    """
    from ksafe.guard.results import GuardRunResults

    file = path / "results.json"
    if not file.exists():
        raise KsafeError(f"{file}: missing (run `ksafe guard` again to finish it)")
    try:
        results = GuardRunResults.model_validate_json(file.read_text(encoding="utf-8"))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise KsafeError(f"{file}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None
    rows = []
    verdicts = path / "verdicts.jsonl"
    if verdicts.exists():
        for number, line in enumerate(verdicts.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    raise KsafeError(f"{verdicts}:{number}: not a JSON line") from None
    return GuardRun(path, results, rows)


def _pct(rate: Rate | None) -> str:
    if rate is None or rate.value is None:
        return "n/a"
    return f"{100 * rate.value:.1f}% [{100 * (rate.ci_low or 0):.1f}, {100 * (rate.ci_high or 0):.1f}]"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _roc_svg(curves: list[tuple[int, list[tuple[float, float]]]]) -> Markup:
    """ROC curves as an inline SVG (false-positive rate on x, detection rate on y; numbers only)."""
    size, pad = 260, 30
    parts = [
        f'<svg class="roc" width="{size + 2 * pad}" height="{size + 2 * pad}" viewBox="0 0 {size + 2 * pad} '
        f'{size + 2 * pad}" role="img" aria-label="ROC curves">',
        f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="none" stroke="#888"/>',
        f'<line x1="{pad}" y1="{pad + size}" x2="{pad + size}" y2="{pad}" stroke="#ccc" stroke-dasharray="4 3"/>',
    ]
    for tick in (0, 0.5, 1):
        x, y = pad + tick * size, pad + size - tick * size
        parts.append(f'<text x="{x:.0f}" y="{pad + size + 14}" font-size="10" text-anchor="middle">{tick:g}</text>')
        parts.append(f'<text x="{pad - 4}" y="{y + 3:.0f}" font-size="10" text-anchor="end">{tick:g}</text>')
    for index, points in curves:
        path = " ".join(f"{pad + fpr * size:.1f},{pad + size - tpr * size:.1f}" for fpr, tpr in points)
        parts.append(f'<polyline fill="none" stroke-width="2" stroke="{COLORS[index % len(COLORS)]}" points="{path}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _roc_points(rows: list[dict[str, Any]]) -> list[tuple[float, float]] | None:
    from ksafe.guard.metrics import roc_points

    scored = [r for r in rows if r.get("flagged") is not None and r.get("truth") is not None]
    if not scored or any(r.get("score") is None for r in scored):
        return None
    truths = [bool(r["truth"]) for r in scored]
    if all(truths) or not any(truths):
        return None
    return [(fpr, tpr) for _, fpr, tpr in roc_points([float(r["score"]) for r in scored], truths)] + [(1.0, 1.0)]


def _blocked_attacks(run: GuardRun, evals: list[RunData]) -> list[dict[str, Any]]:
    """Prompt-mode guards against eval judges: of the attacks a judge found successful, how many the guard flags."""
    if run.results.mode != "prompts":
        return []
    rows = []
    for guard in run.results.guards:
        flags = {
            (r["item_id"], r.get("g_version")): r["flagged"]
            for r in run.verdicts
            if r["guard"] == guard.guard and r["view"] == guard.view and r.get("flagged") is not None
        }
        for ev in evals:
            pairs: dict[tuple[str, str], list[bool]] = {}
            for resp in ev.responses:
                flag = flags.get((resp.item_id, resp.g_version))
                if resp.is_harmful and resp.verdict in UNSAFE and flag is not None:
                    pairs.setdefault((resp.model, resp.judge), []).append(flag)
            for (model, judge), found in sorted(pairs.items()):
                rows.append(
                    {
                        "guard": guard.guard,
                        "model": model,
                        "judge": judge,
                        "n": len(found),
                        "flagged": sum(found),
                        "rate": f"{100 * sum(found) / len(found):.1f}%",
                    }
                )
    return rows


def _kind_rate(kinds: dict[str, Any], kind: str, harmful: bool) -> str:
    """Detection (harmful) or false-positive rate (benign) of one ``kind`` group, ``n/a`` when absent."""
    m = kinds.get(kind)
    if m is None:
        return "n/a"
    return _pct(m.detection_rate if harmful else m.false_positive_rate)


def guard_section(
    guard_runs: list[GuardRun], evals: list[RunData], categories: list[str], category_label: Any
) -> tuple[Markup, list[Table]]:
    """The section's HTML and its tables (empty when there is no guard run)."""
    if not guard_runs:
        return Markup(""), []
    import jinja2

    leaderboard, ablation, agreement, curves, legend, blocked = [], [], [], [], [], []
    by_kind: list[list[str]] = []
    cats = list(categories)
    for run in guard_runs:
        for guard in run.results.guards:
            for c in guard.breakdowns.get("category", {}):
                if c not in cats:
                    cats.append(c)
    heat_rows = []
    index = 0
    for run in guard_runs:
        res = run.results
        for g in res.guards:
            o = g.overall
            mode = "answers" if res.mode == "responses" else "prompts"
            leaderboard.append(
                [
                    g.guard,
                    mode,
                    g.view,
                    g.reference,
                    _pct(o.detection_rate),
                    _pct(o.false_positive_rate),
                    _pct(o.precision),
                    _num(o.f1.value),
                    _num(o.auroc),
                    _num(o.detection_at_5pct_fpr),
                    _pct(o.category_agreement),
                    str(o.errors),
                    _num(g.latency_p50_s),
                ]
            )
            kinds = g.breakdowns.get("kind", {})

            by_kind.append(
                [
                    g.guard,
                    mode,
                    _kind_rate(kinds, "plain", True),
                    _kind_rate(kinds, "jailbreak_framed", True),
                    _kind_rate(kinds, "plain", False),
                    _kind_rate(kinds, "borderline", False),
                    _kind_rate(kinds, "jailbreak_framed", False),
                ]
            )
            cells = []
            for c in cats:
                m = g.breakdowns.get("category", {}).get(c)
                value = m.detection_rate.value if m is not None else None
                style = (
                    ""
                    if value is None
                    else f"background:rgba(30,120,60,{0.08 + 0.85 * value:.2f});"
                    + ("color:#fff" if value > 0.6 else "color:#111")
                )
                cells.append({"text": "n/a" if value is None else f"{100 * value:.0f}", "style": style})
            heat_rows.append({"label": f"{g.guard} ({mode}, {g.view})", "cells": cells})
            if g.ablation is not None:
                a = g.ablation
                ablation.append(
                    [
                        g.guard,
                        a.view,
                        str(a.n_pairs),
                        _pct(a.harmful_flag_rate),
                        _pct(a.harmful_flag_rate_text_only),
                        _pct(a.benign_flag_rate),
                        _pct(a.benign_flag_rate_text_only),
                    ]
                )
            for ag in g.agreement:
                agreement.append([ag.a, ag.b, str(ag.n), _num(ag.percent_agreement), _num(ag.cohen_kappa)])
            points = _roc_points([r for r in run.verdicts if r["guard"] == g.guard and r["view"] == g.view])
            if points is not None:
                curves.append((index, points))
                legend.append(
                    {
                        "label": f"{g.guard} ({mode})",
                        "color": COLORS[index % len(COLORS)],
                        "auroc": _num(g.overall.auroc),
                    }
                )
                index += 1
        blocked += _blocked_attacks(run, evals)
    tables = [
        Table(
            "guard_leaderboard",
            "Guard leaderboard",
            [
                "Guard",
                "Classifies",
                "View",
                "Truth",
                "Detection",
                "False positives",
                "Precision",
                "F1",
                "AUROC",
                "Detection at 5% FPR",
                "Category agreement",
                "Errors",
                "Latency p50 (s)",
            ],
            leaderboard,
        ),
        Table(
            "guard_kinds",
            "Guard results by kind of item",
            [
                "Guard",
                "Classifies",
                "Detection, plain harmful",
                "Detection, jailbreak-framed harmful",
                "False positives, plain benign",
                "False positives, borderline benign",
                "False positives, jailbreak-framed benign",
            ],
            by_kind,
        ),
        Table(
            "guard_ablation",
            "Guard image ablation",
            [
                "Guard",
                "View",
                "Items",
                "Harmful flagged",
                "Harmful flagged, text only",
                "Benign flagged",
                "Benign flagged, text only",
            ],
            ablation,
        ),
    ]
    if agreement:
        tables.append(
            Table(
                "guard_agreement",
                "Guard against judges and humans",
                ["Guard", "Against", "n", "Agreement", "Cohen's kappa"],
                agreement,
            )
        )
    if blocked:
        tables.append(
            Table(
                "guard_blocked_attacks",
                "Successful attacks the guard flags",
                ["Guard", "Target model", "Judge", "Successful attacks", "Flagged", "Flagged %"],
                [[b["guard"], b["model"], b["judge"], str(b["n"]), str(b["flagged"]), b["rate"]] for b in blocked],
            )
        )
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ksafe.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    html = env.get_template("guard.html.j2").render(
        tables={t.name: t for t in tables},
        heat={"categories": [category_label(c) for c in cats], "rows": heat_rows},
        roc=_roc_svg(curves) if curves else None,
        legend=legend,
    )
    return Markup(html), tables
