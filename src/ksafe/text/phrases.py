"""Phrase (bunsetsu-like) segmentation for line breaking in scripts written without spaces.

Input: a paragraph. Output: consecutive chunks whose concatenation is the paragraph, each a content word
with the function words that lean on it (particles, auxiliaries, suffixes, closing brackets), so lines can
break between phrases instead of inside words. Side effect: the first call creates the fugashi tagger
(unidic-lite), shared with the kana transforms.
"""

from __future__ import annotations

from functools import lru_cache

_LEANS_BACK = frozenset({"助詞", "助動詞", "接尾辞"})
"""Parts of speech that attach to the chunk before them."""


def _leans_back(pos1: str, pos2: str, previous_pos1: str | None) -> bool:
    if pos1 in _LEANS_BACK:
        return True
    if pos1 == "補助記号":
        return pos2 != "括弧開"  # punctuation and closing brackets stay with the text before them
    if pos1 == "動詞" and pos2 == "非自立可能" and previous_pos1 in ("名詞", "接尾辞"):
        return True  # 正当化 + する
    return pos1 == "名詞" and previous_pos1 in ("名詞", "接頭辞")  # compound nouns stay whole


@lru_cache(maxsize=1 << 14)
def unidic_phrases(text: str) -> tuple[str, ...]:
    """Split ``text`` into phrases with fugashi + unidic-lite; ``("".join(result) == text)`` always holds.

    Falls back to the whole text as one chunk when the analyzer's tokens do not rebuild the text exactly.
    """
    from ksafe.text.kana import _tagger

    chunks: list[str] = []
    previous_pos1: str | None = None
    attach_next = False
    rebuilt = ""
    for word in _tagger()(text):
        piece = f"{word.white_space}{word.surface}"
        rebuilt += piece
        pos1, pos2 = str(word.feature.pos1), str(word.feature.pos2)
        if chunks and not word.white_space and (attach_next or _leans_back(pos1, pos2, previous_pos1)):
            chunks[-1] += piece
        else:
            chunks.append(piece)
        attach_next = (pos1 == "補助記号" and pos2 == "括弧開") or pos1 == "接頭辞"
        previous_pos1 = pos1
    if rebuilt != text:
        return (text,) if text else ()
    return tuple(chunks)


@lru_cache(maxsize=1 << 14)
def thai_words(text: str) -> tuple[str, ...]:
    """Split Thai ``text`` into words (PyThaiNLP ``newmm``: dictionary maximal matching over Thai character
    clusters, so a line never breaks inside a syllable); ``"".join(result) == text`` always holds.

    Latin runs and spaces come back as their own chunks; the whole text is one chunk when the tokens do not
    rebuild it exactly.
    """
    from pythainlp.tokenize import word_tokenize

    words = tuple(word_tokenize(text, engine="newmm", keep_whitespace=True)) if text else ()
    if "".join(words) != text:
        return (text,) if text else ()
    return words


PHRASE_SEGMENTERS = {"unidic": unidic_phrases, "thai": thai_words}
"""Segmenters a pack can name in ``line_breaking.phrases``."""
