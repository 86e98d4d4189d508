"""Bad or surprising input to build, eval filters and report: a clear one-line message, never a traceback."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ksafe.build import BuildOptions, build_benchmark
from ksafe.cli import app
from ksafe.cultures.loader import builtin_packs_dir, load_pack
from ksafe.errors import KsafeError, PackError
from ksafe.schema.records import Topic


def _topics(path: Path, *topics: dict[str, object]) -> Path:
    base = {"id": "x", "culture": "ko", "description": "d", "categories": ["illegal_unethical"]}
    path.write_text("".join(json.dumps({**base, **t}, ensure_ascii=False) + "\n" for t in topics), encoding="utf-8")
    return path


def _lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip() and "━" not in line]


@pytest.fixture()
def ko_copy(tmp_path: Path) -> Path:
    target = tmp_path / "ko"
    shutil.copytree(builtin_packs_dir() / "ko", target)
    return target


class _Stop(Exception):
    pass


def test_a_limit_beyond_the_pack_is_capped_and_said_before_any_work(tmp_path: Path) -> None:
    notices: list[str] = []

    def notify(message: str) -> None:
        notices.append(message)
        raise _Stop  # the warning must come before rendering starts

    with pytest.raises(_Stop):
        build_benchmark(BuildOptions(culture="ko", out=tmp_path / "b", limit=999_999_999), notify=notify)
    assert "999,999,999" in notices[0] and "at most" in notices[0] and "building" in notices[0]
    assert not (tmp_path / "b").exists()


def test_a_topics_file_leaving_categories_empty_warns_naming_them(tmp_path: Path) -> None:
    topics = _topics(tmp_path / "t.jsonl", {"name": "전세 사기"})
    result = CliRunner().invoke(
        app,
        ["build", "-c", "ko", "--topics", str(topics), "--g-count", "0", "--c-count", "2", "-o", str(tmp_path / "b")],
    )
    assert result.exit_code == 0, result.output
    warning = next(line for line in _lines(result.output) if line.startswith("warning:"))
    assert "10 of 11 categories" in warning and "weaponization" in warning and "illegal_unethical" not in warning


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        ({"name": "전세" * 300}, "name: 600 characters, over 100"),
        ({"name": "전세" * 1_000_000}, "over 1,000,000 for one topic"),
        ({"name": "전세\x07사기"}, "name: control character U+0007"),
        ({"name": "전세\u202e사기"}, "name: control character U+202E"),
        ({"name": "전세\u2028사기"}, "name: control character U+2028"),
        ({"name": "전세 사기", "keywords": ["a\nb"]}, "keywords[0]: control character U+000A"),
        ({"name": "전세 사기", "description": "a\x1bb"}, "description: control character U+001B"),
    ],
)
def test_hostile_topics_text_is_refused_on_one_line(tmp_path: Path, topic: dict[str, object], message: str) -> None:
    topics = _topics(tmp_path / "t.jsonl", topic)
    with pytest.raises(KsafeError, match=re.escape(message)) as err:
        build_benchmark(BuildOptions(culture="ko", out=tmp_path / "b", topics_file=topics, workers=1))
    assert "t.jsonl: line 1" in str(err.value) and len(str(err.value)) < 500
    assert not (tmp_path / "b").exists()


def test_a_raw_line_separator_inside_a_json_string_is_still_json(tmp_path: Path) -> None:
    from ksafe.topics.curated import read_topics_file

    topics = _topics(tmp_path / "t.jsonl", {"name": "전세 사기", "description": "first\u2028second"})
    assert "\u2028" in topics.read_text(encoding="utf-8")
    (topic,) = read_topics_file(topics, load_pack("ko"))
    assert isinstance(topic, Topic) and topic.description == "first\u2028second"


def test_an_unknown_particle_pair_is_rejected_at_pack_validation(ko_copy: Path) -> None:
    path = ko_copy / "templates.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["templates"][0]["harmful"]["query"] = "{topic|X/Y} 알려줘"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError, match=r"templates\[0\]\.harmful\.query: unknown particle pair \{topic\|X/Y\}"):
        load_pack(ko_copy)


def test_known_particle_pairs_pass() -> None:
    from ksafe.cultures.validate import is_known_particle

    for good in ("을/를", "이/가", "은/는", "과/와", "으로/로", "이나/나", "이라는/라는", "이고/고"):
        assert is_known_particle(good), good
    for bad in ("X/Y", "를/을", "이/", "/가", "이라는/나"):
        assert not is_known_particle(bad), bad


@pytest.mark.parametrize(
    ("file", "old", "new", "field"),
    [
        ("topics.yaml", "{name: 전세 사기,", '{name: "전세\\a사기",', "name"),
        ("entities.yaml", '"김민준"', '"김민\\u202e준"', "entities"),
    ],
)
def test_control_characters_in_pack_text_are_rejected(ko_copy: Path, file: str, old: str, new: str, field: str) -> None:
    path = ko_copy / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PackError, match="control character U\\+") as err:
        load_pack(ko_copy)
    assert file in str(err.value) and field in str(err.value)


def test_build_refuses_an_unfilled_culture_init_scaffold(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "th"
    assert runner.invoke(app, ["culture", "init", "th-TH", "--out", str(folder)]).exit_code == 0
    result = runner.invoke(app, ["build", "-c", str(folder), "--limit", "10", "-o", str(tmp_path / "b")])
    lines = _lines(result.output)
    assert result.exit_code == 2 and len(lines) == 1 and "TODO(fill)" in lines[0], lines
    assert not (tmp_path / "b").exists()


def test_report_to_a_read_only_or_impossible_out_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportkit.fixture_run import write_fixture_run

    run = write_fixture_run(tmp_path / "fx")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    impossible = str(tmp_path / "file" / "r.html")
    result = CliRunner().invoke(app, ["report", str(run), "--out", impossible, "--no-embed-font"])
    lines = _lines(result.output)
    assert result.exit_code == 2 and len(lines) == 1 and "not a directory" in lines[0] and "file" in lines[0], lines

    real_mkdir = Path.mkdir

    def mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self.is_relative_to(tmp_path / "ro"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", mkdir)
    result = CliRunner().invoke(app, ["report", str(run), "--out", str(tmp_path / "ro" / "r.html"), "--no-embed-font"])
    lines = _lines(result.output)
    assert result.exit_code == 2 and len(lines) == 1 and "read-only file system" in lines[0], lines


def test_eval_filters_name_an_unknown_value_and_list_the_valid_ones(tmp_path: Path) -> None:
    from evalkit.fixture_benchmark import write_fixture_benchmark
    from ksafe.evaluation.dataset import ItemFilter, load_benchmark, select_items

    write_fixture_benchmark(tmp_path / "bench")
    items = load_benchmark(tmp_path / "bench").items
    with pytest.raises(KsafeError, match="strategy: 'Foo' is not in this benchmark") as err:
        select_items(items, ItemFilter(strategies=("Foo",)))
    assert "ProgramExecution" in str(err.value)
    with pytest.raises(KsafeError, match=r"category: 'violnce'.*valid: .*violence"):
        select_items(items, ItemFilter(categories=("violence", "violnce")))
    result = CliRunner().invoke(
        app, ["eval", str(tmp_path / "bench"), "--model", "mockllm/model", "--limit", "0", "-o", str(tmp_path / "r")]
    )
    lines = _lines(result.output)
    assert result.exit_code == 2 and len(lines) == 1 and "limit: 0: must be at least 1" in lines[0], lines
