"""Thai analysis for mining: PyThaiNLP ``newmm`` word segmentation into noun-phrase-like candidates.

Input: Thai texts (NFC, see ``posts.normalize_text``). Output: one ``Analysis`` per text, and token
boundaries. Side effects: loads PyThaiNLP's word list and stopword list the first time, both shipped inside
the ``pythainlp`` package (no corpus is downloaded; the POS taggers, which need downloads or tag verbs as
nouns, are not used). PyThaiNLP creates an empty ``~/pythainlp-data`` folder when imported
(``PYTHAINLP_DATA_DIR`` moves it).

Thai writes the words of a clause without spaces and puts a space between clauses, so a candidate is a
1..3-word span of a run of words inside one clause: runs break at whitespace, punctuation, numbers, Thai
function words (PyThaiNLP's stopword list: ``ที่``, ``ว่า``, ``ให้``...), the pack's filler words (``ข่าว``,
``ระวัง``; in Thai every word is glued to its neighbours, so a filler always splits) and at pieces the
segmenter could not find in its dictionary. The pack's lexicon words, entity values, topic keywords and
``mining.yaml`` words are added to the dictionary, so ``แก๊งคอลเซ็นเตอร์`` stays one word.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence

from ksafe.topics.mining.analyzers import NO_STOPLIST, Analysis, Span, Stoplist, _runs_to_candidates

THAI_TITLES = frozenset({"นาย", "นาง", "นางสาว", "น.ส.", "ด.ช.", "ด.ญ.", "เด็กชาย", "เด็กหญิง"})
"""Titles before a person's given name; the rest of the clause after one is masked as a name."""


def _is_thai(token: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in token)


def _is_wordlike(token: str) -> bool:
    """Whether ``token`` holds a letter (Thai letters, marks and Latin words count; digits, spaces and
    punctuation do not)."""
    return any(unicodedata.category(ch)[0] == "L" for ch in token) and not any(ch.isdigit() for ch in token)


class ThaiAnalyzer:
    """PyThaiNLP ``newmm`` with the pack's words added to its dictionary.

    Person names: the words after a title (``นาย``, ``นางสาว``...) up to the next space; names in
    ``public_names`` are never flagged. Thai has no offline name tagger in PyThaiNLP's shipped data, so
    names without a title need the ``private_names`` list.
    """

    def __init__(self, public_names: frozenset[str] = frozenset(), stoplist: Stoplist = NO_STOPLIST) -> None:
        from pythainlp.corpus import thai_stopwords, thai_words
        from pythainlp.tokenize import Trie

        extra = {w for words in (public_names, *stoplist.lists) for w in words if w and " " not in w}
        self._known = frozenset(thai_words()) | extra
        self._trie = Trie(self._known)
        keep = stoplist.keep | public_names
        self._stop = frozenset(thai_stopwords()) - keep
        self._public = public_names
        self._stoplist = stoplist

    def _tokens(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, token) of each token of ``text``, whitespace included."""
        from pythainlp.tokenize import word_tokenize

        position = 0
        for token in word_tokenize(text, custom_dict=self._trie, engine="newmm", keep_whitespace=True):
            start = text.find(token, position)
            if start < 0:
                start = position
            position = start + len(token)
            yield start, position, token

    def _member(self, token: str) -> bool:
        """Whether ``token`` may be part of a candidate."""
        if not _is_wordlike(token) or token in self._stop or token in self._stoplist.filler:
            return False
        return not _is_thai(token) or token in self._known

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Analyse a batch of Thai texts."""
        results: list[Analysis] = []
        for text in texts:
            analysis = Analysis()
            runs: list[list[Span]] = [[]]
            tokens = list(self._tokens(text))
            name_until = -1
            for index, (start, end, token) in enumerate(tokens):
                if token in THAI_TITLES and index + 1 < len(tokens) and not tokens[index + 1][2].isspace():
                    stop = next((s for s, _, t in tokens[index + 1 :] if t.isspace()), len(text))
                    if text[end:stop] not in self._public:
                        analysis.person_spans.append((end, stop))
                        name_until = stop
                if start < name_until or not self._member(token):
                    if runs[-1]:
                        runs.append([])
                    continue
                runs[-1].append((start, end, True))
            _runs_to_candidates(text, [r for r in runs if r], analysis.candidates, stoplist=self._stoplist)
            results.append(analysis)
        return results

    def boundaries(self, texts: Sequence[str]) -> list[frozenset[int]]:
        """Word start and end offsets per text."""
        return [frozenset(o for start, end, _ in self._tokens(text) for o in (start, end)) for text in texts]
