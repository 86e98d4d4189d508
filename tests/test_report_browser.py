"""Open a report built from fixture runs in headless Chromium (Debian's, never ``playwright install``).

Checks: no console errors, no request but the file itself, charts drawn, CJK web font loaded,
sorting and filters work, the reveal toggle shows hidden text and unblurs images, planted markup in
a model response never runs and shows as characters, a screenshot is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ksafe.report import build_report
from reportkit.fixture_run import write_fixture_run

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} missing (Debian chromium)")


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    sync_api = pytest.importorskip("playwright.sync_api")
    root = tmp_path_factory.mktemp("browser")
    runs = [write_fixture_run(root / "ko", "ko", seed=7), write_fixture_run(root / "ja", "ja", seed=11)]
    out = build_report(runs, root / "report.html").html
    url = out.resolve().as_uri()
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def route(r: Any) -> None:
            requests.append(r.request.url)
            if r.request.url == url:
                r.continue_()
            else:
                r.abort()

        page.route("**/*", route)
        page.goto(url)
        page.wait_for_selector("body[data-ready='1']")
        page.evaluate("document.fonts.ready.then(() => true)")
        yield {"page": page, "errors": errors, "requests": requests, "url": url, "root": root}
        browser.close()


def test_no_console_errors_and_no_network(opened: dict[str, Any]) -> None:
    page = opened["page"]
    page.evaluate("1")  # let pending events arrive
    assert opened["errors"] == []
    assert opened["requests"] == [opened["url"]]


def test_charts_are_drawn_and_cjk_font_loads(opened: dict[str, Any]) -> None:
    page = opened["page"]
    sizes = page.eval_on_selector_all("figure.chart img", "els => els.map(e => [e.naturalWidth, e.complete])")
    assert len(sizes) == 5 and all(w > 100 and done for w, done in sizes)
    assert page.locator("svg.cibar").count() >= 12
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('ksafe-cjk') && f.status === 'loaded')")
    assert page.evaluate("document.fonts.check('16px ksafe-cjk', '혐오 및 불공정 暴力 こんにちは')")
    heat = page.locator("table.heat").inner_text()
    assert "혐오 및 불공정" in heat and "憎悪・不公平" in heat


def test_leaderboard_sorts(opened: dict[str, Any]) -> None:
    page = opened["page"]
    header = page.locator("#leaderboard-table th", has_text="ASR")
    header.click()
    values = page.eval_on_selector_all(
        "#leaderboard-table tbody tr", "rows => rows.map(r => Number(r.cells[2].dataset.sort))"
    )
    assert values == sorted(values) and len(values) == 12
    header.click()
    values = page.eval_on_selector_all(
        "#leaderboard-table tbody tr", "rows => rows.map(r => Number(r.cells[2].dataset.sort))"
    )
    assert values == sorted(values, reverse=True)


def test_planted_markup_never_runs_and_toggle_reveals(opened: dict[str, Any]) -> None:
    page = opened["page"]
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('#examples script, #examples img:not(.thumb)').length") == 0
    page.fill("#f-search", "__pwned")
    cards = page.locator("#examples article")
    assert cards.count() >= 2
    # A benign answer is shown as text without any toggle; the harmful one stays hidden.
    visible = page.locator("#examples .content:visible", has_text="<script>window.__pwned=1</script>")
    assert visible.count() >= 1
    hidden = page.locator("#examples .sensitive .content", has_text="요청하신 코드입니다")
    assert hidden.count() >= 1 and not hidden.first.is_visible()
    thumb = page.locator("#examples img.thumb").first
    assert "blur" in thumb.evaluate("e => getComputedStyle(e).filter")
    page.click("#reveal-toggle")
    assert page.get_attribute("#reveal-toggle", "aria-pressed") == "true"
    assert hidden.first.is_visible()
    assert "<img src=x onerror=" in hidden.first.inner_text()
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#examples img.thumb')).filter === 'none'", timeout=3000
    )  # the unblur is a 0.2 s transition
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.click("#reveal-toggle")
    assert not hidden.first.is_visible()
    page.fill("#f-search", "")


def test_filters_narrow_the_examples(opened: dict[str, Any]) -> None:
    page = opened["page"]
    page.select_option("#f-verdict", "refused")
    page.select_option("#f-category", "violence")
    cards = page.locator("#examples article")
    assert cards.count() > 0
    for i in range(cards.count()):
        text = cards.nth(i).inner_text()
        assert ": refused" in text and "Violence" in text
    page.select_option("#f-verdict", "")
    page.select_option("#f-category", "")


WORDS_BROKEN_ACROSS_LINES = """() => {
  const broken = [];
  for (const th of document.querySelectorAll('th')) {
    const node = [...th.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
    if (!node) continue;
    const text = node.textContent;
    for (const match of text.matchAll(/[^\\s-]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


def test_at_1280_px_the_page_does_not_widen_and_no_header_breaks_mid_word(opened: dict[str, Any]) -> None:
    page = opened["page"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # wide tables scroll in their box
    assert page.evaluate(WORDS_BROKEN_ACROSS_LINES) == []
    assert "heuristic judge: heuristic judge" not in page.locator("body").inner_text()
    assert "(heuristic judge: " not in page.locator("body").inner_text()


def test_screenshot(opened: dict[str, Any]) -> None:
    path = opened["root"] / "report.png"
    opened["page"].screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 20_000
    assert Path(path).read_bytes()[:4] == b"\x89PNG"
    # After every interaction above (search, reveal, filters, sorting): still no error, no request.
    assert opened["errors"] == []
    assert opened["requests"] == [opened["url"]]
