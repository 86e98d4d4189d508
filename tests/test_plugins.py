"""The entry-point registry core: load order, factories, and one-line errors naming the plugin."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ksafe import plugins
from ksafe.errors import KsafeError
from ksafe.plugins import Registry

GROUP = "ksafe.test_things"


@dataclass(frozen=True)
class Thing:
    name: str


def _check(obj: object) -> Thing:
    if not isinstance(obj, Thing):
        raise TypeError(f"got {type(obj).__name__}")
    return obj


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("thing_plugin")]:
        del sys.modules[name]


def _distribution(site: Path, name: str, entries: dict[str, str], module: str = "") -> None:
    """An installed distribution as pip leaves it: a dist-info folder with entry_points.txt, and a module."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    lines = "".join(f"{key} = {value}\n" for key, value in entries.items())
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n{lines}", encoding="utf-8")
    if module:
        (site / f"{name.replace('-', '_')}.py").write_text(module, encoding="utf-8")


MODULE = """
from tests_thing import Thing
"""


def _registry() -> Registry[Thing]:
    return Registry(GROUP, "thing", lambda thing: thing.name, check=_check)


@pytest.fixture(autouse=True)
def thing_module(monkeypatch: pytest.MonkeyPatch) -> None:
    module = type(sys)("tests_thing")
    module.Thing = Thing  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tests_thing", module)


def test_objects_lists_and_factories_load_in_distribution_order(site: Path) -> None:
    _distribution(
        site,
        "thing-plugin-b",
        {"one": "thing_plugin_b:ONE", "many": "thing_plugin_b:many"},
        MODULE + "ONE = Thing('b1')\ndef many():\n    return [Thing('b2'), Thing('b3')]\n",
    )
    _distribution(site, "thing-plugin-a", {"all": "thing_plugin_a:ALL"}, MODULE + "ALL = (Thing('a1'),)\n")
    registry = _registry()
    assert registry.names() == ["a1", "b2", "b3", "b1"]  # by distribution, entry name (many < one), list order
    assert registry.entries()["b1"].distribution == "thing-plugin-b"
    assert not registry.entries()["b1"].is_builtin
    assert registry.get("a1") == Thing("a1") and "a1" in registry


def test_a_name_registered_twice_names_both_distributions(site: Path) -> None:
    _distribution(site, "thing-plugin-a", {"x": "thing_plugin_a:X"}, MODULE + "X = Thing('same')\n")
    _distribution(site, "thing-plugin-b", {"x": "thing_plugin_b:X"}, MODULE + "X = Thing('same')\n")
    with pytest.raises(KsafeError, match=r"'same' is registered twice .*thing-plugin-a.*thing-plugin-b"):
        _registry().names()


def test_a_broken_plugin_is_one_line_naming_it(site: Path) -> None:
    _distribution(site, "thing-plugin-a", {"bad": "thing_plugin_a:MISSING"}, MODULE)
    with pytest.raises(KsafeError, match=r"plugin 'bad' .*thing-plugin-a.*failed to load: AttributeError"):
        _registry().names()


def test_a_wrong_object_is_refused_by_the_check(site: Path) -> None:
    _distribution(site, "thing-plugin-a", {"bad": "thing_plugin_a:X"}, MODULE + "X = 'not a thing'\n")
    with pytest.raises(KsafeError, match=r"thing-plugin-a .* is not a valid thing: got str"):
        _registry().names()


def test_unknown_name_lists_the_known_ones_and_register_reset(site: Path) -> None:
    registry = _registry()
    registry.register(Thing("mine"))
    with pytest.raises(KsafeError, match=r"unknown thing 'other' \(known: mine\)"):
        registry.get("other")
    registry.reset()
    assert registry.names() == []


def test_a_builtin_group_without_ksafe_entries_is_a_stale_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugins, "BUILTIN_GROUPS", {GROUP})
    with pytest.raises(KsafeError, match="reinstall"):
        _registry().names()


def test_every_builtin_group_has_ksafe_entries() -> None:
    for group in plugins.BUILTIN_GROUPS - {plugins.GROUP_GUARD_FORMATS}:
        assert any(dist == "ksafe" for _, _, dist in plugins.installed_entry_points(group)), group
