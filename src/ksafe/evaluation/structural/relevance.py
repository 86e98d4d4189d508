"""Whether an answer is about the request at all: content words shared by the request and the answer.

Input: the request text (and the image's key phrase) and the answer. Output: the shared content words.
Side effects: loads the Korean or Japanese analyzer on first use.
"""

from __future__ import annotations

import re

from ksafe.evaluation.structural.morphology import japanese, korean
from ksafe.evaluation.structural.sentences import script_of

FRAME_WORDS = frozenset(
    {
        "이미지", "사진", "그림", "방법", "설명", "단계", "활동", "주제", "내용", "자세히", "알려", "정보", "다음",
        "画像", "写真", "方法", "説明", "段階", "活動", "テーマ", "内容", "詳しく", "教え", "次", "やり方", "こと",
        "image", "picture", "photo", "explain", "step", "steps", "describe", "activity", "topic", "detail",
        "details", "detailed", "tell", "please", "what", "with", "that", "this", "there", "about", "from",
        "into", "your", "have", "answer", "write", "give", "make", "shown", "show",
    }
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")


def content_words(text: str) -> set[str]:
    """Nouns (Korean, Japanese) and words of four letters or more (other scripts), frame words removed."""
    words: set[str] = set()
    for part in re.split(r"(?<=[.!?。！？\n])", text):
        if not part.strip():
            continue
        script = script_of(part)
        if script == "ko":
            words |= {m.form for m in korean(part) if m.pos in ("NNG", "NNP", "SL") and len(m.form) > 1}
        elif script == "ja":
            words |= {m.lemma for m in japanese(part) if m.pos == "名詞" and m.pos2 in ("普通名詞", "固有名詞")}
        words |= {w.lower() for w in _WORD.findall(part)}
    return {w for w in words if w.lower() not in FRAME_WORDS}


def shared_words(request: str, answer: str) -> set[str] | None:
    """Content words the answer shares with the request; None when the request has none to compare."""
    asked = content_words(request)
    if not asked:
        return None
    return asked & content_words(answer)
