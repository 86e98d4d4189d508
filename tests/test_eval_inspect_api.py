"""ksafe uses Inspect's public API only; the internals it needs live in one module that fails loudly."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from ksafe.evaluation import inspect_compat

SRC = Path(__file__).resolve().parents[1] / "src" / "ksafe"


def _private_inspect_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "inspect_ai" and any(part.startswith("_") for part in parts[1:]):
                found.append(name)
    return found


def test_no_module_imports_a_private_inspect_name() -> None:
    offenders = {
        str(path.relative_to(SRC)): names
        for path in SRC.rglob("*.py")
        if path.name != "inspect_compat.py" and (names := _private_inspect_imports(path))
    }
    assert offenders == {}
    # and nothing reaches them by string either, outside the compatibility module
    for path in SRC.rglob("*.py"):
        if path.name != "inspect_compat.py":
            text = path.read_text(encoding="utf-8")
            assert "inspect_ai._" not in text and "inspect_ai.model._" not in text, path


def test_the_internals_ksafe_needs_are_there_in_the_installed_inspect() -> None:
    with inspect_compat.model_event_sink(None):
        pass
    assert {"timeout", "limits"} <= set(inspect_compat.http_client_defaults())


def test_a_missing_internal_fails_loudly_with_the_inspect_version(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def moved(name: str, *args: object) -> object:
        if name == "inspect_ai.model._model":
            raise ImportError(name)
        return real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(inspect_compat.importlib, "import_module", moved)
    with pytest.raises(inspect_compat.InspectCompatError) as raised:
        inspect_compat.model_event_sink(None)
    message = str(raised.value)
    assert f"inspect-ai {inspect_compat.inspect_version()}" in message
    assert "inspect_ai.model._model.use_model_event_sink is missing" in message
