"""The two Inspect AI internals ksafe's answer loop uses, which Inspect does not export publicly.

Input: none. Output: ``model_event_sink`` (route model events away from a transcript) and
``http_client_defaults`` (Inspect's timeouts, pool limits and trust store for an HTTP client).
Side effects: imports the Inspect module named on first use.

Everything else ksafe takes from Inspect is public (``inspect_ai.model``, ``inspect_ai.log``,
``inspect_ai.scorer``...). These two are looked up here only, by name; when an Inspect release moves or
renames one, the call raises ``InspectCompatError`` naming what is missing and the installed Inspect
version. There is no silent fallback: without the sink, model events would keep every inlined image in
memory; without the defaults, requests would run with another client's timeouts and certificates.
``pyproject.toml`` caps ``inspect-ai`` below its next minor series, and CI runs the eval tests against
Inspect's newest release as a separate, reported step (``.ci/run``).
"""

from __future__ import annotations

import importlib
from contextlib import AbstractContextManager
from typing import Any

from ksafe.errors import KsafeError


class InspectCompatError(KsafeError):
    """The installed Inspect lacks an internal ksafe needs."""


def inspect_version() -> str:
    """The installed ``inspect-ai`` version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("inspect-ai")
    except PackageNotFoundError:  # pragma: no cover - Inspect imported from a source tree
        return "unknown"


def _internal(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise InspectCompatError(
            f"inspect-ai {inspect_version()}: {module}.{name} is missing; this ksafe supports the inspect-ai "
            "versions its pyproject.toml allows (pip install the version it names)"
        ) from None


def model_event_sink(sink: Any) -> AbstractContextManager[None]:
    """Inspect's ``use_model_event_sink(sink)``: model events go to ``sink`` instead of a transcript."""
    use_model_event_sink = _internal("inspect_ai.model._model", "use_model_event_sink")
    context: AbstractContextManager[None] = use_model_event_sink(sink)
    return context


def http_client_defaults() -> dict[str, Any]:
    """Keyword arguments giving an HTTP client Inspect's timeouts, connection limits and trust store."""
    module = "inspect_ai._util.http_defaults_httpx2"
    kwargs: dict[str, Any] = {
        "timeout": _internal(module, "default_timeout")(),
        "limits": _internal(module, "default_limits")(),
    }
    context = _internal(module, "_default_ssl_context")()
    if context is not None:
        kwargs["verify"] = context
    return kwargs
