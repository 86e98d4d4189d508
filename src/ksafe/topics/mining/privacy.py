"""Privacy filter: personal data never reaches a topic, an evidence excerpt or the dropped-topics file.

Input: text (and, optionally, person-name spans from the analyzer). Output: the text with personal data
masked (``[EMAIL]``, ``[MESSENGER_ID]``, ``[RRN]``, ``[CARD]``, ``[MY_NUMBER]``, ``[PASSPORT]``,
``[ACCOUNT]``, ``[PHONE]``, ``[ADDRESS]``, ``[NAME]``) and counts per kind. Side effects: none.

The rules (``RULES``, applied in order, earlier kinds win) cover the forms people actually write, not only
the canonical one: e-mail with ``@``/``＠`` or spelled out (``name (at) daum.net``, ``name[at]naver[dot]com``,
``name at naver dot com``, ``골뱅이``/``점``); messenger ids after an app name and an id word (``카톡 아이디 x``,
``kakao id: x``, ``LINE ID x``, ``ラインID x``) and ``@handles``; Korean resident registration numbers with or
without the hyphen, and any ``######-#######`` even when the date part is not a valid date; card numbers
(16 digits); My Number (12 digits, plain, spaced or hyphenated); passport numbers (Korean ``M12345678``
and ``M123A4567``, Japanese ``TK1234567``); bank accounts after a bank name or an account word, digit
groups with spaces or hyphens; Korean and Japanese phone numbers (``(010)1234-5678``, ``010 1234 5678``,
``+82-10-...``, ``(02)123-4567``, ``090-1234-5678``, ``03-1234-5678``, ``03(1234)5678``, ``+81 3 ...``);
addresses (Korean road names with a building number, ``역삼로 12길 5``, lot numbers ``역삼동 123-45``,
``N동 N호``, 우편번호; Japanese ``〒150-0001``, 郵便番号, 都道府県-市区町村-番地, ``N丁目N番N号``, ``N番地``).

False positives are checked after each match: years (``2019 2020 2021``), dates (``2024-03-15``), amounts
(a number followed by 원, 円, 만, 명, 분...), and Korean particles (``현금으로 5000``) are left alone.
Public service numbers (``1588-1234``) are not personal data and are kept. Text is expected NFKC-normalised
(posts are); full-width ``＠`` is matched either way.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import NamedTuple

_UNIT = re.compile(
    r"\s?(?!번지|번길)(?:원|円|엔|만|천|억|조|달러|불|명|개|회|번|분|초|시간|시|년|월|일|살|세|층|배|대|가지|위|점|"
    r"km|킬로|미터|m\b|%|퍼센트|호선|won|yen|usd|\$)",
    re.IGNORECASE,
)
_YEAR_GROUPS = re.compile(r"(?:19|20)\d\d(?:[ ./-](?:19|20)\d\d)*")
_DATE = re.compile(r"(?:19|20)\d\d[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])")

Reject = Callable[[str, str], bool]
"""(matched value, text after the match) -> True when the match is not personal data."""


class Rule(NamedTuple):
    """One personal-data pattern; the named group ``v``, when present, is the part masked."""

    kind: str
    pattern: re.Pattern[str]
    reject: Reject | None = None


def _amount_or_year(value: str, after: str) -> bool:
    return bool(_UNIT.match(after)) or bool(_YEAR_GROUPS.fullmatch(value)) or bool(_DATE.fullmatch(value))


def _account(value: str, after: str) -> bool:
    return _amount_or_year(value, after) or sum(c.isdigit() for c in value) < 7


def _bank_account(value: str, after: str) -> bool:
    return _amount_or_year(value, after) or sum(c.isdigit() for c in value) < 8


def _digit_groups(value: str, after: str) -> bool:
    return _amount_or_year(value, after) or sum(c.isdigit() for c in value) < 9


def _no_letter(value: str, after: str) -> bool:
    return not any(c.isascii() and c.isalpha() for c in value)


_MENTIONS = frozenset({"@everyone", "@here", "@all", "@channel"})


def _mention(value: str, after: str) -> bool:
    return value.lower() in _MENTIONS


def _more_groups(value: str, after: str) -> bool:
    """A phone number is not followed by another ``.12`` group (``2020.01.01-2020.12.31`` is two dates)."""
    return bool(re.match(r"[./-]\d", after))


def _road(value: str, after: str) -> bool:
    name = re.match(r"[가-힣]+", value)
    return bool(_UNIT.match(after)) or bool(name and name.group().endswith("으로"))


_LOCAL = r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}"
_AT = r"(?:\s?[@＠]\s?|\s?[(\[{<]\s?(?:at|골뱅이|アット)\s?[)\]}>]\s?)"
_DOT = r"(?:\.|\s?[(\[{<]\s?(?:dot|점|ドット)\s?[)\]}>]\s?|\s(?:dot|점)\s)"
_LABEL = r"[A-Za-z0-9-]{1,63}"
_DOMAIN = rf"{_LABEL}(?:{_DOT}{_LABEL}){{0,4}}{_DOT}[A-Za-z]{{2,10}}(?![A-Za-z0-9])"
_APPS = (  # a Latin app name starts a word: not the ``line`` of ``offline: illegal_unethical``
    r"(?<![A-Za-z])(?:카카오톡|카톡|카카오|kakao\s?talk|kakao|katalk|라인|line|ライン|텔레그램|텔레|telegram|위챗|wechat|"
    r"인스타그램|인스타|instagram|insta|インスタ|디스코드|discord|스카이프|skype|트위터|twitter|페이스북|facebook|"
    r"ไลน์|เฟซบุ๊ก|เฟสบุ๊ค|เฟส|ไอจี|อินสตาแกรม|เทเลแกรม)"
)
_ID_WORD = r"(?:아이디|id|계정|account|アカウント|ไอดี)"
_HANDLE = r"@?[A-Za-z0-9][A-Za-z0-9_.-]{2,29}(?<![.-])"
_BANKS = (
    r"(?:신한|국민|KB|우리|하나|농협|NH|기업|IBK|카카오뱅크|카뱅|케이뱅크|토스뱅크|새마을금고|우체국|수협|신협|SC제일|씨티|"
    r"[가-힣]{1,6}은행|ゆうちょ|[一-龥ァ-ヶA-Za-z]{1,8}銀行|信用金庫)"
)
_KANJI_NUM = r"[一二三四五六七八九十]{1,3}"
_JP_BLOCK = (
    rf"(?:(?:\d{{1,3}}|{_KANJI_NUM})丁目(?:\s?\d{{1,4}}(?:番地?|[-ー−])?(?:\s?\d{{1,4}}号?)?)?"
    r"|\d{1,5}[-ー−]\d{1,5}(?:[-ー−]\d{1,5})?|\d{1,5}番地?(?:\s?\d{1,4}号?)?)"
)
_I = re.IGNORECASE

RULES: tuple[Rule, ...] = (
    Rule("EMAIL", re.compile(rf"(?<![A-Za-z0-9._%+-]){_LOCAL}{_AT}{_DOMAIN}", _I)),
    Rule("EMAIL", re.compile(rf"(?<![A-Za-z0-9._%+-]){_LOCAL}\sat\s{_DOMAIN}", _I)),
    Rule("MESSENGER_ID", re.compile(rf"{_APPS}\s?{_ID_WORD}\s?[:：=]?\s?(?P<v>{_HANDLE})", _I)),
    Rule("MESSENGER_ID", re.compile(rf"{_ID_WORD}\s?[:：=]\s?(?P<v>{_HANDLE})", _I)),
    Rule("MESSENGER_ID", re.compile(rf"{_ID_WORD}\s?{_APPS}\s?[:：=]?\s?(?P<v>{_HANDLE})", _I)),
    Rule("MESSENGER_ID", re.compile(rf"{_APPS}\s?[:：=]\s?(?P<v>{_HANDLE})", _I), _no_letter),
    Rule("MESSENGER_ID", re.compile(r"(?<![A-Za-z0-9._%+\-@/])@[A-Za-z_][A-Za-z0-9_.]{2,29}(?<!\.)"), _mention),
    Rule("RRN", re.compile(r"(?<!\d)\d{6}\s?[-–]\s?(?:\d{7}|[1-8][*xX●]{6})(?!\d)")),
    Rule("RRN", re.compile(r"(?<![\d/=#])\d{6}\s?[1-8]\d{6}(?!\d)")),
    Rule("CARD", re.compile(r"(?<![\d/=#])\d{4}([ -]?)\d{4}\1\d{4}\1\d{4}(?!\d)")),
    Rule("MY_NUMBER", re.compile(r"(?<![\d/=#])\d{4}([ -]?)\d{4}\1\d{4}(?![ -]?\d)"), _amount_or_year),
    Rule(
        "PASSPORT",
        re.compile(r"(?<![A-Za-z0-9/])(?:[A-Z]\d{8}|[A-Z]\d{3}[A-Z]\d{4}|(?!NO)[A-Z]{2}\d{7})(?![A-Za-z0-9])"),
    ),
    Rule(
        "ACCOUNT",
        re.compile(
            r"(?:계좌(?:번호)?|통장|입금(?:처)?|口座(?:番号)?|振込先?|(?:普通|当座)(?:預金)?|account)\s?[:：]?\s?"
            r"(?:[가-힣ぁ-んァ-ヶ一-龥A-Za-z]{1,8}\s?){0,3}(?P<v>\d[\d -]{5,22}\d)(?!\d)",
            _I,
        ),
        _account,
    ),
    Rule("ACCOUNT", re.compile(rf"{_BANKS}\s?[:：]?\s?(?P<v>\d[\d -]{{6,22}}\d)(?!\d)"), _bank_account),
    Rule(
        "PHONE", re.compile(r"(?<![\d+])(?:\+82[ -]?(?:\(0\))?[ -]?|\(0|0)1[016789]\)?[ .-]?\d{3,4}[ .-]?\d{4}(?!\d)")
    ),
    Rule("PHONE", re.compile(r"(?<![\d+])(?:\+81[ -]?(?:\(0\))?[ -]?|\(0|0)[5789]0\)?[ .-]?\d{4}[ .-]?\d{4}(?!\d)")),
    Rule("PHONE", re.compile(r"(?<![\d+])(?:\(0\d{1,4}\)\s?|0\d{1,4}[ .-])\d{1,4}[ .-]\d{4}(?!\d)"), _more_groups),
    Rule("PHONE", re.compile(r"(?<![\d+])0\d{1,4}\(\d{1,4}\)\d{4}(?!\d)")),
    Rule("PHONE", re.compile(r"\+8[12][ -]?(?:\(0\))?[ -]?\d{1,4}[ .-]\d{1,4}[ .-]\d{4}(?!\d)")),
    Rule("ACCOUNT", re.compile(r"(?<!\d)\d{2,6}-\d{2,6}-\d{2,8}(?:-\d{1,3})?(?!\d)"), _digit_groups),
    Rule(
        "ADDRESS",
        re.compile(
            r"(?:[가-힣]{1,10}(?:특별시|광역시|특별자치시|특별자치도|도|시)\s?)?(?:[가-힣]{1,10}(?:시|군|구)\s){1,3}"
            r"[가-힣0-9]{1,12}(?:로|길|동|읍|면|리)\s?\d{1,5}(?:-\d{1,5})?(?:번지|\s?번?길\s?\d{1,5})?"
        ),
    ),
    Rule(
        "ADDRESS",
        re.compile(
            r"(?<![가-힣])[가-힣]{1,10}(?:대로|로|길)\s?\d{1,4}(?:-\d{1,4})?(?:\s?번?길\s?\d{1,4}(?:-\d{1,4})?)?(?!\d)"
        ),
        _road,
    ),
    Rule(
        "ADDRESS",
        re.compile(r"(?<![가-힣])[가-힣]{1,8}(?:동|리|가)\s?\d{1,4}(?:-\d{1,4}|\s?번지)(?!\d)"),
        lambda value, after: bool(_UNIT.match(after)),
    ),
    Rule("ADDRESS", re.compile(r"(?<!\d)\d{1,4}\s?동\s?\d{1,5}\s?호")),
    Rule("ADDRESS", re.compile(r"우편번호\s?[:：]?\s?(?P<v>\d{5})(?!\d)")),
    Rule("ADDRESS", re.compile(r"(?:〒|郵便番号\s?[:：]?)\s?(?P<v>\d{3}-?\d{4})(?!\d)")),
    Rule(
        "ADDRESS",
        re.compile(
            r"(?:東京都|北海道|(?:京都|大阪)府|[一-龥]{2,3}県)?[一-龥ぁ-んァ-ヶ]{1,8}?[市区町村郡]"
            rf"[一-龥ぁ-んァ-ヶ]{{0,10}}?{_JP_BLOCK}"
        ),
    ),
    Rule(
        "ADDRESS",
        re.compile(
            rf"(?:(?<!\d)\d{{1,3}}|{_KANJI_NUM})丁目(?:\s?\d{{1,4}}(?:番地?|[-ー−])?(?:\s?\d{{1,4}}号?)?)?"
            r"|(?<!\d)\d{1,5}番地(?:の?\d{1,4})?(?:\s?\d{1,4}号)?|(?<!\d)\d{1,4}番\d{1,4}号"
        ),
    ),
)
"""Applied in order; earlier kinds win over later ones (their masks hold no digits)."""

MASK = re.compile(r"\[(?:NAME|" + "|".join(sorted({rule.kind for rule in RULES})) + r")\]")
"""A mask this module writes (``[MESSENGER_ID]``); input already masked upstream holds them too."""


def hide_masks(text: str) -> str:
    """``text`` with each mask replaced by a line break, so that no candidate phrase spans or holds one."""
    return MASK.sub("\n", text)


def _apply(rule: Rule, text: str, counts: Counter[str]) -> str:
    """Mask every match of ``rule`` in ``text`` that its check does not reject."""
    token = f"[{rule.kind}]"
    has_value = "v" in rule.pattern.groupindex

    def replace(match: re.Match[str]) -> str:
        group = "v" if has_value else 0
        value = match.group(group)
        if rule.reject is not None and rule.reject(value, match.string[match.end() : match.end() + 12]):
            return match.group(0)
        counts[rule.kind] += 1
        start, end = match.span(group)
        whole = match.group(0)
        offset = match.start()
        return whole[: start - offset] + token + whole[end - offset :]

    return rule.pattern.sub(replace, text)


def mask_personal_data(text: str, name_spans: Iterable[tuple[int, int]] = ()) -> tuple[str, Counter[str]]:
    """Mask personal data in ``text``.

    Args:
        text: NFKC-normalised text.
        name_spans: character spans of person names (from the analyzer) to mask as ``[NAME]``.

    Returns:
        The masked text and a count of masked items per kind.
    """
    counts: Counter[str] = Counter()
    spans = sorted(name_spans)
    if spans:
        pieces: list[str] = []
        last = 0
        for start, end in spans:
            if start < last:
                continue
            pieces.append(text[last:start])
            pieces.append("[NAME]")
            counts["NAME"] += 1
            last = end
        pieces.append(text[last:])
        text = "".join(pieces)
    for rule in RULES:
        text = _apply(rule, text, counts)
    return text, counts


def has_personal_data(text: str) -> bool:
    """True if any personal-data rule masks something in ``text``."""
    return bool(mask_personal_data(text)[1])


def mask_names(text: str, names: Iterable[str]) -> str:
    """Mask every occurrence of the given private names (from a user list) as ``[NAME]``."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, "[NAME]")
    return text
