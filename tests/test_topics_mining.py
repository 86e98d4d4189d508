"""Mining end to end: source formats, the CLI on the project-written corpora, the Topic contract."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ksafe.cli import app
from ksafe.schema.records import Topic
from ksafe.topics.mining.context import load_mining_context
from ksafe.topics.mining.sources import load_sources

DATA = Path(__file__).parent / "data"
EXPECTED = {
    "ko": ["보이스피싱", "전세사기", "딥페이크", "스토킹"],
    "ja": ["特殊詐欺", "闇バイト", "盗撮", "オーバードーズ"],
}
CHATTER = {"ko": ["야구", "날씨", "게임", "브런치"], "ja": ["ラーメン", "天気", "野球", "ゲーム"]}


@pytest.mark.parametrize("culture", ["ko", "ja"])
def test_cli_mines_sensitive_topics_and_drops_chatter(
    culture: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access in an offline run")

    monkeypatch.setattr(socket.socket, "connect", refuse)  # the offline classifier path needs no network
    out = tmp_path / "topics.jsonl"
    corpus = DATA / f"corpus_{culture}.jsonl"
    result = CliRunner().invoke(
        app, ["topics", "mine", "--culture", culture, "--source", str(corpus), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    topics = [Topic.model_validate_json(line) for line in out.read_text(encoding="utf-8").splitlines()]
    names = {t.name for t in topics}
    keywords = {k for t in topics for k in t.keywords} | names
    for expected in EXPECTED[culture]:
        assert expected in keywords, (expected, sorted(names))
    category_ids = set(load_mining_context(culture).taxonomy.category_ids)
    refs = {json.loads(line)["url"] for line in corpus.read_text(encoding="utf-8").splitlines()}
    for topic in topics:
        assert topic.source == "mined" and topic.culture == culture and topic.score is not None
        assert set(topic.categories) <= category_ids
        assert topic.evidence and all(e.ref in refs and e.count >= 1 for e in topic.evidence)
    dropped = [json.loads(x) for x in (tmp_path / "topics.dropped.jsonl").read_text(encoding="utf-8").splitlines()]
    dropped_labels = {d["label"] for d in dropped}
    for chat in CHATTER[culture]:
        assert not any(chat in n for n in names), chat
    assert dropped_labels & set(CHATTER[culture])
    assert all(d["reason"] for d in dropped)
    summary = json.loads((tmp_path / "topics.summary.json").read_text(encoding="utf-8"))
    assert summary["topics"] == len(topics)
    assert sum(summary["topics_per_category"].values()) == sum(len(t.categories) for t in topics)


def test_burst_raises_the_score_of_a_topic_concentrated_in_one_week(tmp_path: Path) -> None:
    from ksafe.topics.mining.salience import CandidateTable, burst_scores

    table = CandidateTable()
    dates = []
    for week in range(6):
        for day in range(5):
            bursty = week == 4
            table.add_post(["딥페이크"] if bursty else ["날씨"])
            dates.append(f"2025-03-{3 + week * 4 + day % 4:02d}")
    scores = burst_scores(table, [0, 1], dates)
    assert scores[table.ids["딥페이크"]] > 2 > scores[table.ids["날씨"]]


def test_sources_csv_parquet_html_folder_and_feed(tmp_path: Path) -> None:
    (tmp_path / "posts.csv").write_text("id,text,date\nc1,전세사기 조심,2025-03-01\n", encoding="utf-8")
    pq.write_table(pa.table({"text": ["보이스피싱 문자"], "board": ["시사"]}), tmp_path / "posts.parquet")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(
        "<html><head><title>제목</title><script>x()</script></head><body><p>딥페이크 피해</p></body></html>",
        encoding="utf-8",
    )
    (pages / "feed.xml").write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>f</title><entry><title>t</title><id>e1</id>'
        '<summary>스토킹 신고</summary><link href="https://x.example/e1"/><updated>2025-03-02T00:00:00Z</updated>'
        "</entry></feed>",
        encoding="utf-8",
    )
    loaded = load_sources([str(tmp_path / "posts.csv"), str(tmp_path / "posts.parquet"), str(pages)])
    by_text = {p.text: p for p in loaded.posts}
    assert by_text["전세사기 조심"].id == "c1" and by_text["전세사기 조심"].date == "2025-03-01"
    assert by_text["보이스피싱 문자"].board == "시사"
    assert by_text["딥페이크 피해"].title == "제목"
    assert by_text["스토킹 신고"].url == "https://x.example/e1" and by_text["스토킹 신고"].date == "2025-03-02"


def test_bad_sources_are_one_line_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "no text"}\n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        app, ["topics", "mine", "--culture", "ko", "--source", str(bad), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "row 1: no 'text' field" in result.output
    result = runner.invoke(app, ["topics", "mine", "--culture", "ko", "--source", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2 and "source not found" in result.output


def test_the_first_noun_run_of_a_post_is_a_candidate() -> None:
    from ksafe.topics.mining.analyzers import analyzer_for

    ko = analyzer_for("ko").analyze(["전세사기 피해 어떻게 생각하세요?"])[0].candidates
    assert "전세사기" in ko and "전세사기 피해" in ko and "생각" in ko
    ja = analyzer_for("ja").analyze(["特殊詐欺の電話がきた"])[0].candidates
    assert "特殊詐欺" in ja and "電話" in ja


def test_a_fragment_is_dropped_only_when_it_shares_its_posts_with_the_longer_phrase() -> None:
    from ksafe.topics.mining.pipeline import drop_fragments
    from ksafe.topics.mining.salience import CandidateTable

    table = CandidateTable()
    for _ in range(10):  # 보이스 only ever occurs inside 보이스피싱: a fragment
        table.add_post(["보이스", "보이스피싱", "문자"])
    for _ in range(30):  # 전세사기 analysed as one morpheme: no 전세 candidate in these posts
        table.add_post(["전세사기", "피해"])
    for _ in range(10):  # 전세 on its own (lease talk): a distinct topic, not a fragment
        table.add_post(["전세", "계약"])
    kept = {table.phrases[i] for i in drop_fragments(table, list(range(len(table.phrases))))}
    assert "보이스" not in kept and "보이스피싱" in kept
    assert {"전세", "전세사기", "피해", "계약", "문자"} <= kept


def test_noun_runs_break_at_line_breaks_and_korean_spans_start_a_word() -> None:
    from ksafe.topics.mining.analyzers import analyzer_for

    ko = analyzer_for("ko").analyze(["질문\n딥페이크 합성 얘기"])[0].candidates
    assert "딥페이크 합성" in ko and not any(c.startswith("질문 ") for c in ko)
    assert not any(c.startswith("페이크") for c in ko)
    ja = analyzer_for("ja").analyze(["体験談\nいじめ自殺の話"])[0].candidates
    assert "いじめ自殺" in ja and not any("談いじめ" in c.replace(" ", "") for c in ja)
