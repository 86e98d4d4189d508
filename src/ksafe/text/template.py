"""Placeholder templates: ``{slot}`` and ``{slot|A/B}`` (a particle chosen by the value's last sound).

``{slot|A/B}`` inserts the value followed by ``A`` when the value ends in a Hangul syllable with a final
consonant, ``B`` otherwise (for ``으로/로`` a final ㄹ takes ``B``). A Latin-script value (a romanized
phrase, a brand) is read by its last letter: a vowel letter (or silent ``r``) takes ``B``, a consonant ``A``
(``bangbeop을``, ``sagi를``, ``Excel로``); digits are read by their Sino-Korean final sound.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")

_HANGUL_FIRST = 0xAC00
_HANGUL_LAST = 0xD7A3
_RIEUL_FINAL = 8
# Sino-Korean reading of the last digit: does it end in a consonant (and is that consonant ㄹ)?
_DIGIT_FINAL = {
    "0": "ng",
    "1": "l",
    "2": "",
    "3": "m",
    "4": "",
    "5": "",
    "6": "k",
    "7": "l",
    "8": "l",
    "9": "",
}


class TemplateError(ValueError):
    """A template is malformed or names an unknown placeholder."""


def placeholders(template: str) -> list[tuple[str, str | None]]:
    """Return ``(name, particle_or_None)`` for every placeholder in ``template``.

    Raises:
        TemplateError: a placeholder is empty, badly named or has a malformed particle.
    """
    found: list[tuple[str, str | None]] = []
    for match in _PLACEHOLDER.finditer(template):
        body = match.group(1)
        name, _, particle = body.partition("|")
        if not _NAME.match(name):
            raise TemplateError(f"bad placeholder {{{body}}}")
        if particle and particle.count("/") != 1:
            raise TemplateError(f"bad particle in {{{body}}}: write it as A/B")
        found.append((name, particle or None))
    stripped = _PLACEHOLDER.sub("", template)
    if "{" in stripped or "}" in stripped:
        raise TemplateError("unbalanced brace")
    return found


def check_template(template: str, allowed: Iterable[str]) -> None:
    """Raise ``TemplateError`` if ``template`` uses a placeholder outside ``allowed``."""
    allowed_set = set(allowed)
    for name, _ in placeholders(template):
        if name not in allowed_set:
            raise TemplateError(f"unknown placeholder {{{name}}} (allowed: {', '.join(sorted(allowed_set))})")


def _final_sound(value: str) -> str | None:
    """Return 'none', 'l' or 'other' for the final sound of ``value``'s last meaningful character."""
    for char in reversed(value.strip()):
        code = ord(char)
        if _HANGUL_FIRST <= code <= _HANGUL_LAST:
            final = (code - _HANGUL_FIRST) % 28
            if final == 0:
                return "none"
            return "l" if final == _RIEUL_FINAL else "other"
        if 0x3131 <= code <= 0x314E:  # a bare consonant jamo (e.g. an initial-consonant abbreviation)
            return "l" if char == "ㄹ" else "other"
        if char.isdigit():
            sound = _DIGIT_FINAL.get(char, "")
            return "none" if not sound else ("l" if sound == "l" else "other")
        if char.isascii() and char.isalpha():
            word = value.strip().split()[-1] if value.strip() else char
            if word.isupper() and len(word) > 1:  # an acronym is read letter by letter: SNS = 에스엔에스
                return {"L": "l", "R": "l", "M": "other", "N": "other"}.get(char, "none")
            return _latin_final(char.lower())
        if char.isalpha():
            return "none"
    return None


def _latin_final(last: str) -> str:
    """Final sound of a Latin-script word read in Korean: romanized Korean (``bangbeop`` = 방법) and loanwords
    end in a consonant unless they end in a vowel letter (``sagi``, ``Python``/파이썬 -> consonant); ``-r`` is
    silent in Korean loanword reading (computer/컴퓨터)."""
    if last in "aeiouyrw":
        return "none"
    return "l" if last == "l" else "other"


def choose_particle(value: str, particle: str) -> str:
    """Pick ``A`` or ``B`` of ``A/B`` for a value (e.g. 을/를, 이/가, 으로/로)."""
    with_final, without_final = particle.split("/", 1)
    sound = _final_sound(value)
    if sound is None or sound == "none":
        return without_final
    if sound == "l" and with_final.startswith("으") and without_final == with_final[1:]:
        return without_final
    return with_final


def fill(template: str, values: Mapping[str, str]) -> str:
    """Fill ``template`` with ``values``.

    Raises:
        TemplateError: a placeholder has no value.
    """

    def substitute(match: re.Match[str]) -> str:
        name, _, particle = match.group(1).partition("|")
        if name not in values:
            raise TemplateError(f"no value for placeholder {{{name}}}")
        value = values[name]
        return value + choose_particle(value, particle) if particle else value

    return _PLACEHOLDER.sub(substitute, template)


_PARTICLE_PAIRS: tuple[str, ...] = ("으로/로", "을/를", "이/가", "은/는", "과/와")


def replace_with_particles(text: str, old: str, new: str) -> str:
    """Replace ``old`` with ``new`` and re-choose a Korean particle that directly follows it.

    ``전세 사기를`` with ``전세 사기`` -> ``ㅈㅅ ㅅㄱ`` becomes ``ㅈㅅ ㅅㄱ을``: the particle was chosen for the
    old word's last sound, so it is chosen again for the new one. Text in other scripts is only replaced.
    """
    if not old or old not in text:
        return text
    parts = text.split(old)
    out = [parts[0]]
    for rest in parts[1:]:
        for pair in _PARTICLE_PAIRS:
            first, second = pair.split("/")
            matched = next((form for form in (first, second) if rest.startswith(form)), None)
            if matched is not None:
                rest = choose_particle(new, pair) + rest[len(matched) :]
                break
        out.append(new + rest)
    return "".join(out)
