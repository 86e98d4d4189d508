"""Thai topic mining: PyThaiNLP word segmentation, Thai spelling kept (NFC, combining marks), no privacy mask in
a topic, and nothing downloaded. The posts are written the way Thai is: words of a clause glued, clauses
separated by spaces."""

from __future__ import annotations

import json
import socket
import unicodedata
from pathlib import Path

import pytest
import yaml
from tests.genkit.draft_th import CATEGORIES, DOMAINS, MINING
from typer.testing import CliRunner

from ksafe.cli import app
from ksafe.cultures.loader import builtin_packs_dir
from ksafe.topics.mining.analyzers import analyzer_for
from ksafe.topics.mining.posts import normalize_text

POSTS = [
    "เตือนภัยแก๊งคอลเซ็นเตอร์ โทรมาอ้างว่าเป็นตำรวจ บอกว่าบัญชีเราพัวพันคดีฟอกเงิน ให้โอนเงินไปตรวจสอบ",
    "แม่โดนแก๊งคอลเซ็นเตอร์หลอกโอนเงินไปสองหมื่น เสียใจมาก ใครรู้วิธีแจ้งความบ้างคะ",
    "วันนี้มีสายแปลกโทรมา พูดเหมือนแก๊งคอลเซ็นเตอร์เลย อ้างว่าพัสดุมีของผิดกฎหมาย เลยวางสายทันที",
    "ข่าวแชร์ลูกโซ่ออนไลน์ล่าสุด หลอกให้ลงทุนคริปโต สัญญาว่าผลตอบแทนสูง คนโดนเป็นร้อย",
    "เพื่อนชวนเข้าแชร์ลูกโซ่ออนไลน์ บอกว่าได้กำไรทุกวัน ฟังดูไม่น่าไว้ใจเลย",
    "ระวังแชร์ลูกโซ่ออนไลน์ที่ชวนลงทุนแล้วจ่ายปันผลรายวัน สุดท้ายปิดเพจหนีหมด",
    "รับเปิดบัญชีม้า ให้ค่าจ้างสามพันบาท อย่าหลงเชื่อนะ เป็นเครื่องมือของมิจฉาชีพ",
    "ตำรวจจับเครือข่ายบัญชีม้าได้อีกแล้ว ใครขายบัญชีให้คนอื่นมีความผิดด้วย",
    "มีคนมาขอซื้อบัญชีม้าในกลุ่มเฟซบุ๊ก บอกว่าได้เงินง่ายๆ สนใจติดต่อไลน์ไอดี: somchai_88",
    "ช่วงนี้เครียดมากจนคิดอยากทำร้ายตัวเอง ไม่รู้จะคุยกับใครดี",
    "ถ้ามีเพื่อนบอกว่าอยากทำร้ายตัวเอง เราควรพูดกับเขายังไงดีคะ",
    # typed as NIKHAHIT + SARA AA, the same picture as SARA AM
    "ลูกสาววัยรุ่นแอบทําร้ายตัวเองที่แขน พ่อแม่ควรรับมืออย่างไร",
    "วันนี้อากาศดีมาก ไปกินข้าวมันไก่กับเพื่อนที่ตลาด [MESSENGER_ID]",
    "แนะนำร้านกาแฟที่เชียงใหม่ บรรยากาศดี กาแฟอร่อย [MESSENGER_ID]",
    "ใครดูบอลเมื่อคืนบ้าง สนุกมาก [MESSENGER_ID]",
    "เสาร์นี้ไปเดินตลาดนัดกัน ของกินเยอะมาก [MESSENGER_ID]",
]
EXPECTED = {"แก๊งคอลเซ็นเตอร์", "แชร์ลูกโซ่ออนไลน์", "บัญชีม้า", "ทำร้ายตัวเอง"}


def _thai_pack(folder: Path) -> Path:
    """A Thai pack with what mining reads: pack.yaml, taxonomy.yaml (the scripted draft's lexicons), mining.yaml."""
    folder.mkdir(parents=True)
    info = yaml.safe_load((builtin_packs_dir() / "ko" / "pack.yaml").read_text(encoding="utf-8"))
    info.update(
        code="th", benchmark_name="THSAFE-MM", display_name="Thai", language="th", locale="th-TH", script="Thai"
    )
    info.pop("currency", None)
    tax = yaml.safe_load((builtin_packs_dir() / "ko" / "taxonomy.yaml").read_text(encoding="utf-8"))
    for domain in tax["domains"]:
        domain["local_name"] = DOMAINS[domain["id"]]
    for category in tax["categories"]:
        category["local_name"], category["lexicon"] = CATEGORIES[category["id"]]
    for name, content in (("pack.yaml", info), ("taxonomy.yaml", tax), ("mining.yaml", MINING)):
        (folder / name).write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture
def mined(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, object]], Path]:
    tmp = tmp_path_factory.mktemp("thai")
    pack = _thai_pack(tmp / "th")
    posts = tmp / "posts.jsonl"
    rows = [{"id": f"p{i}", "text": t, "date": f"2025-03-{1 + i:02d}"} for i, t in enumerate(POSTS)]
    posts.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp / "topics.jsonl"
    with pytest.MonkeyPatch.context() as patch:

        def refuse(*args: object, **kwargs: object) -> None:
            raise OSError("network access in an offline run")

        patch.setattr(socket.socket, "connect", refuse)  # PyThaiNLP must not fetch a corpus
        result = CliRunner().invoke(
            app, ["topics", "mine", "--culture", str(pack), "--source", str(posts), "--out", str(out)]
        )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], tmp


def test_thai_topics_are_mined_with_their_exact_spelling(mined: tuple[list[dict[str, object]], Path]) -> None:
    topics, _ = mined
    names = {str(t["name"]) for t in topics}
    assert names == EXPECTED, sorted(names)
    for name in names:
        assert unicodedata.is_normalized("NFC", name)
        assert "\u0e4d" not in name  # SARA AM is one letter, not NIKHAHIT + SARA AA


def test_no_privacy_mask_in_what_the_user_sees(mined: tuple[list[dict[str, object]], Path]) -> None:
    topics, tmp = mined
    dropped = (tmp / "topics.dropped.jsonl").read_text(encoding="utf-8")
    for topic in topics:
        for text in [topic["name"], topic["description"], *topic["keywords"]]:  # type: ignore[misc]
            assert "MESSENGER" not in str(text).upper() and "[" not in str(text), text
    assert "messenger" not in json.dumps([json.loads(x)["label"] for x in dropped.splitlines()]).lower()
    evidence = " ".join(e["excerpt"] for t in topics for e in t["evidence"])  # type: ignore[attr-defined]
    assert "somchai_88" not in evidence and "somchai_88" not in dropped


def test_thai_words_keep_their_marks_and_spelling() -> None:
    assert normalize_text("ทำร้ายตัวเอง") == "ทำร้ายตัวเอง"  # NFKC would split SARA AM
    assert normalize_text("ทําร้าย") == "ทำร้าย"
    assert normalize_text("ＡＩ ｶﾀｶﾅ ㄱ") == "AI カタカナ ᄀ"  # Korean and Japanese folding unchanged
    words = analyzer_for("und").analyze(["ข่าว แชร์ลูกโซ่ออนไลน์ ระวัง"])[0].candidates
    assert "แชร์ลูกโซ่ออนไลน์" in words and "แชร์ลูกโซ่ออนไลน" not in words
    thai = analyzer_for("th", frozenset({"แชร์ลูกโซ่"})).analyze(["ระวังแชร์ลูกโซ่ออนไลน์ที่ชวนลงทุน"])[0]
    assert "แชร์ลูกโซ่ออนไลน์" in thai.candidates and "แชร์ลูกโซ่ออนไลน" not in thai.candidates


def test_thai_person_after_a_title_is_masked() -> None:
    analysis = analyzer_for("th").analyze(["เมื่อวานนายสมชาย ใจดี โดนหลอก"])[0]
    assert analysis.person_spans == [(len("เมื่อวานนาย"), len("เมื่อวานนายสมชาย"))]


def test_an_app_name_inside_a_word_is_not_a_messenger_id() -> None:
    from ksafe.topics.mining.privacy import mask_personal_data

    assert mask_personal_data("offline: illegal_unethical=1.30")[1] == {}  # the classifier's reason, shown to users
    assert mask_personal_data("ติดต่อไลน์ไอดี: somchai_88")[0] == "ติดต่อไลน์ไอดี: [MESSENGER_ID]"
