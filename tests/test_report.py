"""``ksafe report`` from fixture runs: files written, numbers, labels, escaping, CJK figures, errors."""

from __future__ import annotations

import csv
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ksafe.cli import app
from ksafe.errors import KsafeError
from ksafe.report import build_report
from ksafe.report.html import safe_json
from reportkit.fixture_run import MODELS, PLANTED, write_fixture_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("runs")
    return [write_fixture_run(root / "ko", "ko", seed=7), write_fixture_run(root / "ja", "ja", seed=11)]


@pytest.fixture(scope="module")
def report(runs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    build_report(runs, out)
    return out


def test_writes_page_figures_and_tables(report: Path) -> None:
    files = report.parent / "report_files"
    for name in ("heatmap", "tradeoff", "strategy", "image_kind", "g_vs_c"):
        assert (files / "figures" / f"{name}.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
        assert (files / "figures" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    with (files / "tables" / "leaderboard.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(MODELS) * 2 * 2  # models x judges x runs
    heuristic = [r for r in rows if r["judge"].startswith("heuristic")]
    assert heuristic and all("(heuristic judge)" in r["judge"] for r in heuristic)
    assert all(re.match(r"^\d+\.\d% \[\d+\.\d, \d+\.\d\] \(n=\d+\)$", r["ASR"]) for r in rows)
    category_md = (files / "tables" / "asr_by_category.md").read_text(encoding="utf-8")
    assert "혐오" in category_md and "暴力" in category_md  # local names from both packs
    assert (
        (files / "tables" / "asr_by_g_version.csv")
        .read_text(encoding="utf-8")
        .startswith("model,judge,source_en,literal,contextualized")
    )


def test_page_is_self_contained_and_escapes_untrusted_text(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    assert "window.__pwned=1</script>" not in html
    assert html.count("onerror=") == html.count('onerror=\\"')  # only inside the escaped JSON
    assert html.count("<script") == 2  # the data block and the page script
    assert "\\u003cscript\\u003ewindow.__pwned=1\\u003c/script\\u003e" in html
    assert "@font-face{font-family:'ksafe-cjk';src:url(data:font/woff2;base64," in html  # brotli is a dependency
    assert "data:image/jpeg;base64," in html  # thumbnails, since the benchmark is reachable
    assert html.count("data:image/svg+xml;base64,") == 5


def test_heuristic_results_are_labelled_everywhere(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    leaderboard = html[html.index('id="leaderboard"') : html.index('id="categories"')]
    assert leaderboard.count('<tr class="heuristic-row">') == len(MODELS) * 2
    assert leaderboard.count("heuristic judge</span>") == len(MODELS) * 2
    assert "Some results below come from the <strong>heuristic judge</strong>" in html


def test_safe_json_cannot_close_its_script_element() -> None:
    text = str(safe_json({"r": "</script><script>alert(1)</script>&\u2028"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"r": "</script><script>alert(1)</script>&\u2028"}


def test_figure_font_covers_hangul_and_kana(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ksafe.report.fonts import register_figure_font

    sample = "전세 사기 보이스피싱 こんにちは 特殊詐欺"
    family = register_figure_font(sample, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)" for boxes
        with plt.rc_context({"font.family": [family]}):
            fig, ax = plt.subplots()
            ax.set_title(sample)
            fig.savefig(tmp_path / "cjk.png")
            plt.close(fig)
    with warnings.catch_warnings(record=True) as caught:  # control: a Latin-only font does warn
        warnings.simplefilter("always")
        with plt.rc_context({"font.family": ["DejaVu Sans"]}):
            fig, ax = plt.subplots()
            ax.set_title(sample)
            fig.savefig(tmp_path / "latin.png")
            plt.close(fig)
    assert any("missing from font" in str(w.message) for w in caught)


def test_without_benchmark_or_labels_still_builds(runs: list[Path], tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(runs[0], run)
    (run / "labels.csv").unlink()
    results = json.loads((run / "results.json").read_text(encoding="utf-8"))
    results["benchmark"] = str(tmp_path / "gone")
    (run / "results.json").write_text(json.dumps(results), encoding="utf-8")
    out = build_report([run], tmp_path / "r.html", max_examples=10, embed_font=False)
    html = out.html.read_text(encoding="utf-8")
    assert "data:image/jpeg" not in html and "@font-face" not in html
    assert out.examples_shown == 10 and out.examples_total == 330
    assert "No human labels were given" in html


def test_user_errors_name_the_file(runs: list[Path], tmp_path: Path) -> None:
    with pytest.raises(KsafeError, match=r"results\.json: missing"):
        build_report([tmp_path], tmp_path / "r.html")
    run = tmp_path / "bad"
    shutil.copytree(runs[0], run)
    (run / "labels.csv").write_text("item,model\nx,y\n", encoding="utf-8")
    with pytest.raises(KsafeError, match=r"labels\.csv: missing column\(s\) item_id, human_verdict"):
        build_report([run], tmp_path / "r.html")
    (run / "labels.csv").unlink()
    with (run / "responses.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"run_id": "x"}\n')
    with pytest.raises(KsafeError, match=r"responses\.jsonl:661: model"):
        build_report([run], tmp_path / "r.html")


def test_cli(runs: list[Path], tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["report", str(runs[0]), "--out", str(tmp_path / "x.html"), "--max-examples", "20", "--no-embed-font"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "x.html").exists() and (tmp_path / "x_files" / "figures" / "heatmap.svg").exists()
    result = runner.invoke(app, ["report", str(tmp_path / "missing"), "--out", str(tmp_path / "y.html")])
    assert result.exit_code == 2
    assert "not a directory" in result.output
    assert PLANTED  # the fixture plants markup in responses (see the browser test)


def test_interval_bars_never_negative_at_the_edges() -> None:
    from ksafe.report.figures import _pct
    from ksafe.schema.evaluation import Rate

    for value, low, high in ((1.0, 0.94, 0.9999999999999998), (0.0, 1e-17, 0.06)):
        pct = _pct(Rate(value=value, ci_low=low, ci_high=high, numerator=0, denominator=60))
        assert pct is not None and pct[1] >= 0 and pct[2] >= 0
