"""Culture packs from the ``ksafe.cultures`` registry, and entity slots that are pack data, not a closed list."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ksafe.cultures.loader import builtin_packs_dir, list_packs, load_pack, resolve_pack_dir
from ksafe.cultures.registry import PACK_REGISTRY
from ksafe.errors import KsafeError, PackError


@pytest.fixture()
def ko_copy(tmp_path: Path) -> Path:
    target = tmp_path / "ko"
    shutil.copytree(builtin_packs_dir() / "ko", target)
    return target


@pytest.fixture()
def reset_packs() -> Iterator[None]:
    yield
    PACK_REGISTRY.reset()


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _add_slot_to_first_template(pack: Path, slot: str) -> None:
    _replace(
        pack / "templates.yaml",
        'ask: "{chat_room}에서 퍼질 만큼',
        f'ask: "{{{slot}}}에서 퍼질 만큼',
    )


def test_builtin_packs_are_registered_by_ksafe() -> None:
    entries = PACK_REGISTRY.entries()
    assert {"ko", "ja"} <= set(entries) and set(list_packs()) == set(entries)
    assert all(entries[code].distribution == "ksafe" for code in ("ko", "ja"))
    assert resolve_pack_dir("ko") == entries["ko"].value.directory


def test_a_registered_pack_folder_resolves_by_its_code(ko_copy: Path, reset_packs: None) -> None:
    _replace(ko_copy / "pack.yaml", "code: ko", "code: kx")
    PACK_REGISTRY.register(ko_copy, distribution="kx-pack")  # type: ignore[arg-type]
    assert "kx" in list_packs() and resolve_pack_dir("kx") == ko_copy
    assert load_pack("kx", check_font=False).code == "kx"


def test_a_plugin_naming_a_folder_without_a_pack_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KsafeError, match=r"bad-pack.*not a valid culture pack.*holds no pack.yaml"):
        PACK_REGISTRY.register(tmp_path, distribution="bad-pack")  # type: ignore[arg-type]


def test_a_pack_may_add_its_own_entity_slot(ko_copy: Path) -> None:
    _add_slot_to_first_template(ko_copy, "forum")
    with open(ko_copy / "entities.yaml", "a", encoding="utf-8") as handle:
        handle.write('  forum:\n    local: ["동네 커뮤니티", "맘카페"]\n')
    pack = load_pack(ko_copy, check_font=False)
    assert pack.entities.entities["forum"].literal == []


def test_a_template_slot_the_pack_does_not_define_is_named(ko_copy: Path) -> None:
    _add_slot_to_first_template(ko_copy, "forum")
    with pytest.raises(PackError, match=r"templates.yaml.*forum"):
        load_pack(ko_copy, check_font=False)


def test_a_global_slot_stays_required_and_literal_lists_stay_aligned(ko_copy: Path) -> None:
    _replace(ko_copy / "entities.yaml", "  money:\n", "  cash:\n")
    with pytest.raises(PackError, match=r"entities.yaml.*missing slot 'money'"):
        load_pack(ko_copy, check_font=False)
    shutil.copy(builtin_packs_dir() / "ko" / "entities.yaml", ko_copy / "entities.yaml")
    with open(ko_copy / "entities.yaml", "a", encoding="utf-8") as handle:
        handle.write('  forum:\n    literal: ["a forum"]\n    local: ["맘카페"]\n')
    with pytest.raises(PackError, match=r"entities.forum.literal.*only this pack has"):
        load_pack(ko_copy, check_font=False)
