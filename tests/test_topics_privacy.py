"""Privacy filter: planted personal data never reaches a mined topic, its evidence or the side file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

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
