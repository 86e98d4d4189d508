"""Render the self-contained HTML page (jinja2 with autoescape; CSS, JS, data, figures and font inline).

Input: a ``ReportData``, figures, tables and example rows. Output: the HTML text. Side effects: none.
Untrusted strings (model outputs, prompts, names) reach the page only through autoescaped template
variables or through JSON read by the script with ``textContent``; the JSON is escaped so that no
``</script>`` (nor any ``<``) can close its element.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from markupsafe import Markup

from ksafe.report.analysis import HEURISTIC_NOTE, ReportData, rate_dict
from ksafe.report.figures import Figure
from ksafe.report.tables import OVER_REFUSAL_COLUMNS, Table
from ksafe.schema.evaluation import MODEL_VERDICTS, NON_MODEL_VERDICTS, Rate

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def safe_json(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` element: ``<``, ``>``, ``&`` are \\u-escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group(0)], text))


def _asset(name: str) -> str:
    return resources.files("ksafe.report").joinpath("templates", name).read_text(encoding="utf-8")


def _ci_bar(rate: Rate | None) -> Markup:
    """A 90x10 inline SVG: the 95% interval as a bar and the value as a dot (numbers only)."""
    if rate is None or rate.value is None:
        return Markup("")
    lo, hi, v = (90 * (x or 0.0) for x in (rate.ci_low, rate.ci_high, rate.value))
    return Markup(
        '<svg class="cibar" width="92" height="10" viewBox="0 0 92 10" role="img" aria-label="95% interval">'
        '<rect x="1" y="4" width="90" height="2" fill="#e3e6ee"/>'
        f'<rect x="{1 + lo:.1f}" y="2" width="{max(hi - lo, 1):.1f}" height="6" rx="2" fill="#9db4e8"/>'
        f'<circle cx="{1 + v:.1f}" cy="5" r="3" fill="#1d4ea8"/></svg>'
    )


def _rate_cell(rate: Rate | None) -> dict[str, Any]:
    if rate is None or rate.value is None:
        return {"text": "n/a", "ci": "", "sort": "", "bar": Markup("")}
    return {
        "text": f"{100 * rate.value:.1f}%",
        "ci": f"[{100 * (rate.ci_low or 0):.1f}–{100 * (rate.ci_high or 0):.1f}] n={rate.denominator}",
        "sort": f"{rate.value:.6f}",
        "bar": _ci_bar(rate),
    }


def _heatmap(data: ReportData) -> dict[str, Any]:
    starts = {cats[0] for _, cats in data.domains[1:]}
    rows = []
    for e in data.primary:
        cells = []
        for c in data.categories:
            rate = e.rate("category", c)
            value = rate.value if rate is not None else None
            style = (
                ""
                if value is None
                else (f"background:rgba(200,30,30,{0.08 + 0.85 * value:.2f});color:{'#fff' if value > 0.6 else '#111'}")
            )
            cells.append(
                {
                    "text": "n/a" if value is None else f"{100 * value:.0f}",
                    "style": style,
                    "title": data.names.label(c),
                    "start": c in starts,
                }
            )
        rows.append({"label": e.label, "heuristic": e.is_heuristic, "cells": cells})
    return {
        "domains": [
            {"name": data.names.name(d), "local": data.names.local_name(d), "span": len(cs)} for d, cs in data.domains
        ],
        "categories": [
            {"name": data.names.name(c), "local": data.names.local_name(c), "start": c in starts}
            for c in data.categories
        ],
        "rows": rows,
    }


def _cell(text: str) -> dict[str, Any]:
    match = re.match(r"^(-?\d+(?:\.\d+)?)", text)
    return {"text": text, "sort": match.group(1) if match else None}


def render_html(
    data: ReportData,
    figures: list[Figure],
    tables: list[Table],
    examples: list[dict[str, Any]],
    examples_total: int,
    files: list[str],
    font_css: str = "",
    guard_html: str = "",
) -> str:
    """Render the report page."""
    import jinja2

    from ksafe import __version__

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ksafe.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    runs = [
        {
            "run_id": run.results.run_id,
            "benchmark": run.results.benchmark,
            "culture": run.results.culture,
            "judges": [
                {
                    "name": j,
                    "heuristic": any(
                        e.is_heuristic for e in data.entries if e.judge == j and e.run_id == run.results.run_id
                    ),
                }
                for j in run.results.judges
            ],
            "n_responses": len(run.responses),
            "n_labels": len(run.human_labels),
        }
        for run in data.runs
    ]
    leaderboard = [
        {
            "label": e.label,
            "judge": e.judge,
            "heuristic": e.is_heuristic,
            "run_id": e.run_id,
            "asr": _rate_cell(e.results.overall.asr),
            "over_refusal": _rate_cell(e.results.overall.over_refusal),
            "misunderstood": _rate_cell(e.results.overall.misunderstood_rate),
            "n_harmful": e.results.overall.n_harmful,
            "n_benign": e.results.overall.n_benign,
            "blocked": e.results.overall.blocked_by_provider,
            "errors": e.results.overall.errors,
        }
        for e in data.entries
    ]
    over_refusal = [
        {
            "label": e.label,
            "judge": e.judge,
            "heuristic": e.is_heuristic,
            "figures": [
                {"kind": kind, "title": title, "cell": _rate_cell(getattr(e.results.over_refusal, kind))}
                for kind, title in OVER_REFUSAL_COLUMNS.items()
            ],
        }
        for e in data.primary
    ]
    figure_map = {
        f.name: {
            "title": f.title,
            "caption": f.caption,
            "files": f.files,
            "uri": "data:image/svg+xml;base64," + base64.b64encode(f.svg.encode()).decode("ascii"),
        }
        for f in figures
    }
    table_map = {t.name: {"header": t.header, "rows": [[_cell(c) for c in row] for row in t.rows]} for t in tables}
    disagreements = [
        {**d, "b_heuristic": any(e.is_heuristic and e.judge == d["b"] for e in data.entries)}
        for d in data.disagreements
    ]
    payload = {
        "examples": examples,
        "examples_total": examples_total,
        "categories": data.categories,
        "disagreements": {str(d["run"]): d.get("answers", []) for d in data.disagreements},
        "category_labels": {c: data.names.label(c) for c in data.categories},
        "verdicts": list(MODEL_VERDICTS) + list(NON_MODEL_VERDICTS),
        "leaderboard": [
            {
                "model": e.label,
                "judge": e.judge,
                "heuristic": e.is_heuristic,
                "asr": rate_dict(e.results.overall.asr),
                "over_refusal": rate_dict(e.results.overall.over_refusal),
            }
            for e in data.entries
        ],
    }
    return env.get_template("report.html.j2").render(
        title="ksafe report",
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        runs=runs,
        uses_heuristic=any(e.is_heuristic for e in data.entries),
        heuristic_note=HEURISTIC_NOTE,
        leaderboard=leaderboard,
        over_refusal=over_refusal,
        heat=_heatmap(data),
        figures=figure_map,
        tables=table_map,
        disagreements=disagreements,
        has_human=any(run.human_labels for run in data.runs),
        files=files,
        data_json=safe_json(payload),
        css=Markup(_asset("report.css")),
        js=Markup(_asset("report.js")),
        font_css=Markup(font_css),
        guard_section=Markup(guard_html),
    )
