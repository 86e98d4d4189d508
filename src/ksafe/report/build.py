"""``build_report``: run directories in, one self-contained HTML page plus figures and tables out.

Input: run directories written by ``ksafe eval``. Output: ``report.html`` (scripts, styles, figures,
thumbnails and a subset of the CJK font inline: it opens offline) and ``report_files/`` beside it
(``figures/*.svg|png``, ``tables/*.csv|md``, the figure font). Side effects: writes those files.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ksafe.errors import KsafeError
from ksafe.report.analysis import analyse
from ksafe.report.examples import build_examples
from ksafe.report.figures import draw_figures
from ksafe.report.fonts import face_for, webfont_css
from ksafe.report.guard_section import guard_section, is_guard_run, load_guard_run
from ksafe.report.html import render_html
from ksafe.report.labels import load_names
from ksafe.report.loading import load_runs
from ksafe.report.tables import build_tables, write_tables

DEFAULT_MAX_EXAMPLES = 2000


@dataclass(frozen=True)
class ReportOutput:
    """What ``build_report`` wrote."""

    html: Path
    """The self-contained page."""
    files_dir: Path
    """Folder of figures and tables beside the page."""
    figures: tuple[Path, ...]
    """Figure files (SVG and PNG)."""
    tables: tuple[Path, ...]
    """Table files (CSV and markdown)."""
    examples_shown: int
    """Examples embedded in the page (a sample when the runs hold more)."""
    examples_total: int
    """Examples in the runs."""


def files_dir_for(out: Path) -> Path:
    """``report.html`` -> ``report_files/`` beside it."""
    return out.with_name(f"{out.stem}_files")


def build_report(
    run_dirs: list[Path],
    out: Path,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    embed_font: bool = True,
) -> ReportOutput:
    """Build the HTML report, figures and tables for one or more runs.

    Args:
        run_dirs: Run directories written by ``ksafe eval`` (results.json + responses.jsonl).
        out: Path of the HTML file to write; figures and tables go to ``<stem>_files/`` beside it.
        max_examples: Most examples embedded in the example browser (an even sample above that).
        embed_font: Embed a subset of the CJK font so Hangul and kana render without system fonts.

    Returns:
        The paths written.

    Raises:
        KsafeError: When a run directory is missing or invalid, or ``out`` is not an .html path.
    """
    if out.suffix.lower() not in (".html", ".htm"):
        raise KsafeError(f"--out {out}: expected a path ending in .html")
    if max_examples < 0:
        raise KsafeError(f"--max-examples {max_examples}: must be 0 or more")
    guard_dirs = [p for p in run_dirs if is_guard_run(p)]  # `ksafe guard` runs: the guard section
    eval_dirs = [p for p in run_dirs if p not in guard_dirs]
    runs = load_runs(eval_dirs) if eval_dirs or not guard_dirs else []
    data = analyse(runs)
    files_dir = files_dir_for(out)
    figures = draw_figures(data, files_dir / "figures", files_dir / "fonts") if runs else []
    tables = build_tables(data)
    guard_runs = [load_guard_run(p) for p in guard_dirs]
    names = data.names if runs else load_names([g.results.culture for g in guard_runs])
    guard_html, guard_tables = guard_section(guard_runs, runs, data.categories, names.label)
    tables += guard_tables
    table_files = write_tables(tables, files_dir / "tables")
    examples, total = build_examples(data, max_examples)
    rel = files_dir.name
    files = [f"{rel}/{f}" for fig in figures for f in fig.files] + [f"{rel}/{t}" for t in table_files]
    figures = [
        fig.__class__(fig.name, fig.title, fig.caption, fig.svg, tuple(f"{rel}/{f}" for f in fig.files))
        for fig in figures
    ]
    html = render_html(data, figures, tables, examples, total, files, guard_html=guard_html)
    if embed_font:
        text = "".join(sorted({ch for ch in html if ord(ch) > 0x7F}))
        cultures = [r.results.culture for r in runs] + [g.results.culture for g in guard_runs]
        css = webfont_css(text, face_for(cultures))
        html = render_html(data, figures, tables, examples, total, files, font_css=css, guard_html=guard_html)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(html)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out)
    return ReportOutput(
        html=out,
        files_dir=files_dir,
        figures=tuple(files_dir.parent / f for fig in figures for f in fig.files),
        tables=tuple(files_dir / t for t in table_files),
        examples_shown=len(examples),
        examples_total=total,
    )
