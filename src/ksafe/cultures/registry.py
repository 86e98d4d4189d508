"""Registry of installed culture packs: entry-point group ``ksafe.cultures``.

Input: installed entry points, each naming a pack folder (a ``Path``, an ``importlib.resources`` traversable,
or a zero-argument function returning one or a list of them). Output: ``PackLocation`` records keyed by the
pack code written in each folder's ``pack.yaml``. Side effects: the first lookup imports the entry points'
modules and reads each ``pack.yaml`` (nothing else: a pack is validated only when it is loaded).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from ksafe.plugins import GROUP_CULTURES, Registry


@dataclass(frozen=True)
class PackLocation:
    """An installed culture pack: its code and its folder."""

    code: str
    """The ``code`` in the pack's ``pack.yaml`` (what ``--culture`` takes)."""
    directory: Path
    """The folder holding ``pack.yaml`` and the other pack files."""


def _check_location(obj: object) -> PackLocation:
    from ksafe.cultures.yaml_io import read_yaml

    if isinstance(obj, PackLocation):
        return obj
    if not isinstance(obj, Path | Traversable | str):
        raise TypeError(f"expected a pack folder (Path or importlib.resources traversable), got {type(obj).__name__}")
    directory = Path(str(obj))
    if not (directory / "pack.yaml").is_file():
        raise ValueError(f"{directory} holds no pack.yaml (is the pack folder shipped as package data?)")
    raw = read_yaml(directory / "pack.yaml")
    code = raw.get("code") if isinstance(raw, dict) else None
    if not isinstance(code, str) or not code or "/" in code:
        raise ValueError(f"{directory / 'pack.yaml'}: code: missing or not a plain pack code")
    return PackLocation(code=code, directory=directory)


PACK_REGISTRY: Registry[PackLocation] = Registry(
    GROUP_CULTURES, "culture pack", lambda location: location.code, check=_check_location
)
"""Every installed pack: ksafe's (``ko``, ``ja``) first, then plugin packs in distribution order."""
