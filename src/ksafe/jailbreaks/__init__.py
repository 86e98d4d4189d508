"""Step 4: jailbreak strategies (one family per module) and their application to queries."""

from ksafe.jailbreaks.apply import apply_strategy
from ksafe.jailbreaks.base import Strategy
from ksafe.jailbreaks.registry import (
    LIU_STRATEGIES,
    STRATEGIES,
    get_strategy,
    list_strategies,
    strategy_names,
)

__all__ = [
    "LIU_STRATEGIES",
    "STRATEGIES",
    "Strategy",
    "apply_strategy",
    "get_strategy",
    "list_strategies",
    "strategy_names",
]
