"""Step 4: jailbreak strategies (one family per module) and their application to queries."""

from ksafe.jailbreaks.apply import apply_strategy
from ksafe.jailbreaks.base import Strategy
from ksafe.jailbreaks.builtin import LIU_STRATEGIES
from ksafe.jailbreaks.registry import STRATEGY_REGISTRY, get_strategy, list_strategies, strategy_names

__all__ = [
    "LIU_STRATEGIES",
    "STRATEGY_REGISTRY",
    "Strategy",
    "apply_strategy",
    "get_strategy",
    "list_strategies",
    "strategy_names",
]
