"""Language analysis for mining: noun-phrase candidates and person-name spans, per post.

Input: texts. Output: one ``Analysis`` per text. Side effects: loads the morphological analyzer's
model the first time it is used (kiwipiepy's bundled model, unidic-lite's bundled dictionary); never
downloads.

Analyzers are chosen by BCP 47 language, not by culture: ``ko`` uses kiwipiepy, ``ja`` uses fugashi with
unidic-lite; ``th`` uses PyThaiNLP's ``newmm`` (``thai.py``); any other language uses a word fallback
(space-separated scripts only; documented in docs/new-culture.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

MAX_NGRAM = 3
"""Longest noun phrase, in morphemes."""

KO_NOUN_TAGS = frozenset({"NNG", "NNP", "SL", "SH", "XPN"})
KO_PERSON_SUFFIXES = frozenset(
    {"씨", "님", "군", "양", "선생", "선생님", "대표", "사장", "과장", "부장", "팀장", "대리", "교수", "원장", "실장"}
)
# Common Korean family names; a 3-syllable proper noun starting with one is treated as a person's name.
KO_SURNAMES = frozenset(
    "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예봉경사부황보"
)


@dataclass(frozen=True)
class Stoplist:
    """Pack word lists (``mining.yaml``) the analyzers apply to noun runs; empty lists change nothing."""

    filler: frozenset[str] = frozenset()
    """Frame words: a run member equal to one, not glued to a neighbour (a word of its own), splits the run."""
    generic: frozenset[str] = frozenset()
    """Words too general to be a topic: a candidate made only of these (and fillers) is not emitted, unless it
    holds a ``keep`` word (``불법 사이트`` holds the lexicon word ``불법 사이트``)."""
    keep: frozenset[str] = frozenset()
    """Words (spaces removed) that make a phrase of generic words specific: the pack's unambiguous lexicon."""

    def is_generic(self, phrase: str, parts: Sequence[str]) -> bool:
        """Whether ``phrase`` (its morphemes ``parts``) holds nothing but generic and filler words."""
        if not (self.generic or self.filler):
            return False
        words = self.generic | self.filler
        key = phrase.replace(" ", "")
        if key in words:
            return True
        if not all(p in words for p in parts):
            return False
        return not any(len(w) >= 2 and w in key for w in self.keep)

    @property
    def lists(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """The three word sets, in field order."""
        return self.filler, self.generic, self.keep


NO_STOPLIST = Stoplist()

Span = tuple[int, int, bool]
"""A run member: start, end, and whether a candidate may end with it."""


@dataclass
class Analysis:
    """What the analyzer found in one text."""

    candidates: list[str] = field(default_factory=list)
    """Noun-phrase candidates, one entry per occurrence (surface forms, whitespace-normalised)."""
    person_spans: list[tuple[int, int]] = field(default_factory=list)
    """Character spans of likely private-person names (to be masked)."""


class Analyzer(Protocol):
    """Turns texts into ``Analysis`` values, and texts into token boundaries."""

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Analyse a batch of texts."""
        ...

    def boundaries(self, texts: Sequence[str]) -> list[frozenset[int]]:
        """Character offsets where a token starts or ends, per text (for whole-token matching)."""
        ...


_JAMO_ONLY = re.compile(r"^[\u1100-\u11ff\u3130-\u318f\s\W]+$")


def _split_at_fillers(text: str, run: list[Span], stoplist: Stoplist) -> list[list[Span]]:
    """Split a run at filler members that stand as a word of their own (not glued to a neighbour)."""
    if not stoplist.filler:
        return [run]
    out: list[list[Span]] = [[]]
    for index, span in enumerate(run):
        glued_left = index > 0 and run[index - 1][1] == span[0]
        glued_right = index + 1 < len(run) and run[index + 1][0] == span[1]
        if not glued_left and not glued_right and text[span[0] : span[1]] in stoplist.filler:
            out.append([])
            continue
        out[-1].append(span)
    return [r for r in out if r]


def _runs_to_candidates(
    text: str,
    runs: list[list[Span]],
    out: list[str],
    word_start: bool = False,
    stoplist: Stoplist = NO_STOPLIST,
) -> None:
    """Emit every 1..MAX_NGRAM-gram of each run of spans as its surface text.

    With ``word_start`` (space-separated Korean), a span must begin a word: ``페이크 합성`` from
    ``딥페이크 합성`` is not a candidate. A span ends only at a member allowed to end one (a Korean span ends at
    the end of a word: no ``학폭 미`` from ``학폭 미투``). Filler words split runs; candidates made only of
    generic words are skipped (``stoplist``).
    """
    for whole in runs:
        for run in _split_at_fillers(text, whole, stoplist):
            for i in range(len(run)):
                if word_start and run[i][0] > 0 and text[run[i][0] - 1].isalnum():
                    continue
                for j in range(i, min(len(run), i + MAX_NGRAM)):
                    if not run[j][2]:
                        continue
                    phrase = " ".join(text[run[i][0] : run[j][1]].split())
                    if len(phrase.replace(" ", "")) < 2 or phrase.isdigit() or _JAMO_ONLY.match(phrase):
                        continue
                    if stoplist.is_generic(phrase, [text[a:b] for a, b, _ in run[i : j + 1]]):
                        continue
                    out.append(phrase)


KO_WORD_CONTINUES = frozenset({"NNG", "NNP", "NNB", "NR", "NP", "SL", "SH", "SN", "XPN"})
"""Tags of a morpheme that, glued to the previous one, continue its word (a span may not end before it)."""


class KoreanAnalyzer:
    """kiwipiepy: runs of NNG/NNP/SL/SH (and a leading XPN) become noun-phrase candidates.

    A candidate starts and ends on word edges (particles and suffixes may follow). Person names: an NNP
    followed by a person title (``씨``, ``님``, ``대표``...) or a 3-syllable NNP starting with a common family
    name; names in ``public_names`` are never flagged.
    """

    def __init__(self, public_names: frozenset[str] = frozenset(), stoplist: Stoplist = NO_STOPLIST) -> None:
        from kiwipiepy import Kiwi

        self._kiwi = Kiwi(num_workers=-1)
        self._public = public_names
        self._stoplist = stoplist

    def _is_person(self, tokens: Any, index: int) -> bool:
        token = tokens[index]
        if token.tag != "NNP" or token.form in self._public:
            return False
        following = tokens[index + 1].form if index + 1 < len(tokens) else ""
        if following in KO_PERSON_SUFFIXES:
            return True
        form = token.form
        return len(form) == 3 and form[0] in KO_SURNAMES and all("가" <= ch <= "힣" for ch in form)

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Analyse a batch of Korean texts."""
        results: list[Analysis] = []
        for text, tokens in zip(texts, self._kiwi.tokenize(list(texts)), strict=True):
            analysis = Analysis()
            current: list[Span] = []
            runs: list[list[Span]] = [current]  # the first run counts too
            for index, token in enumerate(tokens):
                start, end = token.start, token.start + token.len
                if current and "\n" in text[current[-1][1] : start]:  # title / text or paragraph break
                    current = []
                    runs.append(current)
                if self._is_person(tokens, index):
                    analysis.person_spans.append((start, end))
                    current = []
                    runs.append(current)
                    continue
                if token.tag in KO_NOUN_TAGS and not (token.tag == "XPN" and current):
                    following = tokens[index + 1] if index + 1 < len(tokens) else None
                    glued = following is not None and following.start == end and following.tag in KO_WORD_CONTINUES
                    current.append((start, end, not glued))
                    continue
                current = []
                runs.append(current)
            _runs_to_candidates(text, [r for r in runs if r], analysis.candidates, True, self._stoplist)
            results.append(analysis)
        return results

    def boundaries(self, texts: Sequence[str]) -> list[frozenset[int]]:
        """Morpheme start and end offsets per text."""
        return [
            frozenset(o for t in tokens for o in (t.start, t.start + t.len))
            for tokens in self._kiwi.tokenize(list(texts))
        ]


class JapaneseAnalyzer:
    """fugashi + unidic-lite: runs of common/proper nouns (with prefixes, nominal suffixes and a leading
    adjectival noun such as 特殊) become candidates; 固有名詞 人名 tokens are person names."""

    def __init__(self, public_names: frozenset[str] = frozenset(), stoplist: Stoplist = NO_STOPLIST) -> None:
        import fugashi

        self._tagger = fugashi.Tagger()
        self._public = public_names
        self._stoplist = stoplist

    def _tokens(self, text: str) -> Iterator[tuple[int, int, Any]]:
        """(start, end, word) of each token of ``text``."""
        position = 0
        for word in self._tagger(text):
            surface = word.surface
            start = text.find(surface, position)
            if start < 0:
                start = position
            position = start + len(surface)
            yield start, position, word

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Analyse a batch of Japanese texts."""
        results: list[Analysis] = []
        for text in texts:
            analysis = Analysis()
            current: list[Span] = []
            runs: list[list[Span]] = [current]  # the first run counts too
            for start, end, word in self._tokens(text):
                if current and "\n" in text[current[-1][1] : start]:  # title / text or paragraph break
                    current = []
                    runs.append(current)
                feature = word.feature
                pos1, pos2, pos3 = feature.pos1, feature.pos2, feature.pos3
                if pos2 == "固有名詞" and pos3 == "人名" and word.surface not in self._public:
                    if analysis.person_spans and analysis.person_spans[-1][1] == start:
                        analysis.person_spans[-1] = (analysis.person_spans[-1][0], end)
                    else:
                        analysis.person_spans.append((start, end))
                    current = []
                    runs.append(current)
                    continue
                is_noun = pos1 == "名詞" and pos2 in ("普通名詞", "固有名詞") and pos3 != "副詞可能"
                is_affix = (pos1 == "接頭辞" and not current) or (pos1 == "接尾辞" and pos2 == "名詞的" and current)
                is_lead = pos1 == "形状詞" and not current
                if is_noun or is_affix or is_lead:
                    current.append((start, end, pos1 != "接頭辞"))  # a prefix never ends a candidate
                    continue
                current = []
                runs.append(current)
            _runs_to_candidates(text, [r for r in runs if r], analysis.candidates, stoplist=self._stoplist)
            results.append(analysis)
        return results

    def boundaries(self, texts: Sequence[str]) -> list[frozenset[int]]:
        """Token start and end offsets per text."""
        return [frozenset(o for start, end, _ in self._tokens(text) for o in (start, end)) for text in texts]


def _is_word_char(ch: str) -> bool:
    """Letters, digits and combining marks (Mn/Mc: Thai ``์``, Devanagari vowel signs) continue a word."""
    return ch.isalnum() or ch == "_" or unicodedata.category(ch) in ("Mn", "Mc")


def _words(text: str, joiners: str = "") -> Iterator[tuple[int, int]]:
    """(start, end) of each word of ``text``: a letter, then word characters (and ``joiners``).

    Python's ``\\w`` leaves out combining marks, so a regex word stops before a final Thai ``์``.
    """
    index, n = 0, len(text)
    while index < n:
        ch = text[index]
        if not _is_word_char(ch):
            index += 1
            continue
        start = index
        while index < n and (_is_word_char(text[index]) or text[index] in joiners):
            index += 1
        if text[start].isalpha():
            yield start, index


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of ``text`` (runs break at line breaks: title / text, paragraphs)."""
    start = 0
    for match in re.finditer(r"\n", text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


class WordAnalyzer:
    """Fallback for space-separated languages without a morphological analyzer: 1..3-grams of words of
    three or more letters. No person-name detection (use a ``private_names`` list)."""

    def __init__(self, stoplist: Stoplist = NO_STOPLIST) -> None:
        self._stoplist = Stoplist(*(frozenset(w.lower() for w in words) for words in stoplist.lists))

    def analyze(self, texts: Sequence[str]) -> list[Analysis]:
        """Analyse a batch of texts."""
        results: list[Analysis] = []
        for text in texts:
            lowered = text.lower()
            runs: list[list[Span]] = []
            for first, last in _lines(lowered):
                words = _words(lowered[first:last], "'-")
                runs.append([(first + a, first + b, True) for a, b in words if b - a >= 3])
            analysis = Analysis()
            _runs_to_candidates(lowered, [r for r in runs if r], analysis.candidates, stoplist=self._stoplist)
            results.append(analysis)
        return results

    def boundaries(self, texts: Sequence[str]) -> list[frozenset[int]]:
        """Word start and end offsets per text."""
        return [frozenset(o for span in _words(text) for o in span) for text in texts]


def analyzer_for(
    language: str, public_names: frozenset[str] = frozenset(), stoplist: Stoplist = NO_STOPLIST
) -> Analyzer:
    """Return the analyzer for a BCP 47 ``language`` (``ko``, ``ja``, ``th``, else the word fallback)."""
    base = language.split("-")[0].lower()
    if base == "ko":
        return KoreanAnalyzer(public_names, stoplist)
    if base == "ja":
        return JapaneseAnalyzer(public_names, stoplist)
    if base == "th":
        from ksafe.topics.mining.thai import ThaiAnalyzer

        return ThaiAnalyzer(public_names, stoplist)
    return WordAnalyzer(stoplist)
