"""Apply a jailbreak strategy to a query text.

Input: a strategy name, the pack's wrapper (``JailbreakEntry``), the text to wrap and its key phrase.
Output: the wrapped text. No side effects; deterministic (the same input always gives the same output).
"""

from __future__ import annotations

from ksafe.cultures.pack_model import STRATEGY_NONE, JailbreakEntry
from ksafe.errors import KsafeError
from ksafe.jailbreaks.registry import get_strategy
from ksafe.schema.base import content_id
from ksafe.text.template import TemplateError, fill, replace_with_particles
from ksafe.text.transforms import get_transform


def wrapper_texts(entry: JailbreakEntry) -> list[str]:
    """Every wrapper text of a strategy entry: ``template`` first, then its ``variants``."""
    return [entry.template, *entry.variants]


def select_wrapper(entry: JailbreakEntry, key: str) -> tuple[JailbreakEntry, int]:
    """The entry reduced to one wrapper text, chosen by ``key`` (a content id), and that text's index."""
    texts = wrapper_texts(entry)
    index = int(content_id("wrapper", key), 16) % len(texts)
    return entry.model_copy(update={"template": texts[index], "variants": []}), index


def transform_key_phrase(name: str, key_phrase: str, topic: str | None = None) -> str:
    """The key phrase after the transform ``name``; a ``topic_only`` transform (초성) rewrites just the topic
    inside it and re-chooses the particle that follows (``전세 사기를 ...`` -> ``ㅈㅅ ㅅㄱ을 ...``), or the whole key
    phrase when the topic has no word it can rewrite."""
    from ksafe.text.transforms import TRANSFORM_REGISTRY

    function = get_transform(name)
    if topic and TRANSFORM_REGISTRY.get(name).topic_only and topic in key_phrase:
        rewritten = function(topic)
        if rewritten != topic:
            return replace_with_particles(key_phrase, topic, rewritten)
        # Nothing in the topic can be abbreviated (``결혼이주여성``): abbreviate the words around it instead.
    return function(key_phrase)


def apply_strategy(
    strategy: str, entry: JailbreakEntry | None, *, text: str, key_phrase: str, topic: str | None = None
) -> str:
    """Wrap ``text`` with the jailbreak ``strategy``.

    ``none`` returns ``text`` unchanged. For a transform strategy, ``transformed`` is the entry's
    transform applied to ``key_phrase`` and every occurrence of ``key_phrase`` in ``text`` is replaced by
    it; the wrapper is then filled with ``{prompt}`` (the possibly rewritten text) and ``{transformed}``.

    Args:
        strategy: Registered strategy name (``ProgramExecution``).
        entry: The pack's wrapper for that strategy (``None`` is allowed only for ``none``).
        text: The query or image prompt to wrap.
        key_phrase: The query's key phrase (what the image carries).
        topic: The query's topic, for transforms that rewrite only the topic inside the key phrase.

    Returns:
        The wrapped text.

    Raises:
        KsafeError: the strategy is unknown, has no entry, its entry declares the wrong transform or
            an unknown one, the key phrase is empty for a transform, or the wrapper is malformed.
    """
    info = get_strategy(strategy)
    if strategy == STRATEGY_NONE:
        return text
    if entry is None:
        raise KsafeError(f"jailbreak strategy {strategy!r} has no wrapper in jailbreaks.yaml")
    if entry.transform != info.requires_transform:
        raise KsafeError(
            f"jailbreak strategy {strategy!r}: transform must be {info.requires_transform!r}, not {entry.transform!r}"
        )
    values = {"prompt": text}
    if entry.transform is not None:
        if not key_phrase.strip():
            raise KsafeError(f"jailbreak strategy {strategy!r} needs a non-empty key phrase to transform")
        transformed = transform_key_phrase(entry.transform, key_phrase, topic)
        values = {"prompt": replace_with_particles(text, key_phrase, transformed), "transformed": transformed}
    try:
        return fill(entry.template, values)
    except TemplateError as error:
        raise KsafeError(f"jailbreak strategy {strategy!r}: template: {error}") from None
