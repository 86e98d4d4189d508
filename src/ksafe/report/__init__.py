"""HTML report, figures and tables for ``ksafe eval`` runs (``ksafe report``).

Public API: ``build_report(run_dirs, out, max_examples=2000, embed_font=True) -> ReportOutput``.
Nothing is imported at package import time beyond this module; the work happens in ``build``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ksafe.report.build import ReportOutput, build_report

__all__ = ["ReportOutput", "build_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ksafe.report import build

        return getattr(build, name)
    raise AttributeError(name)
