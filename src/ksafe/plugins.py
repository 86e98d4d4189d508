"""Plugin registries fed by Python entry points: one per extension point.

Input: the installed distributions' entry points in the ``ksafe.*`` groups below. Output: name -> object
maps, loaded on first use. Side effects: importing the modules the entry points name (only when a
registry is first read, never at ``import ksafe``).

ksafe's built-ins register exactly as a third-party package does, in ``pyproject.toml``::

    [project.entry-points."ksafe.strategies"]
    builtin = "ksafe.jailbreaks.builtin:STRATEGIES"

An entry point may name one object, a list/tuple of objects, or a zero-argument function returning
either. Each object is keyed by the registry's ``name_of`` (e.g. a strategy's ``name``). Built-ins load
first, then plugins in distribution-name order, so listings are stable. Two objects with one name are an
error naming both distributions: a plugin never silently replaces a built-in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

from ksafe.errors import KsafeError

T = TypeVar("T")

GROUP_STRATEGIES = "ksafe.strategies"
GROUP_TRANSFORMS = "ksafe.transforms"
GROUP_IMAGE_SOURCES = "ksafe.image_sources"
GROUP_JUDGES = "ksafe.judges"
GROUP_GUARD_FORMATS = "ksafe.guard_formats"
GROUP_CULTURES = "ksafe.cultures"
GROUP_IMAGE_GENERATORS = "ksafe.image_generators"
"""Image generator backends (diffusers, images APIs) behind the generated-picture kinds (the image work's)."""

GROUPS: tuple[str, ...] = (
    GROUP_STRATEGIES,
    GROUP_TRANSFORMS,
    GROUP_IMAGE_SOURCES,
    GROUP_IMAGE_GENERATORS,
    GROUP_JUDGES,
    GROUP_GUARD_FORMATS,
    GROUP_CULTURES,
)
"""Every ksafe extension point, in listing order."""

BUILTIN_DISTRIBUTION = "ksafe"

BUILTIN_GROUPS: set[str] = {
    GROUP_STRATEGIES,
    GROUP_TRANSFORMS,
    GROUP_IMAGE_SOURCES,
    GROUP_JUDGES,
    GROUP_GUARD_FORMATS,
    GROUP_CULTURES,
}
"""Groups where ksafe itself registers objects: finding none there means a stale install, not "no plugins"."""


@dataclass(frozen=True)
class Registered(Generic[T]):
    """One registered object and where it came from."""

    name: str
    value: T
    distribution: str
    """The installed distribution that registered it (``ksafe`` for built-ins, ``<in-process>``)."""

    @property
    def is_builtin(self) -> bool:
        """Did ksafe itself register it?"""
        return self.distribution == BUILTIN_DISTRIBUTION


def _distribution_of(entry: EntryPoint) -> str:
    dist = getattr(entry, "dist", None)
    name = getattr(dist, "name", None) if dist is not None else None
    return str(name) if name else "<unknown>"


def _listing_order(entry: EntryPoint) -> tuple[bool, str, str]:
    dist = _distribution_of(entry)
    return (dist != BUILTIN_DISTRIBUTION, dist, entry.name)


def _as_objects(loaded: object) -> list[object]:
    if isinstance(loaded, list | tuple):
        return list(loaded)
    if callable(loaded) and not isinstance(loaded, type) and getattr(loaded, "__ksafe_plugin_factory__", True):
        produced = loaded()
        return list(produced) if isinstance(produced, list | tuple) else [produced]
    return [loaded]


class Registry(Generic[T]):
    """Objects of one kind registered under the entry-point group ``group``.

    Args:
        group: Entry-point group, e.g. ``ksafe.strategies``.
        kind: What the objects are, for messages (``jailbreak strategy``).
        name_of: The name an object is registered and looked up under.
        check: Optional validation of each loaded object; raise ``TypeError`` to reject it.
        factory_entries: When True (default), an entry point naming a plain function is called to produce
            the objects. Registries whose objects are themselves callables (judges, image sources made by a
            factory) set it False and get the function itself.
    """

    def __init__(
        self,
        group: str,
        kind: str,
        name_of: Callable[[T], str],
        check: Callable[[object], T] | None = None,
        factory_entries: bool = True,
    ) -> None:
        self.group = group
        self.kind = kind
        self._name_of = name_of
        self._check = check
        self._factory_entries = factory_entries
        self._items: dict[str, Registered[T]] | None = None
        self._extra: list[Registered[T]] = []
        self._lock = threading.Lock()

    def _objects(self, loaded: object) -> list[object]:
        if self._factory_entries:
            return _as_objects(loaded)
        return list(loaded) if isinstance(loaded, list | tuple) else [loaded]

    def _load(self) -> dict[str, Registered[T]]:
        entries = sorted(entry_points(group=self.group), key=_listing_order)
        if self.group in BUILTIN_GROUPS and not any(_distribution_of(e) == BUILTIN_DISTRIBUTION for e in entries):
            raise KsafeError(
                f"no built-in {self.kind} is registered in {self.group}: ksafe's entry points are missing or stale "
                "(reinstall it: pip install -e . or pip install ksafe)"
            )
        items: dict[str, Registered[T]] = {}
        for entry in entries:
            dist = _distribution_of(entry)
            try:
                loaded = entry.load()
                objects = self._objects(loaded)
            except KsafeError:
                raise
            except Exception as exc:  # a broken plugin is named, never a traceback
                raise KsafeError(
                    f"plugin {entry.name!r} ({entry.value}) from {dist} in {self.group} failed to load: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            for obj in objects:
                self._add(items, obj, dist, entry.value)
        for extra in self._extra:
            self._add(items, extra.value, extra.distribution, "register()")
        return items

    def _validated(self, obj: object, dist: str, origin: str) -> tuple[str, T]:
        try:
            value: T = self._check(obj) if self._check else obj  # type: ignore[assignment]
            return self._name_of(value), value
        except (TypeError, AttributeError, ValueError) as exc:
            raise KsafeError(f"plugin {origin} from {dist} in {self.group} is not a valid {self.kind}: {exc}") from exc

    def _add(self, items: dict[str, Registered[T]], obj: object, dist: str, origin: str) -> None:
        name, value = self._validated(obj, dist, origin)
        if name in items:
            first = items[name].distribution
            raise KsafeError(f"{self.kind} {name!r} is registered twice in {self.group} (by {first} and by {dist})")
        items[name] = Registered(name=name, value=value, distribution=dist)

    def entries(self) -> dict[str, Registered[T]]:
        """Every registered object with its origin, in listing order."""
        with self._lock:
            if self._items is None:
                self._items = self._load()
            return self._items

    def get(self, name: str) -> T:
        """The object registered as ``name``.

        Raises:
            KsafeError: nothing has that name (the message lists the known names).
        """
        found = self.entries().get(name)
        if found is None:
            known = ", ".join(self.entries()) or "none"
            raise KsafeError(f"unknown {self.kind} {name!r} (known: {known})")
        return found.value

    def names(self) -> list[str]:
        """Registered names in listing order (built-ins first)."""
        return list(self.entries())

    def values(self) -> list[T]:
        """Registered objects in listing order."""
        return [item.value for item in self.entries().values()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self.entries()

    def __iter__(self) -> Iterator[T]:
        return iter(self.values())

    def register(self, obj: T, distribution: str = "<in-process>") -> None:
        """Add ``obj`` in this process (for notebooks and tests; packages use entry points).

        Raises:
            KsafeError: ``obj`` fails the registry's check (a name clash is reported on the next lookup).
        """
        name, value = self._validated(obj, distribution, "register()")
        with self._lock:
            self._extra.append(Registered(name=name, value=value, distribution=distribution))
            self._items = None

    def reset(self) -> None:
        """Forget loaded entry points and in-process registrations (re-read on next use)."""
        with self._lock:
            self._items = None
            self._extra.clear()

    def reload(self) -> None:
        """Re-read entry points on next use, keeping in-process registrations (after installing a plugin)."""
        with self._lock:
            self._items = None


def installed_entry_points(group: str) -> list[tuple[str, str, str]]:
    """``(entry name, target, distribution)`` of every entry point in ``group``, built-ins first; loads nothing."""
    entries = sorted(entry_points(group=group), key=_listing_order)
    return [(entry.name, entry.value, _distribution_of(entry)) for entry in entries]


def not_a_factory(function: Callable[..., object]) -> Callable[..., object]:
    """Mark a function an entry point names as the plugin itself, not a factory to call."""
    function.__ksafe_plugin_factory__ = False  # type: ignore[attr-defined]
    return function


def names_in(objects: Iterable[object], attribute: str = "name") -> list[str]:
    """The ``attribute`` of each object (a helper for listing commands)."""
    return [str(getattr(obj, attribute)) for obj in objects]
