"""ksafe's own jailbreak strategies, registered through the ``ksafe.strategies`` entry point.

Input: none. Output: the built-in ``Strategy`` records in report order. No side effects. This module is
what ``pyproject.toml`` names, exactly as a third-party package names its own strategies.
"""

from __future__ import annotations

from ksafe.jailbreaks import attention_shifting, pretending, privilege_escalation, script_register
from ksafe.jailbreaks.base import NONE, Strategy

LIU_STRATEGIES: tuple[Strategy, ...] = (
    *pretending.STRATEGIES,
    *attention_shifting.STRATEGIES,
    *privilege_escalation.STRATEGIES,
)
"""Liu et al. 2023's ten prompt patterns; every pack and the English wrappers define all of them."""

STRATEGIES: tuple[Strategy, ...] = (NONE, *LIU_STRATEGIES, *script_register.STRATEGIES)
"""The built-in strategies, in report order (the ``none`` baseline first)."""
