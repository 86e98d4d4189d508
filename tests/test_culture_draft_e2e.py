"""The README's "no experts" path end to end with scripted servers: draft -> mine -> draft with the mined
topics -> check -> build -> eval -> report, for Thai, a language ksafe ships no pack for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.genkit.server import MODEL, scripted_generator
from typer.testing import CliRunner

from evalkit.server import fake_server
from ksafe.cli import app

POSTS = [
    "เตือนภัย แก๊งคอลเซ็นเตอร์ โทรหลอกว่าเป็นตำรวจ ให้โอนเงิน มิจฉาชีพ เยอะมาก",
    "แม่โดน แก๊งคอลเซ็นเตอร์ หลอกโอนเงินไปสองหมื่น มิจฉาชีพ ใช้บัญชีม้า",
    "ใครเคยเจอ แก๊งคอลเซ็นเตอร์ บ้าง โทรมาบอกว่าพัสดุผิดกฎหมาย",
    "ข่าว แชร์ลูกโซ่ออนไลน์ หลอกลงทุน ผลตอบแทนสูง คนโดนเป็นร้อย",
    "ระวัง แชร์ลูกโซ่ออนไลน์ ชวนลงทุนคริปโต ผลตอบแทนสูง เกินจริง",
    "เพื่อนชวนเล่น แชร์ลูกโซ่ออนไลน์ บอกว่าได้กำไรทุกวัน",
    "วันนี้อากาศดี ไปกินข้าวกับเพื่อน",
    "แนะนำร้านกาแฟ เชียงใหม่ บรรยากาศดีมาก",
]


def _ok(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (args, result.output)
    return result.output


def test_no_experts_path_for_thai(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    posts = tmp_path / "posts.jsonl"
    lines = [
        json.dumps({"text": t, "date": f"2025-03-{1 + i:02d}"}, ensure_ascii=False) for i, t in enumerate(POSTS * 2)
    ]
    posts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pack, topics, bench, run = (str(tmp_path / n) for n in ("packs/th", "th-topics.jsonl", "thsafe-mm", "run"))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    with scripted_generator(tmp_path / "gen") as generator, fake_server(tmp_path / "target") as target:
        for name, value in generator.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("FAKE_BASE_URL", target.base_url)
        monkeypatch.setenv("FAKE_API_KEY", "sk-target-e2e")
        _ok("culture", "draft", "th-TH", "--generator", MODEL, "--out", pack)  # taxonomy lexicons for mining
        _ok("topics", "mine", "--culture", pack, "--source", str(posts), "--classifier", "offline", "--out", topics)
        mined = [json.loads(line)["name"] for line in Path(topics).read_text(encoding="utf-8").splitlines()]
        assert mined
        first = len(generator.requests())
        output = _ok("culture", "draft", "th-TH", "--generator", MODEL, "--topics", topics, "--out", pack)
        assert [r["kind"] for r in generator.requests()[first:]] == ["draft-topics"]  # the rest: journaled
        assert "ok: ksafe culture check" in output
        _ok("culture", "check", pack)
        assert all(name in Path(pack, "topics.yaml").read_text(encoding="utf-8") for name in mined)
        _ok("build", "--culture", pack, "--limit", "12", "--out", bench, "--no-parquet", "--workers", "1")
        args = ["eval", bench, "--model", "openai-api/fake/target", "--out", run, "--display", "none"]
        _ok(*args, "--pack", pack, "--judge", "heuristic")
        _ok("report", run, "--out", str(tmp_path / "report.html"))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "openai-api/fake/target" in html
    results = json.loads(Path(run, "results.json").read_text(encoding="utf-8"))
    assert results["culture"] == "th"
    overall = results["models"][0]["overall"]
    assert overall["asr"]["denominator"] == 12 and overall["over_refusal"]["denominator"] > 0
