"""Privacy filter: planted personal data never reaches a mined topic, its evidence or the side file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ksafe.topics.mining.pipeline import MiningOptions
from ksafe.topics.mining.privacy import has_personal_data, mask_personal_data

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("연락은 010-1234-5678 로", "PHONE"),
        ("주민번호 900101-1234567 입니다", "RRN"),
        ("메일 gildong.hong@example.com 로", "EMAIL"),
        ("계좌 123-456-789012 로 입금", "ACCOUNT"),
        ("서울특별시 가나구 다라로 123 에 산대요", "ADDRESS"),
        ("090-1234-5678に電話", "PHONE"),
        ("マイナンバー 1234 5678 9012 を", "MY_NUMBER"),
        ("振込先 口座番号 7654321 に", "ACCOUNT"),
        ("東京都架空区例町1-2-3まで", "ADDRESS"),
    ],
)
def test_each_kind_is_masked(text: str, kind: str) -> None:
    masked, counts = mask_personal_data(text)
    assert counts[kind] == 1
    assert f"[{kind}]" in masked
    assert not re.search(r"\d{4}", masked)


def test_ordinary_numbers_and_dates_are_kept() -> None:
    text = "2025년 3월 15일 기사, 피해액 3000만원"
    assert mask_personal_data(text)[0] == text
    assert not has_personal_data(text)


def test_person_names_from_analyzer_are_masked() -> None:
    from ksafe.topics.mining.analyzers import analyzer_for

    ko = analyzer_for("ko").analyze(["홍길동 씨가 전세사기를 당했대요"])[0]
    assert mask_personal_data("홍길동 씨가 전세사기를 당했대요", ko.person_spans)[0].startswith("[NAME]")
    ja_text = "山田太郎さんから連絡があった"
    ja = analyzer_for("ja").analyze([ja_text])[0]
    assert mask_personal_data(ja_text, ja.person_spans)[0].startswith("[NAME]さん")


PLANTED = [
    "010-1234-5678",
    "900101-1234567",
    "123-456-789012",
    "gildong.hong@example.com",
    "다라로 123",
    "홍길동",
    "090-1234-5678",
    "1234 5678 9012",
    "7654321",
    "例町1-2-3",
    "taro.yamada@example.jp",
    "山田太郎",
    "佐藤花子",
]


@pytest.mark.parametrize("culture", ["ko", "ja"])
def test_mined_outputs_hold_no_planted_personal_data(culture: str, tmp_path: Path) -> None:
    from ksafe.topics.mining.run import mine_to_files

    corpus = DATA / f"corpus_{culture}.jsonl"
    assert any(p in corpus.read_text(encoding="utf-8") for p in PLANTED)
    out = tmp_path / "topics.jsonl"
    mine_to_files(pack=culture, sources=[str(corpus)], out=out)
    written = "".join(p.read_text(encoding="utf-8") for p in tmp_path.iterdir())
    for planted in PLANTED:
        assert planted not in written, planted
    masked_excerpts = [
        e["excerpt"] for line in out.read_text(encoding="utf-8").splitlines() for e in json.loads(line)["evidence"]
    ]
    assert any("[" in e and "]" in e for e in masked_excerpts), "the planted posts should show up masked"


# Variants seen in real posts (issue 9, item 10). Each value is fictional; each must be masked whole.
VARIANTS = [
    ("주민번호 9001011234567 이래요", "9001011234567", "RRN"),
    ("주민번호 991673-1540461 이래요", "991673-1540461", "RRN"),
    ("주민번호 900101 - 2234567 이래요", "900101 - 2234567", "RRN"),
    ("연락처 (010)1234-5678 로", "(010)1234-5678", "PHONE"),
    ("연락처 010 1234 5678 로", "010 1234 5678", "PHONE"),
    ("연락처 +82-10-1234-5678 로", "+82-10-1234-5678", "PHONE"),
    ("연락처 +82 10 1234 5678 로", "+82 10 1234 5678", "PHONE"),
    ("사무실 (02)123-4567 로", "(02)123-4567", "PHONE"),
    ("사무실 02-123-4567 로", "02-123-4567", "PHONE"),
    ("입금은 신한 110 123 456789 로", "110 123 456789", "ACCOUNT"),
    ("국민은행 123456-01-234567 로 보내래요", "123456-01-234567", "ACCOUNT"),
    ("카카오뱅크 3333-01-2345678 입니다", "3333-01-2345678", "ACCOUNT"),
    ("여권번호 M12345678 유출", "M12345678", "PASSPORT"),
    ("여권 M123A4567 사진이 돌아요", "M123A4567", "PASSPORT"),
    ("旅券番号 TK1234567 が流出", "TK1234567", "PASSPORT"),
    ("메일 gildong (at) daum.net 으로", "gildong (at) daum.net", "EMAIL"),
    ("메일 gildong[at]naver[dot]com 으로", "gildong[at]naver[dot]com", "EMAIL"),
    ("메일 gildong＠naver.com 으로", "gildong＠naver.com", "EMAIL"),
    ("메일 gildong @ naver.com 으로", "gildong @ naver.com", "EMAIL"),
    ("메일 gildong at naver dot com 으로", "gildong at naver dot com", "EMAIL"),
    ("메일 gildong(골뱅이)gmail(점)com 으로", "gildong(골뱅이)gmail(점)com", "EMAIL"),
    ("카톡 아이디 scam1234 로 연락", "scam1234", "MESSENGER_ID"),
    ("카톡 id: gd_hong 추가", "gd_hong", "MESSENGER_ID"),
    ("kakao id hong.gd 로", "hong.gd", "MESSENGER_ID"),
    ("LINE ID: taro_y88 に", "taro_y88", "MESSENGER_ID"),
    ("ラインID taro_y88 に", "taro_y88", "MESSENGER_ID"),
    ("텔레그램 @drop_seller 로 문의", "@drop_seller", "MESSENGER_ID"),
    ("인스타 @hong.gildong 이 그 사람", "@hong.gildong", "MESSENGER_ID"),
    ("집주인이 테헤란로 123 에 산대요", "테헤란로 123", "ADDRESS"),
    ("역삼로 12길 5 건물이래요", "역삼로 12길 5", "ADDRESS"),
    ("세종대로 110, 거기요", "세종대로 110", "ADDRESS"),
    ("역삼동 123-45 빌라", "역삼동 123-45", "ADDRESS"),
    ("우편번호 06234 로 보내", "06234", "ADDRESS"),
    ("090-1234-5678に電話", "090-1234-5678", "PHONE"),
    ("03-1234-5678に電話", "03-1234-5678", "PHONE"),
    ("+81-90-1234-5678に電話", "+81-90-1234-5678", "PHONE"),
    ("+81 3 1234 5678に電話", "+81 3 1234 5678", "PHONE"),
    ("03(1234)5678に電話", "03(1234)5678", "PHONE"),
    ("0422(12)3456に電話", "0422(12)3456", "PHONE"),
    ("〒150-0001 の住所", "150-0001", "ADDRESS"),
    ("郵便番号 1500001 の住所", "1500001", "ADDRESS"),
    ("マイナンバー 123456789012 を", "123456789012", "MY_NUMBER"),
    ("マイナンバー 1234-5678-9012 を", "1234-5678-9012", "MY_NUMBER"),
    ("マイナンバー 1234 5678 9012 を", "1234 5678 9012", "MY_NUMBER"),
    ("神宮前1丁目2番3号に住んでる", "1丁目2番3号", "ADDRESS"),
    ("渋谷区道玄坂2丁目3-1に住んでる", "2丁目3-1", "ADDRESS"),
    ("六本木六丁目10番1号の", "六丁目10番1号", "ADDRESS"),
    ("大字例村123番地の家", "123番地", "ADDRESS"),
]


@pytest.mark.parametrize(("text", "planted", "kind"), VARIANTS, ids=[v[1] for v in VARIANTS])
def test_common_variants_are_masked(text: str, planted: str, kind: str) -> None:
    masked, counts = mask_personal_data(text)
    assert planted not in masked, masked
    assert counts[kind] >= 1, (masked, counts)
    assert f"[{kind}]" in masked
    digits = re.sub(r"\D", "", planted)
    if len(digits) >= 4:
        assert digits[-4:] not in masked.replace(" ", "").replace("-", ""), masked
    assert has_personal_data(text)


ORDINARY = [
    "2019년부터 2024년까지 피해가 늘었어요",
    "2024-03-15 기사에 따르면",
    "2024.03.15 발표, 2024/3/15 보도",
    "2019 2020 2021 시즌 연속 우승",
    "1990-2000년대 얘기",
    "피해액 3,000,000원, 보증금 2억 5000만원",
    "통장 잔고 1234567원 남았어요",
    "버스로 10분, 카드로 30만원, 택시로 5000원 냈어요",
    "현금으로 5000 주고 샀대요",
    "2층으로 올라가서 3번으로 가세요",
    "조회수 12345, 좋아요 100%, 3.14",
    "1,234,567명이 봤대요",
    "2025年3月15日の記事、被害額は1,500円から120,000円",
    "2024年から2025年にかけて",
    "国民の 3割 が 10代",
    "@ 3000원에 팔아요",
    "우리 2명이서 3만원 냈어요",
    "제 123회 국회 회의",
    "고객센터 1588-1234 로 문의",
    "AI 연인 앱에 한 달에 십만원",
    "Meet at home at 7",
    "카카오: 2024년 실적",
    "https://cafe.naver.com/abc/1234567890123 글",
    "10-20-30 규칙",
    "2020.01.01-2020.12.31 기간",
    "연락 주세요 @everyone",
    "No. 1234567, NO1234567",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_years_prices_and_ordinary_numbers_are_kept(text: str) -> None:
    assert mask_personal_data(text)[0] == text
    assert not has_personal_data(text)


def test_variants_never_reach_the_evidence_or_the_dropped_file(tmp_path: Path) -> None:
    from ksafe.topics.mining.run import mine_to_files

    corpus = tmp_path / "posts.jsonl"
    rows = (DATA / "corpus_ko.jsonl").read_text(encoding="utf-8").splitlines()
    for n, (text, _, _) in enumerate(VARIANTS):
        for topic in ("전세사기 피해", "보이스피싱 문자"):
            row = {"id": f"planted-{topic}-{n}", "text": f"{topic} 당했어요. {text}", "date": "2025-04-01"}
            rows.append(json.dumps(row, ensure_ascii=False))
    corpus.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out" / "topics.jsonl"
    mine_to_files(pack="ko", sources=[str(corpus)], out=out, options=MiningOptions(min_df=2, max_evidence=200))
    written = "".join(p.read_text(encoding="utf-8") for p in out.parent.iterdir())
    topics = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    excerpts = [e["excerpt"] for topic in topics for e in topic["evidence"]]
    kinds = {kind for _, _, kind in VARIANTS}
    assert kinds == {kind for kind in kinds if any(f"[{kind}]" in e for e in excerpts)}
    for _, planted, _ in VARIANTS:
        assert planted not in written, planted


def test_private_names_never_reach_any_written_file(tmp_path: Path) -> None:
    from ksafe.topics.mining.run import mine_to_files

    rows = (DATA / "corpus_ko.jsonl").read_text(encoding="utf-8").splitlines()
    frames = (
        "{} 전세사기 피해 당했어요",
        "전세사기 {} 또 터졌네요",
        "{} 보이스피싱 문자 받았어요",
        "보이스피싱 {} 조직",
    )
    for n in range(12):
        text = frames[n % len(frames)].format("가나다건설")
        rows.append(json.dumps({"id": f"p{n}", "text": text, "date": "2025-04-01"}, ensure_ascii=False))
    corpus = tmp_path / "posts.jsonl"
    corpus.write_text("\n".join(rows) + "\n", encoding="utf-8")
    names = tmp_path / "private.txt"
    names.write_text("# companies\n가나다건설\n", encoding="utf-8")
    out = tmp_path / "out" / "topics.jsonl"
    mine_to_files(pack="ko", sources=[str(corpus)], out=out, private_names_file=names)
    written = "".join(p.read_text(encoding="utf-8") for p in out.parent.iterdir())
    assert "가나다건설" not in written
    assert "[NAME]" in written
