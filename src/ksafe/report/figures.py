"""Matplotlib figures of the report, drawn with the CJK font so Hangul and kana never become boxes.

Input: a ``ReportData``. Output: ``Figure`` records (SVG text for the page) and, in ``folder``,
``<name>.svg`` and ``<name>.png`` per figure. Side effects: writes those files and a subset font
file; registers that font with matplotlib (Agg backend, no window).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ksafe.report.analysis import Entry, ReportData
from ksafe.report.fonts import face_for, register_figure_font
from ksafe.schema.evaluation import Rate

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
STANDARD = "standard query (baseline)"


@dataclass(frozen=True)
class Figure:
    """One figure, written as SVG and PNG."""

    name: str
    title: str
    caption: str
    svg: str
    """The SVG document (text drawn as paths, so it needs no font where it is shown)."""
    files: tuple[str, ...]
    """Paths of the written files, relative to the report's folder."""


def model_label(entry: Entry) -> str:
    """Model label for figures; heuristic-judge results are marked in the label itself."""
    return f"{entry.label} (heuristic judge)" if entry.is_heuristic else entry.label


def _pct(rate: Rate | None) -> tuple[float, float, float] | None:
    if rate is None or rate.value is None:
        return None
    v = 100 * rate.value
    # Clamped: a Wilson bound can sit a rounding error inside the value at 0% or 100%.
    return v, max(0.0, v - 100 * (rate.ci_low or 0.0)), max(0.0, 100 * (rate.ci_high or 0.0) - v)


def _figure_text(data: ReportData) -> str:
    parts = [model_label(e) for e in data.entries] + data.strategies + data.image_kinds + data.g_versions
    for key in data.categories + [d for d, _ in data.domains]:
        parts += [data.names.name(key), data.names.local_name(key)]
    return "".join(parts) + STANDARD


def _dot_plot(ax: Any, rows: list[str], labels: list[str], entries: list[Entry], dimension: str) -> None:
    """One row per group, one marker (with 95% interval) per model."""
    n = max(len(entries), 1)
    for i, entry in enumerate(entries):
        color = COLORS[i % len(COLORS)]
        for row, key in enumerate(rows):
            pct = _pct(entry.rate(dimension, key))
            if pct is None:
                continue
            y = row + (i - (n - 1) / 2) * 0.8 / n
            ax.errorbar(
                pct[0],
                y,
                xerr=[[pct[1]], [pct[2]]],
                fmt="o",
                color=color,
                capsize=2,
                ms=5,
                label=model_label(entry) if row == 0 or key == rows[0] else None,
            )
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xlim(-2, 102)
    ax.set_xlabel("ASR (%) with 95% Wilson interval")
    ax.grid(axis="x", alpha=0.3)


def _save(fig: Any, folder: Path, name: str) -> tuple[str, tuple[str, ...]]:
    import io

    folder.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    svg = buf.getvalue()
    (folder / f"{name}.svg").write_text(svg, encoding="utf-8")
    fig.savefig(folder / f"{name}.png", dpi=160, bbox_inches="tight")
    return svg, (f"{folder.name}/{name}.svg", f"{folder.name}/{name}.png")


def _heatmap(data: ReportData, plt: Any) -> Any:
    entries = data.primary
    cols = data.categories
    matrix = [[(_pct(e.rate("category", c)) or (float("nan"),))[0] for c in cols] for e in entries]
    fig, ax = plt.subplots(figsize=(max(8.0, 1.05 * len(cols) + 3), 1.0 + 0.55 * len(entries) + 1.6))
    im = ax.imshow(matrix, cmap="Reds", vmin=0, vmax=100, aspect="auto")
    for r, row in enumerate(matrix):
        for c, value in enumerate(row):
            if value == value:  # not NaN
                ax.text(
                    c, r, f"{value:.0f}", ha="center", va="center", fontsize=8, color="white" if value > 60 else "black"
                )
    labels = [data.names.name(c) + ("\n" + data.names.local_name(c) if data.names.local_name(c) else "") for c in cols]
    ax.set_xticks(range(len(cols)), labels, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(entries)), [model_label(e) for e in entries], fontsize=9)
    centers, domain_labels, start = [], [], 0
    for domain, cats in data.domains:
        if start:
            ax.axvline(start - 0.5, color="black", lw=2)
        local = data.names.local_name(domain)
        centers.append(start + (len(cats) - 1) / 2)
        domain_labels.append(data.names.name(domain) + (f"\n{local}" if local else ""))
        start += len(cats)
    top = ax.secondary_xaxis("top")
    top.set_xticks(centers, domain_labels, fontsize=9)
    top.tick_params(length=0)
    fig.colorbar(im, ax=ax, label="ASR (%)", fraction=0.03)
    return fig


def _tradeoff(data: ReportData, plt: Any) -> Any:
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    for i, entry in enumerate(data.primary):
        asr, orr = _pct(entry.results.overall.asr), _pct(entry.results.overall.over_refusal)
        if asr is None or orr is None:
            continue
        color = COLORS[i % len(COLORS)]
        ax.errorbar(
            orr[0],
            asr[0],
            xerr=[[orr[1]], [orr[2]]],
            yerr=[[asr[1]], [asr[2]]],
            fmt="o",
            color=color,
            capsize=3,
            ms=7,
            label=model_label(entry),
        )
    ax.set_xlabel("Over-refusal on benign twins (%)  → more refusals")
    ax.set_ylabel("Attack success rate (%)  → less safe")
    ax.set_xlim(-2, 102)
    ax.set_ylim(-2, 102)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    return fig


def _g_and_c(data: ReportData, plt: Any) -> Any:
    panels = 2 if data.g_versions else 1
    fig, axes = plt.subplots(1, panels, figsize=(6.5 * panels, 1.5 + 0.5 * max(2, len(data.primary))), squeeze=False)
    _dot_plot(
        axes[0][0],
        data.subsets,
        [f"{s} ({'global risks' if s == 'G' else 'culture-specific'})" for s in data.subsets],
        data.primary,
        "subset",
    )
    axes[0][0].set_title("G against C")
    if data.g_versions:
        ax = axes[0][1]
        for i, entry in enumerate(data.primary):
            points = [(x, _pct(entry.rate("g_version", g))) for x, g in enumerate(data.g_versions)]
            shift = (i - (len(data.primary) - 1) / 2) * 0.04
            xs = [x + shift for x, p in points if p is not None]
            ys = [p[0] for _, p in points if p is not None]
            errs = [[p[1] for _, p in points if p is not None], [p[2] for _, p in points if p is not None]]
            ax.errorbar(
                xs, ys, yerr=errs, marker="o", capsize=3, color=COLORS[i % len(COLORS)], label=model_label(entry)
            )
        ax.set_xticks(
            range(len(data.g_versions)),
            ["English source", "literal translation", "contextualized"][-len(data.g_versions) :]
            if len(data.g_versions) == 3
            else data.g_versions,
        )
        ax.set_ylabel("ASR on G items (%)")
        ax.set_ylim(0, 100)
        ax.set_title("Contextualization ablation")
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=8, loc="best")
    return fig


def draw_figures(data: ReportData, folder: Path, font_folder: Path) -> list[Figure]:
    """Draw every figure the data supports into ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cultures = [run.results.culture for run in data.runs]
    family = register_figure_font(_figure_text(data), font_folder, face_for(cultures))
    note = " Results from the heuristic judge are marked '(heuristic judge)'." if data.uses_heuristic else ""
    specs: list[tuple[str, str, str, Any]] = [
        ("heatmap", "ASR by category", "ASR (%) per model and category, grouped by domain.", _heatmap),
        (
            "tradeoff",
            "Safety / over-refusal trade-off",
            "One point per model; bars are 95% Wilson intervals. Lower-left is better.",
            _tradeoff,
        ),
    ]
    if data.strategies:
        specs.append(
            (
                "strategy",
                "ASR by jailbreak strategy",
                f"'{STANDARD}' is the standard query without a jailbreak.",
                lambda d, p: _single(d, p, "strategy", d.strategies),
            )
        )
    if data.image_kinds:
        specs.append(
            (
                "image_kind",
                "ASR by image kind",
                "ASR per image renderer.",
                lambda d, p: _single(d, p, "image_kind", d.image_kinds),
            )
        )
    if data.subsets:
        specs.append(
            (
                "g_vs_c",
                "G against C, and contextualization",
                "G: global risks contextualized into the culture; C: culture-specific. "
                "Right: the same G items as English source, literal translation, contextualized.",
                _g_and_c,
            )
        )
    figures: list[Figure] = []
    with plt.rc_context({"font.family": [family, "DejaVu Sans"], "svg.fonttype": "path", "svg.hashsalt": "ksafe"}):
        for name, title, caption, draw in specs:
            fig = draw(data, plt)
            if name == "g_vs_c":
                fig.suptitle(title, fontsize=14, y=1.03)
            else:
                fig.axes[0].set_title(title, fontsize=13, pad=12)
            try:
                svg, files = _save(fig, folder, name)
            finally:
                plt.close(fig)
            figures.append(Figure(name, title, caption + note, svg, files))
    return figures


def _single(data: ReportData, plt: Any, dimension: str, keys: list[str]) -> Any:
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.45 * len(keys) * max(1, len(data.primary)) ** 0.5))
    labels = [STANDARD if k == "none" and dimension == "strategy" else k for k in keys]
    _dot_plot(ax, keys, labels, data.primary, dimension)
    if dimension == "strategy" and "none" in keys:
        ax.axhline(0.5, color="grey", lw=1, ls="--")
    ax.legend(fontsize=8, loc="lower right")
    return fig
