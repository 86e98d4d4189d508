"""Report: judge quality, the kappa matrix of several judges, and the answers they disagree on (escaped, hidden)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ksafe.evaluation.judge_quality import offline_quality
from ksafe.report import build_report
from ksafe.schema.evaluation import RunResults
from reportkit.fixture_run import PLANTED, write_fixture_run


def test_judges_section_shows_quality_matrix_and_disagreements(tmp_path: Path) -> None:
    run = write_fixture_run(tmp_path / "ko", "ko", seed=7)
    path = run / "results.json"
    results = RunResults.model_validate_json(path.read_text(encoding="utf-8"))
    path.write_text(results.model_copy(update={"judge_quality": offline_quality()}).model_dump_json(), encoding="utf-8")
    out = tmp_path / "r.html"
    build_report([run], out, max_examples=20, embed_font=False)
    html = out.read_text(encoding="utf-8")
    judges = html[html.index('id="judges"') : html.index('id="browser"')]
    assert "Judge quality" in judges and "language:ja:harmful" in judges and "(heuristic judge)" in judges
    assert "Cohen&#39;s kappa between judges" in judges or "Cohen's kappa between judges" in judges
    assert re.search(r'<td class="num">1\.000</td>', judges)  # the diagonal
    assert '<div class="disagreements" data-run="' in judges
    data = json.loads(html[html.index('id="ksafe-data">') + len('id="ksafe-data">') : html.index("</script>")])
    answers = next(iter(data["disagreements"].values()))
    assert answers and all(len({v["verdict"] for v in a["verdicts"]}) > 1 for a in answers)
    # untrusted text only inside the escaped JSON, rendered with textContent and hidden until revealed
    assert PLANTED not in html and "window.__pwned=1</script>" not in html
    assert any(a["harmful"] for a in answers)
    table = (out.parent / "r_files" / "tables" / "judge_quality.csv").read_text(encoding="utf-8")
    assert "heldout" in table and "binary" in table
