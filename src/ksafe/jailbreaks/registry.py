"""Registry of jailbreak strategies: the entry-point group ``ksafe.strategies``.

Input: a strategy name. Output: its ``Strategy`` record. Side effects: the first lookup imports the
modules the installed entry points name (ksafe's built-ins, then plugins in distribution order).
"""

from __future__ import annotations

import re

from ksafe.jailbreaks.base import Strategy
from ksafe.plugins import GROUP_STRATEGIES, Registry
from ksafe.text.template import TemplateError, check_template, placeholders

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _check_strategy(obj: object) -> Strategy:
    if not isinstance(obj, Strategy):
        raise TypeError(f"expected a ksafe.jailbreaks.Strategy, got {type(obj).__name__}")
    if not _NAME.fullmatch(obj.name):
        raise ValueError(f"strategy name {obj.name!r} must be letters, digits and _ (a jailbreaks.yaml key)")
    if obj.english_template is not None:
        if obj.requires_transform is not None:
            raise ValueError(f"strategy {obj.name!r}: a transform strategy has no English wrapper")
        try:
            check_template(obj.english_template, ("prompt",))
        except TemplateError as exc:
            raise ValueError(f"strategy {obj.name!r}: english_template: {exc}") from None
        if "prompt" not in {name for name, _ in placeholders(obj.english_template)}:
            raise ValueError(f"strategy {obj.name!r}: english_template must contain {{prompt}}")
    return obj


STRATEGY_REGISTRY: Registry[Strategy] = Registry(
    GROUP_STRATEGIES, "jailbreak strategy", lambda strategy: strategy.name, check=_check_strategy
)
"""Every installed strategy: built-ins first (report order), then plugins."""


def get_strategy(name: str) -> Strategy:
    """Return the strategy called ``name``.

    Raises:
        KsafeError: no strategy has that name (the message lists the known ones).
    """
    return STRATEGY_REGISTRY.get(name)


def list_strategies(language: str | None = None) -> list[Strategy]:
    """The registered strategies in registry order.

    Args:
        language: If given (a BCP 47 tag such as ``ko``), only strategies that apply to that language.
    """
    return [s for s in STRATEGY_REGISTRY.values() if language is None or s.applies_to(language)]


def strategy_names(language: str | None = None) -> list[str]:
    """Names of the registered strategies in registry order (optionally only those for ``language``)."""
    return [s.name for s in list_strategies(language)]
