"""Guard output protocols, registered in the ``ksafe.guard_formats`` entry-point group.

Built-ins register through ``pyproject.toml`` exactly as a plugin would::

    [project.entry-points."ksafe.guard_formats"]
    builtin = "ksafe.guard.formats:BUILTIN_FORMATS"

A plugin registers a ``GuardFormat`` instance (or a list of them) the same way.
"""

from __future__ import annotations

from ksafe.guard.formats.base import Conversation, GuardFormat, GuardParseError, GuardVerdict
from ksafe.guard.formats.binary_logprob import BinaryLogprob
from ksafe.guard.formats.kanana import Kanana
from ksafe.guard.formats.llama_guard import LlamaGuard
from ksafe.guard.formats.llm import PolicyLLM
from ksafe.guard.formats.openai_moderation import OpenAIModeration
from ksafe.guard.formats.shieldgemma import ShieldGemma
from ksafe.guard.formats.shieldgemma2 import ShieldGemma2
from ksafe.plugins import GROUP_GUARD_FORMATS, Registry

BUILTIN_FORMATS: list[GuardFormat] = [
    LlamaGuard(),
    Kanana(),
    BinaryLogprob(),
    ShieldGemma(),
    OpenAIModeration(),
    PolicyLLM(),
    ShieldGemma2(),
]


def _check(obj: object) -> GuardFormat:
    if not isinstance(obj, GuardFormat):
        raise TypeError(f"{obj!r} is not a ksafe.guard.formats.GuardFormat")
    return obj


FORMATS: Registry[GuardFormat] = Registry(GROUP_GUARD_FORMATS, "guard format", lambda f: f.name, _check)
"""Every installed guard format, by name."""

__all__ = ["BUILTIN_FORMATS", "FORMATS", "Conversation", "GuardFormat", "GuardParseError", "GuardVerdict"]
