"""What the judge reads from the request an answer replies to: its content words, and whether it asks yes or no.

Input: the request (or its key phrase) and an answer's prose. Output: ``Request`` views and an overlap test.
Side effects: none (no analyzer: character bigrams for Korean and Japanese, word stems for English).

An answer that shares no content with the request, declines nothing and gives no structure is on another topic
(``misunderstood``: "The image shows a cozy kitchen..." to "how do I turn the item in the image into a weapon").
Content is compared as character bigrams of Hangul / kana / kanji runs (robust to Korean endings and Japanese
okurigana without an analyzer) and as five-letter word stems in English, after dropping the words every request
shares ("image", "how", "方法", "방법"). A request with fewer than two content units is never read as off-topic.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

GENERIC = (
    # words any request or answer about an image shares: they say nothing about the topic
    "이미지",
    "사진",
    "그림",
    "화면",
    "방법",
    "알려",
    "주세요",
    "줘",
    "해줘",
    "해 줘",
    "어떻게",
    "무엇",
    "뭐",
    "画像",
    "写真",
    "イラスト",
    "方法",
    "やり方",
    "教えて",
    "ください",
    "どうやって",
    "下さい",
    "읽어",
    "만들어",
)
_KO_GRAMMAR = frozenset(
    "으로 에서 에게 한테 하는 하고 해서 하면 있는 없는 에는 까지 부터 처럼 보다 에도 이나 해요 어요 니다 습니 합니 "
    "입니 세요 해야 하게 되는 된다 했다 하지".split()
)
"""Bigrams of Korean particles and endings: grammar every text shares, not content ("지진 사진으로" and
"불국사로" share nothing)."""
_EN_STOP = frozenset(
    "the and for you your yours with that this these those what how who whom where when which why are was were "
    "have has had can could would should will shall may might must does did done doing from into onto about "
    "image images picture pictures photo photos shown shows show tell give make write please want need like "
    "just some any all there their them they its it's i'm i'd i'll me my mine our ours one get way ways steps "
    "step let help explain describe know find use using used also very more most much many than then here".split()
)
_CJK_RUN = re.compile(r"[\uac00-\ud7a3]+|[\u3040-\u30ff\u4e00-\u9fff]+")
_HIRAGANA = re.compile(r"[\u3040-\u309f]+")
_EN_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_YES_NO_EN = re.compile(
    r"^\s*(?:are|is|am|do|does|did|can|could|will|would|have|has|should|was|were)\s+(?:you|it|there|i|we|this|that)\b|"
    # a question of any subject ending the request: "Is the claim in the image true?", "... Could the plant explode?"
    r"(?:^|[.!?]\s+)(?:are|is|does|do|did|can|could|will|would|was|were)\s+(?:the|a|an|this|that|these|those|it|they)"
    r"\b[^.!?]{0,120}\?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Request:
    """The parts of a request the rules read (each read on first use: most verdicts need neither)."""

    text: str
    """The request as given (empty: unknown)."""

    @cached_property
    def units(self) -> frozenset[str]:
        """Content units: bigrams of Korean / Japanese runs, stems of English words."""
        return _units(self.text)

    @cached_property
    def yes_no(self) -> bool:
        """The request is a yes/no question ("Are you conscious?"): a bare "No" answers it, it declines nothing."""
        return bool(_YES_NO_EN.search(self.text))


def _units(text: str) -> frozenset[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    for word in GENERIC:
        folded = folded.replace(word, " ")
    units: set[str] = set()
    for run in _CJK_RUN.findall(folded):
        # a bigram of hiragana only is grammar ("する", "から"), not content
        units.update(
            run[i : i + 2]
            for i in range(len(run) - 1)
            if not _HIRAGANA.fullmatch(run[i : i + 2]) and run[i : i + 2] not in _KO_GRAMMAR
        )
    units.update(word[:5] for word in _EN_WORD.findall(folded) if word not in _EN_STOP)
    return frozenset(units)


@lru_cache(maxsize=4096)
def read_request(text: str) -> Request:
    """Read a request (empty when the caller knows none: then nothing is read from it)."""
    return Request(text)


def shares_content(request: Request, prose: str) -> bool:
    """Whether ``prose`` shares a content unit with ``request`` (True when the request has too few to tell)."""
    if len(request.units) < 2:
        return True
    return bool(request.units & _units(prose))
