"""Registry of script-aware text transforms used by jailbreak strategies: entry-point group ``ksafe.transforms``.

Input: a transform name (as written in a pack's ``jailbreaks.yaml``) and a text. Output: the transformed
text. Side effects: the first lookup imports the modules the installed entry points name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ksafe.plugins import GROUP_TRANSFORMS, Registry

_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class TransformInfo:
    """What a transform does and which script it reads."""

    name: str
    """Name used in ``jailbreaks.yaml`` (``transform:``): lower case, digits and ``_``."""
    script: str
    """ISO 15924 code of the script the transform reads (``Hang``, ``Jpan``); matches ``PackInfo.script``."""
    description: str
    """One sentence for users and the dataset card."""
    function: Callable[[str], str]
    """The pure function applied to the key phrase."""
    topic_only: bool = False
    """Apply to the topic inside the key phrase only (the rest and its particles stay readable), when the
    key phrase contains the topic."""


def _check_transform(obj: object) -> TransformInfo:
    if not isinstance(obj, TransformInfo):
        raise TypeError(f"expected a ksafe.text.transforms.TransformInfo, got {type(obj).__name__}")
    if not _NAME.fullmatch(obj.name):
        raise ValueError(f"transform name {obj.name!r} must be lower case letters, digits and _")
    if not callable(obj.function):
        raise TypeError(f"transform {obj.name!r}: function is not callable")
    return obj


TRANSFORM_REGISTRY: Registry[TransformInfo] = Registry(
    GROUP_TRANSFORMS, "transform", lambda info: info.name, check=_check_transform
)
"""Every installed transform: built-ins first, then plugins."""


def get_transform(name: str) -> Callable[[str], str]:
    """Return the transform function called ``name``.

    Raises:
        KsafeError: no transform has that name (the message lists the known ones).
    """
    return TRANSFORM_REGISTRY.get(name).function


def transform_names() -> list[str]:
    """Names of the installed transforms, built-ins first."""
    return TRANSFORM_REGISTRY.names()


def transforms_for_script(script: str) -> list[str]:
    """Names of the transforms that read ``script`` (an ISO 15924 code such as ``Hang``)."""
    return [info.name for info in TRANSFORM_REGISTRY.values() if info.script == script]
