"""Keep ``ksafe --help`` fast: Typer's help renderer is imported without rich's Markdown and Traceback modules.

``typer.rich_utils`` (imported by Typer to print any help page or usage error) imports ``rich.markdown``
(markdown-it, pygments) and ``rich.traceback`` at module level, about half the time ``ksafe --help`` takes,
although ksafe's help is rich markup (``Markdown`` is built only in ``rich_markup_mode="markdown"``) and its
pretty exceptions are off (``Traceback`` is built only for them). ``install()`` puts a finder on
``sys.meta_path`` that, while ``typer.rich_utils`` executes, serves those two modules as stand-ins whose
``Markdown`` and ``Traceback`` import the real class on first use; the stand-ins are removed from
``sys.modules`` as soon as ``typer.rich_utils`` is loaded, so any later ``import rich.markdown`` gets the
real module. A name the stand-ins do not know imports the real module at once (correct, only slower).
The help text is unchanged. Side effects: one entry on ``sys.meta_path`` until ``typer.rich_utils`` loads.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from collections.abc import Sequence
from typing import Any

TARGET = "typer.rich_utils"
DEFERRED: dict[str, tuple[str, tuple[str, ...]]] = {
    "rich.markdown": ("Markdown", ()),
    "rich.traceback": ("Traceback", ("from_exception",)),
}
"""Module -> (the class ``typer.rich_utils`` imports from it, its class methods it calls)."""


def _real(module_name: str) -> types.ModuleType:
    """The real module (a stand-in still in ``sys.modules`` is dropped first)."""
    current = sys.modules.get(module_name)
    if isinstance(current, _StandInModule):
        del sys.modules[module_name]
    return importlib.import_module(module_name)


class _StandInModule(types.ModuleType):
    """A module holding one lazy class; any other attribute is the real module's."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(_real(self.__name__), attr)


def _lazy_class(module_name: str, class_name: str, class_methods: Sequence[str]) -> type:
    """A class whose construction (and listed class methods) build the real ``module_name.class_name``."""

    def real_class() -> Any:
        return getattr(_real(module_name), class_name)

    def new(cls: type, *args: Any, **kwargs: Any) -> Any:
        return real_class()(*args, **kwargs)

    namespace: dict[str, Any] = {"__new__": new, "__module__": module_name, "__doc__": f"Lazy {class_name}."}
    for method in class_methods:

        def forward(cls: type, *args: Any, _method: str = method, **kwargs: Any) -> Any:
            return getattr(real_class(), _method)(*args, **kwargs)

        namespace[method] = classmethod(forward)
    return type(class_name, (), namespace)


class _Finder:
    """Finds ``typer.rich_utils`` through the normal path finder and runs it with the stand-ins seeded."""

    def find_spec(self, name: str, path: Sequence[str] | None, target: types.ModuleType | None = None) -> Any:
        if name != TARGET:
            return None
        uninstall()
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = getattr(spec, "loader", None)
        if spec is None or not hasattr(loader, "exec_module"):
            return spec
        real_exec = loader.exec_module  # type: ignore[union-attr]

        def exec_module(module: types.ModuleType) -> None:
            seeded = {}
            for module_name, (class_name, methods) in DEFERRED.items():
                if module_name not in sys.modules:
                    stand_in = _StandInModule(module_name)
                    setattr(stand_in, class_name, _lazy_class(module_name, class_name, methods))
                    seeded[module_name] = sys.modules[module_name] = stand_in
            try:
                real_exec(module)
            finally:
                for module_name, stand_in in seeded.items():
                    if sys.modules.get(module_name) is stand_in:
                        del sys.modules[module_name]

        loader.exec_module = exec_module  # type: ignore[union-attr]
        return spec


_FINDER = _Finder()


def install() -> None:
    """Defer rich's Markdown and Traceback modules when ``typer.rich_utils`` is first imported (idempotent)."""
    if TARGET in sys.modules or _FINDER in sys.meta_path:
        return
    sys.meta_path.insert(0, _FINDER)


def uninstall() -> None:
    """Remove the finder (the next import of ``typer.rich_utils`` is the plain one)."""
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
