"""Registry of jailbreak strategies: the ``none`` baseline, Liu et al.'s ten, then script/register ones.

Input: a strategy name. Output: its ``Strategy`` record. No side effects.
"""

from __future__ import annotations

from ksafe.errors import KsafeError
from ksafe.jailbreaks import attention_shifting, pretending, privilege_escalation, script_register
from ksafe.jailbreaks.base import NONE, Strategy

LIU_STRATEGIES: tuple[Strategy, ...] = (
    *pretending.STRATEGIES,
    *attention_shifting.STRATEGIES,
    *privilege_escalation.STRATEGIES,
)
"""Liu et al. 2023's ten prompt patterns; every pack and the English wrappers define all of them."""

STRATEGIES: tuple[Strategy, ...] = (NONE, *LIU_STRATEGIES, *script_register.STRATEGIES)
"""Every registered strategy, in report order."""

_BY_NAME: dict[str, Strategy] = {strategy.name: strategy for strategy in STRATEGIES}


def get_strategy(name: str) -> Strategy:
    """Return the strategy called ``name``.

    Raises:
        KsafeError: no strategy has that name (the message lists the known ones).
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KsafeError(f"unknown jailbreak strategy {name!r} (known: {', '.join(_BY_NAME)})") from None


def list_strategies(language: str | None = None) -> list[Strategy]:
    """The registered strategies in registry order.

    Args:
        language: If given (a BCP 47 tag such as ``ko``), only strategies that apply to that language.
    """
    return [s for s in STRATEGIES if language is None or s.applies_to(language)]


def strategy_names(language: str | None = None) -> list[str]:
    """Names of the registered strategies in registry order (optionally only those for ``language``)."""
    return [s.name for s in list_strategies(language)]


def liu_strategy_names() -> list[str]:
    """Names of Liu et al.'s ten strategies, in their order."""
    return [strategy.name for strategy in LIU_STRATEGIES]
