"""Precision of mined topics: filler and generic words (pack data), word-edge spans, whole-token lexicon
matching, and the noise seen on the project corpora before these rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ksafe.topics.mining.analyzers import Stoplist, analyzer_for
from ksafe.topics.mining.classify import OfflineClassifier, TopicCandidate
from ksafe.topics.mining.context import load_mining_context
from ksafe.topics.mining.encoders import encoder_for
from ksafe.topics.mining.run import mine_to_files

DATA = Path(__file__).parent / "data"
REAL = {
    "ko": [
        "전세사기",
        "보이스피싱",
        "딥페이크 성범죄",
        "마약 던지기 아르바이트",
        "대포통장",
        "스토킹",
        "불법촬영",
        "사설 토토",
        "학교폭력",
        "지역감정 비하 발언",
        "개인정보 유출",
        "사제총",
        "부정선거",
        "AI 연인",
        "불법 사이트",
    ],
    "ja": ["闇バイト", "盗撮", "特殊詐欺", "個人情報流出", "オーバードーズ", "ストーカー", "竹島", "大麻", "誹謗中傷"],
}
NOISE = {
    "ko": [
        "불법",
        "문자",
        "웹툰",
        "텔레그램",
        "비밀번호",
        "선거철",
        "진짜 감정",
        "사제총 사건 이후",
        "총기 규제 얘기",
        "보이스피싱 조심",
        "유출 사고",
        "학폭 미",
        "학교폭력 논란",
        "부정선거 주장",
        "불법촬영 의심",
        "AI 연인 앱",
        "AI 연인 중독",
        "채팅 AI 연인",
        "보이스피싱 조직",
        "사설",
    ],
    "ja": ["友達", "心配", "感情", "逮捕", "特定", "AI", "パスワード"],
}


@pytest.fixture(scope="module")
def mined(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[str]]]:
    """Per culture, topic name -> keywords, mined from the project corpus."""
    out: dict[str, dict[str, list[str]]] = {}
    for culture in ("ko", "ja"):
        path = tmp_path_factory.mktemp(culture) / "topics.jsonl"
        mine_to_files(pack=culture, sources=[str(DATA / f"corpus_{culture}.jsonl")], out=path)
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        out[culture] = {row["name"]: row["keywords"] for row in rows}
        assert len(out[culture]) == len(rows)
    return out


@pytest.mark.parametrize("culture", ["ko", "ja"])
def test_real_topics_are_kept_and_known_noise_is_not(culture: str, mined: dict[str, dict[str, list[str]]]) -> None:
    names = sorted(mined[culture])
    assert not [n for n in REAL[culture] if n not in names], names
    assert not [n for n in NOISE[culture] if n in names], names


def test_a_topic_plus_modifier_words_merges_into_the_topic(mined: dict[str, dict[str, list[str]]]) -> None:
    from ksafe.topics.mining.grouping import extends

    ko = mined["ko"]
    assert {"AI 연인 중독", "채팅 AI 연인"} <= set(ko["AI 연인"])
    assert "보이스피싱 조직" in ko["보이스피싱"] and "딥페이크 성범죄" in ko  # 성범죄 is a lexicon word
    lexicon = frozenset({"성범죄", "사설도박", "AI연인"})
    assert extends("AI 연인 중독", "AI 연인", lexicon) and extends("ストーカー規制法", "ストーカー", lexicon)
    assert not extends("딥페이크 성범죄", "딥페이크", lexicon)
    assert not extends("사설 도박 사이트", "사설", lexicon)  # the lexicon word straddles the part
    assert not extends("학폭 미투", "학", lexicon)  # whole words only


def test_korean_spans_end_on_word_edges_and_fillers_split_runs() -> None:
    stop = Stoplist(filler=frozenset({"조심", "이후", "사건"}), generic=frozenset({"불법", "문자"}))
    public = load_mining_context("ko").public_names  # 사제총 is a lexicon word, not a person's name
    ko = analyzer_for("ko", public, stop).analyze(
        ["학폭 미투 또 터졌네요", "보이스피싱 조심 문자 사제총 사건 이후", "불법촬영 불법 개인정보가"]
    )
    assert "학폭 미" not in ko[0].candidates and "학폭" in ko[0].candidates
    assert "보이스피싱" in ko[1].candidates and "사제총" in ko[1].candidates
    assert not any("조심" in c or "이후" in c or "사건" in c for c in ko[1].candidates), ko[1].candidates
    assert "문자" not in ko[1].candidates  # generic on its own
    assert "불법촬영" in ko[2].candidates and "불법" not in ko[2].candidates
    assert "개인정보" in ko[2].candidates and "개인" not in ko[2].candidates  # 개인 does not end a word here
    # a filler glued inside one written word stays: 정보 in 개인정보
    glued = analyzer_for("ko", stoplist=Stoplist(filler=frozenset({"정보"}))).analyze(["개인정보 유출"])[0]
    assert "개인정보 유출" in glued.candidates


def test_lexicon_words_match_whole_tokens_and_ambiguous_words_need_context() -> None:
    results = {}
    for culture, texts in {
        "ko": [("편의점 신상", "편의점 신상 도시락 맛있어요"), ("개인정보 유출", "쇼핑몰 개인정보 유출 사고 났대요")],
        "ja": [("心配", "明日の天気が心配です"), ("個人情報流出", "個人情報流出の通知が来た")],
    }.items():
        context = load_mining_context(culture)
        analyzer = analyzer_for(context.language, context.public_names, context.stoplist)
        encoder = encoder_for("auto")
        classifier = OfflineClassifier(context.taxonomy, encoder, "multi", analyzer.boundaries, context.ambiguous)
        cands = [TopicCandidate(label, (label,), (excerpt,) * 3) for label, excerpt in texts]
        for (label, _), decision in zip(texts, classifier.classify(cands), strict=True):
            results[label] = decision
    assert "privacy" not in results["편의점 신상"].categories, results["편의점 신상"].reason
    assert "privacy" in results["개인정보 유출"].categories
    assert "anthropomorphism" not in results["心配"].categories, results["心配"].reason
    assert "privacy" in results["個人情報流出"].categories


def test_the_word_fallback_applies_the_lists_case_insensitively() -> None:
    stop = Stoplist(filler=frozenset({"News"}), generic=frozenset({"phone"}))
    candidates = analyzer_for("en", stoplist=stop).analyze(["Phone scam News today"])[0].candidates
    assert "phone scam" in candidates and "phone" not in candidates
    assert not any("news" in c for c in candidates)
