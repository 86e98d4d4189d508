"""The script each language is written in, the characters that end a sentence and how lines break in each script.

Used by ``ksafe culture init`` (``cultures.scaffold``) and ``ksafe culture draft`` (``drafting``) to fill
``pack.yaml`` ``script``, ``sentence_end`` and ``line_breaking`` (the font: ``cultures.script_fonts``).
``sentence_end`` is read only by ``ksafe.queries.sentences.split_sentences``, which splits after any of its
characters (and at newlines) to count the sentences G contextualization changed; a space in it means a space
between two words of the script ends a sentence (Thai, Lao). So a character belongs here only if it ends a
sentence, never one that ends a clause (Myanmar ``၊``, Arabic ``،``).
"""

from __future__ import annotations

from typing import Any

LANGUAGE_SCRIPTS: dict[str, str] = {
    "th": "Thai", "lo": "Laoo", "km": "Khmr", "my": "Mymr", "ko": "Hang", "ja": "Jpan", "zh": "Hans",
    "ru": "Cyrl", "uk": "Cyrl", "bg": "Cyrl", "sr": "Cyrl", "el": "Grek", "ar": "Arab", "fa": "Arab",
    "ur": "Arab", "he": "Hebr", "hi": "Deva", "mr": "Deva", "ne": "Deva", "bn": "Beng", "ta": "Taml",
    "ka": "Geor", "hy": "Armn", "am": "Ethi", "en": "Latn", "fr": "Latn", "de": "Latn", "es": "Latn",
    "pt": "Latn", "it": "Latn", "nl": "Latn", "pl": "Latn", "tr": "Latn", "vi": "Latn", "id": "Latn",
    "ms": "Latn", "tl": "Latn", "sw": "Latn",
}  # fmt: skip
"""The script each language is written in (the generator is asked only for a language not listed)."""

DEFAULT_SENTENCE_END = ".?!"
"""Latin, Cyrillic, Hangul, Hebrew, Georgian, Tamil ... and any script not in ``SENTENCE_ENDS``."""

SENTENCE_ENDS: dict[str, str] = {
    "Thai": " ?!",  # a space between words ends a Thai sentence; ``.`` marks abbreviations
    "Laoo": " ?!",
    "Hans": "。？！?!",  # ASCII too: mixed text and model answers use it
    "Hant": "。？！?!",
    "Jpan": "。？！?!",
    "Deva": "\u0964\u0965?!",  # DANDA, DOUBLE DANDA
    "Beng": "\u0964\u0965?!",
    "Arab": ".\u061f!\u06d4",  # full stop, ARABIC QUESTION MARK, !, ARABIC FULL STOP (Urdu)
    "Armn": "\u0589?!",  # ARMENIAN FULL STOP; its question and exclamation marks sit inside the word
    "Ethi": "\u1362\u1367?!",  # ETHIOPIC FULL STOP, ETHIOPIC QUESTION MARK
    "Mymr": "\u104b?!",  # SECTION; LITTLE SECTION (U+104A) ends a clause, not a sentence
    "Khmr": "\u17d4\u17d5?!",  # KHAN, BARIYOOSAN
    "Grek": ".;\u037e!",  # ";" is the Greek question mark (U+037E normalizes to it)
}
"""``pack.yaml`` ``sentence_end`` per ISO 15924 script."""


def sentence_end_for(script: str) -> str:
    """The ``sentence_end`` of a pack written in ``script`` (``DEFAULT_SENTENCE_END`` when not listed)."""
    return SENTENCE_ENDS.get(script, DEFAULT_SENTENCE_END)


UNSPACED_SCRIPTS = frozenset({"Thai", "Laoo", "Khmr", "Mymr", "Jpan", "Hans", "Hant"})
"""Scripts written without spaces between words: their lines break between characters."""


def line_breaking_for(script: str, spaces: bool | None = None) -> dict[str, Any]:
    """The ``pack.yaml`` ``line_breaking`` of a pack written in ``script``.

    Thai breaks between characters, keeping PyThaiNLP's words whole where a line allows; Japanese takes the
    built-in ja pack's kinsoku sets and UniDic phrases; any other script breaks at spaces, or between characters
    when it is written without them (``UNSPACED_SCRIPTS``, or ``spaces=False``: a generator's answer for a
    script the table does not settle; ignored for Thai and Japanese).
    """
    if script == "Thai":
        return {"mode": "chars", "no_line_start": "", "no_line_end": "", "phrases": "thai"}
    if script == "Jpan":
        from ksafe.cultures.loader import builtin_packs_dir, parse_file
        from ksafe.cultures.pack_model import PackInfo

        return parse_file(builtin_packs_dir() / "ja" / "pack.yaml", PackInfo).line_breaking.model_dump()
    if spaces is None:
        spaces = script not in UNSPACED_SCRIPTS
    return {"mode": "words" if spaces else "chars", "no_line_start": "", "no_line_end": ""}
