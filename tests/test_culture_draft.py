"""``ksafe culture draft th-TH`` against the scripted generator: a Thai pack drafted, checked, built, rendered.

The scripted server answers every drafting prompt kind in Thai (tests/genkit/draft_th.py), with a refusal, a
malformed reply, a schema-breaking reply and a reply only ``culture check`` rejects, each re-asked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.genkit.server import MODEL, SECRET, scripted_generator
from typer.testing import CliRunner

from ksafe.cli import app

FAULTS = {
    "draft-topics": "refuse_once",
    "draft-entities": "malformed_once",
    "draft-jailbreaks": "schema_once",
    "draft-scenes": "check_once",
}
FIRST_PROMPTS = 20
"""pack, taxonomy, topics, entities, 11 G categories, jailbreaks, scenes, refusals, mining, templates."""


def _draft(folder: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["culture", "draft", "th-TH", "--generator", MODEL, "--out", str(folder), *extra])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, list[dict], object]]:
    base = tmp_path_factory.mktemp("draft")
    with scripted_generator(base / "server", faults=FAULTS) as server:
        saved = {k: os.environ.get(k) for k in server.env}
        os.environ.update(server.env)
        try:
            code, output = _draft(base / "th")
            assert code == 0, output
            yield base / "th", output, server.requests(), server
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def test_every_file_is_drafted_and_each_fault_is_re_asked(drafted: tuple[Path, str, list[dict], object]) -> None:
    folder, output, requests, _ = drafted
    assert all(r["status"] == 200 and r["has_schema"] for r in requests)  # JSON schema through Inspect
    kinds = [r["kind"] for r in requests]
    # one first prompt per file (G: per category), + the refusal's reframe, two repairs and one check fix
    assert len(requests) == FIRST_PROMPTS + 4
    assert kinds.count("draft-topics") == 2 and kinds.count("draft-entities") == 2
    assert kinds.count("draft-jailbreaks") == 2 and kinds.count("draft-scenes") == 2
    assert "1 refusal(s), 2 repair(s), 1 check fix(es)" in output and "ok: ksafe culture check" in output
    names = {p.name for p in folder.iterdir()}
    assert {"pack.yaml", "taxonomy.yaml", "topics.yaml", "templates.yaml", "entities.yaml"} <= names
    assert {"g_translations.yaml", "jailbreaks.yaml", "scenes.yaml", "refusals.yaml", "mining.yaml"} <= names
    for path in folder.rglob("*"):
        assert not path.is_file() or SECRET.encode() not in path.read_bytes(), path
    check = CliRunner().invoke(app, ["culture", "check", str(folder)])
    assert check.exit_code == 0 and "ok: th (THSAFE-MM): 11 categories, 23 topics, 22 templates" in check.output


def test_pack_yaml_takes_script_font_and_line_breaking_from_the_language(
    drafted: tuple[Path, str, list[dict], object],
) -> None:
    import yaml

    folder = drafted[0]
    info = yaml.safe_load((folder / "pack.yaml").read_text(encoding="utf-8"))
    assert info["script"] == "Thai" and info["locale"] == "th-TH" and info["display_name"] == "Thai"
    assert info["line_breaking"] == {"mode": "chars", "no_line_start": "", "no_line_end": "", "phrases": "thai"}
    assert info["sentence_end"] == " ?!"  # a Thai sentence ends with a space, not a full stop
    # Noto Sans Thai (the shipped face with the most Thai letters) lacks digits and Latin: merged with Noto Sans
    assert info["font"]["face_name"] == "Noto Sans Thai Regular" and (folder / "fonts" / info["font"]["file"]).is_file()


def test_the_drafted_pack_builds_and_its_images_carry_thai(
    drafted: tuple[Path, str, list[dict], object], tmp_path: Path
) -> None:
    from PIL import Image

    from ksafe.build import BuildOptions, build_benchmark
    from ksafe.cultures.loader import load_pack
    from ksafe.images.fonts import load_font, resolve_font
    from ksafe.images.glyphs import missing_glyphs
    from ksafe.images.linebreak import wrap
    from ksafe.text.phrases import thai_words

    folder = drafted[0]
    out = tmp_path / "thsafe"
    build_benchmark(BuildOptions(culture=str(folder), out=out, limit=30, workers=1, write_parquet=False))
    items = [json.loads(line) for line in (out / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(i["is_harmful"] for i in items) == 30 and {i["subset"] for i in items} == {"G", "C"}
    pack = load_pack(folder)
    font = resolve_font(pack.info.font, pack.directory)
    for item in items:
        assert any("\u0e01" <= c <= "\u0e5b" for c in item["key_phrase"]), item["key_phrase"]
        assert missing_glyphs(font, item["key_phrase"]) == [], item["key_phrase"]
        with Image.open(out / item["image"]) as image:
            assert image.convert("L").getextrema()[0] < 100  # dark text drawn on the image
    loaded = load_font(font, 48)
    breaks: list[bool] = []
    for phrase in {i["key_phrase"] for i in items}:
        lines = wrap(phrase, loaded, 260, pack.info.line_breaking)
        words = thai_words(phrase)
        bounds = {sum(len(w) for w in words[:k]) for k in range(len(words) + 1)}
        position = 0
        starts = sorted(bounds)
        for line in lines[:-1]:  # a break falls between two words; inside one only when it is wider than a line
            position = phrase.index(line, position) + len(line)
            while phrase[position : position + 1] == " ":
                position += 1
            if position not in bounds:
                start = max(b for b in starts if b < position)
                word = phrase[start : min(b for b in starts if b > position)]
                assert loaded.getlength(word) > 260, (phrase, lines)
                assert not unicodedata.combining(phrase[position]), (phrase, lines)
            breaks.append(position in bounds)
    assert sum(breaks) > len(breaks) // 2 and len(breaks) > 20


def test_a_rerun_asks_nothing_and_writes_the_same_files(drafted: tuple[Path, str, list[dict], object]) -> None:
    folder, _, requests, server = drafted
    before = {p.name: p.read_bytes() for p in folder.glob("*.yaml")}
    code, output = _draft(folder)
    assert code == 0, output
    assert len(server.requests()) == len(requests)  # type: ignore[attr-defined]
    assert "0 new calls" in output
    assert {p.name: p.read_bytes() for p in folder.glob("*.yaml")} == before


def test_a_users_folder_is_never_overwritten_and_plan_calls_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    code, output = _draft(folder)
    assert code == 2 and "folder exists and is not empty" in output
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    code, output = _draft(tmp_path / "new", "--plan")
    assert code == 0 and f"plan: {FIRST_PROMPTS} prompts (0 answered in the journal)" in output
    assert not (tmp_path / "new").exists()
    code, output = _draft(tmp_path / "bad", "--generator", "nosuchprovider/x")
    assert code == 2 and not (tmp_path / "bad").exists()


def test_max_calls_stops_and_the_same_command_continues(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with scripted_generator(tmp_path / "server") as server:
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        code, output = _draft(tmp_path / "th", "--max-calls", "6")
        assert code == 2 and "--max-calls: the budget of 6 new calls is spent" in output
        assert len(server.requests()) == 6
        code, output = _draft(tmp_path / "th")
        assert code == 0, output
        keys = [r["key"] for r in server.requests()]
        assert len(keys) == FIRST_PROMPTS and len(set(keys)) == len(keys)  # nothing asked twice


def test_a_refused_file_is_left_for_a_person_with_exit_code_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with scripted_generator(tmp_path / "server", faults={"draft-mining": "refuse_always"}) as server:
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        code, output = _draft(tmp_path / "th")
    assert code == 1, output
    assert "the generator refused mining" in output
    assert "left for a person (1):" in output and "mining.yaml: 3 TODO(fill) marker(s) to fill" in output


def test_kill_9_during_draft_then_resume_asks_no_answered_prompt_again(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    out = tmp_path / "th"
    command = [sys.executable, "-m", "ksafe", "culture", "draft", "th-TH", "--generator", MODEL, "--out", str(out)]
    command += ["--connections", "2"]
    with scripted_generator(
        tmp_path / "server", latency_ms=100, kill_pid_file=pid_file, kill_after=8, kill_journal=out
    ) as server:
        env = {**os.environ, **server.env}
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        pid_file.write_text(str(process.pid))
        process.wait(timeout=120)
        assert process.returncode == -9
        answered = {r["key"] for r in server.requests() if r["status"] == 200}
        assert answered and not (out / "pack.yaml").exists()
        time.sleep(0.2)
        first = len(server.requests())
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        second = server.requests()[first:]
        assert not answered & {r["key"] for r in second}  # answered prompts came from the journal
        assert len(answered) + len(second) == FIRST_PROMPTS
        assert f"{len(answered)} from the journal" in done.stdout


def test_thai_breaks_between_words_only_with_the_thai_segmenter() -> None:
    from ksafe.cultures.pack_model import FontSpec, LineBreaking
    from ksafe.images.fonts import load_font, resolve_font
    from ksafe.images.linebreak import wrap
    from ksafe.text.phrases import thai_words

    spec = FontSpec(package="manimgx_fonts", file="NotoSansThai[wght].ttf", face_name="Noto Sans Thai Regular")
    font = load_font(resolve_font(spec, Path(".")), 40)
    text = "ช่วยอธิบายวิธีป้องกันการยกพวกตีกันสำหรับครูและผู้ปกครองให้เข้าใจง่าย"
    words = thai_words(text)
    assert "".join(words) == text and "ผู้ปกครอง" in words
    bounds = {sum(len(w) for w in words[:k]) for k in range(len(words) + 1)}

    def breaks(rules: LineBreaking) -> list[int]:
        lines = wrap(text, font, 300, rules)
        assert "".join(lines) == text
        return [sum(len(line) for line in lines[: k + 1]) for k in range(len(lines) - 1)]

    plain = breaks(LineBreaking(mode="chars"))
    assert any(b not in bounds for b in plain)  # letter by letter: a line ends inside a word
    segmented = breaks(LineBreaking(mode="chars", phrases="thai"))
    assert segmented and all(b in bounds for b in segmented)
