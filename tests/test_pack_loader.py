"""Invalid packs give one-line errors naming the file and field, exit code 2, and leave earlier builds alone."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ksafe.cultures.loader import builtin_packs_dir, list_packs, load_pack
from ksafe.errors import PackError


@pytest.fixture()
def ko_copy(tmp_path: Path) -> Path:
    target = tmp_path / "ko"
    shutil.copytree(builtin_packs_dir() / "ko", target)
    return target


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_builtin_packs_load() -> None:
    assert {"ko", "ja"} <= set(list_packs())
    for code in ("ko", "ja"):
        pack = load_pack(code)
        assert pack.code == code
        assert len(pack.taxonomy.categories) >= 11


def test_unknown_key_names_file_and_field(ko_copy: Path) -> None:
    _replace(ko_copy / "pack.yaml", "locale:", "colour: red\nlocale:")
    with pytest.raises(PackError) as err:
        load_pack(ko_copy)
    assert "pack.yaml" in str(err.value) and "colour" in str(err.value) and "unknown key" in str(err.value)


def test_duplicate_key_is_an_error(ko_copy: Path) -> None:
    _replace(ko_copy / "pack.yaml", "locale:", "language: ko\nlocale:")
    with pytest.raises(PackError, match=r"pack\.yaml: line \d+: duplicate key 'language'"):
        load_pack(ko_copy)


def test_missing_category_is_an_error(ko_copy: Path) -> None:
    path = ko_copy / "taxonomy.yaml"
    text = path.read_text(encoding="utf-8")
    assert "id: weaponization" in text
    path.write_text(text.replace("id: weaponization", "id: weaponization_renamed"), encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_pack(ko_copy)
    assert "taxonomy.yaml" in str(err.value) and "weaponization" in str(err.value)


def test_missing_glyph_is_an_error_naming_the_character(ko_copy: Path) -> None:
    path = ko_copy / "topics.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["topics"][0]["name"] = "\U00013000" + data["topics"][0]["name"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_pack(ko_copy)
    message = str(err.value)
    assert "topics.yaml" in message and "U+13000" in message and "topics[0].name" in message


def test_bad_template_placeholder_is_an_error(ko_copy: Path) -> None:
    path = ko_copy / "templates.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["templates"][2]["harmful"]["query"] = "{topic} {topik}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_pack(ko_copy)
    assert "templates.yaml: templates[2].harmful.query" in str(err.value) and "topik" in str(err.value)


def test_cli_exits_2_with_one_line_and_keeps_earlier_build(ko_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    out.mkdir()
    earlier = out / "items.jsonl"
    earlier.write_text("earlier build\n", encoding="utf-8")
    _replace(ko_copy / "pack.yaml", "locale:", "colour: red\nlocale:")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ksafe",
            "build",
            "--culture",
            str(ko_copy),
            "--out",
            str(out),
            "--limit",
            "20",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "pack.yaml" in lines[0]
    assert earlier.read_text(encoding="utf-8") == "earlier build\n"
    assert sorted(p.name for p in out.iterdir()) == ["items.jsonl"]


def test_unknown_culture_lists_known_ones() -> None:
    with pytest.raises(PackError, match="ko"):
        load_pack("zz")


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        ("pack.yaml", lambda d: d.setdefault("image_prompts", {}).update(typography="see {phrase}"), "phrase"),
        (
            "pack.yaml",
            lambda d: d.setdefault("image_prompts", {}).update(hologram="{prompt}"),
            "image_prompts.hologram",
        ),
        (
            "jailbreaks.yaml",
            lambda d: d["jailbreaks"]["SudoMode"].update(template="{transformed} {prompt}"),
            "transformed",
        ),
        ("templates.yaml", lambda d: d["templates"][0]["benign"].update(key_phrase=" "), "is empty"),
    ],
)
def test_late_failures_are_caught_by_validation(ko_copy: Path, file: str, edit: object, expected: str) -> None:
    path = ko_copy / file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_pack(ko_copy)
    assert file in str(err.value) and expected in str(err.value)


def test_non_text_mapping_key_is_a_pack_error(ko_copy: Path) -> None:
    path = ko_copy / "scenes.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "? [a, b]\n: 1\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"scenes\.yaml: line \d+: a mapping key must be plain text"):
        load_pack(ko_copy)


def test_check_jailbreak_checks_one_strategys_wrappers_by_the_packs_rules() -> None:
    """The public check ``culture check`` runs per strategy, and the build's wrapper generator reuses."""
    from ksafe.cultures.pack_model import JailbreakEntry
    from ksafe.cultures.validate import check_jailbreak

    check_jailbreak(
        "CharacterRolePlay", JailbreakEntry(template="너는 탐정이야. {prompt}", variants=["역할극: {prompt}"])
    )
    with pytest.raises(PackError, match=r"^x.yaml: jailbreaks.CharacterRolePlay.variants\[0\]: the wrapper must"):
        check_jailbreak("CharacterRolePlay", JailbreakEntry(template="{prompt}", variants=["없음"]), "x.yaml")
    with pytest.raises(PackError, match=r"jailbreaks.CharacterRolePlay.template: .*transformed"):
        check_jailbreak("CharacterRolePlay", JailbreakEntry(template="{transformed} {prompt}"))
    with pytest.raises(PackError, match=r"jailbreaks.ChoseongAbbreviation.transform: ChoseongAbbreviation needs"):
        check_jailbreak("ChoseongAbbreviation", JailbreakEntry(template="{transformed} {prompt}"))
    with pytest.raises(PackError, match=r"Romanization.template: fixed particle in \"\{transformed\}'를\""):
        check_jailbreak(
            "Romanization", JailbreakEntry(template="표기 '{transformed}'를 읽고 {prompt}", transform="hangul_romanize")
        )
    check_jailbreak(
        "Romanization", JailbreakEntry(template="표기 {transformed|을/를} 읽고 {prompt}", transform="hangul_romanize")
    )
    check_jailbreak(
        "Romanization", JailbreakEntry(template="표기 {transformed}의 뜻: {prompt}", transform="hangul_romanize")
    )
    with pytest.raises(PackError, match=r"^jailbreaks.yaml: jailbreaks.NoSuchStrategy: "):
        check_jailbreak("NoSuchStrategy", JailbreakEntry(template="{prompt}"))
