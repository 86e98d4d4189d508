"""Money conversion for G contextualization: a US-dollar amount to the pack's currency in local format.

Input: an amount as written in the English seeds (``$5,000``) and the pack's ``CurrencySpec``. Output: the
converted amount, rounded to two significant figures and written the local way (``680만 원``, ``75万円``).
No side effects.
"""

from __future__ import annotations

import math
import re

_DOLLARS = re.compile(r"^\$\s*([\d,]+(?:\.\d+)?)$")


def parse_dollars(text: str) -> float | None:
    """The number in ``$5,000`` (None when ``text`` is not a dollar amount)."""
    match = _DOLLARS.match(text.strip())
    return float(match.group(1).replace(",", "")) if match else None


def round_significant(value: float, digits: int = 2) -> int:
    """``value`` rounded to ``digits`` significant figures (6,750,000 -> 6,800,000)."""
    if value <= 0:
        return 0
    scale = 10 ** (math.floor(math.log10(value)) - digits + 1)
    return int(round(value / scale) * scale)


def _group(n: int) -> str:
    return f"{n:,}"


def format_korean(amount: int) -> str:
    """Korean style: ``6,800만 원``, ``1억 3,000만 원``, ``5,000원``."""
    eok, rest = divmod(amount, 100_000_000)
    man, won = divmod(rest, 10_000)
    parts = []
    if eok:
        parts.append(f"{_group(eok)}억")
    if man:
        parts.append(f"{_group(man)}만")
    if won or not parts:
        parts.append(_group(won))
    return " ".join(parts) + ("원" if won and not (eok or man) else " 원")


def format_japanese(amount: int) -> str:
    """Japanese style: ``75万円``, ``1億3000万円``, ``7,500円``."""
    oku, rest = divmod(amount, 100_000_000)
    man, yen = divmod(rest, 10_000)
    if not (oku or man):
        return f"{_group(yen)}円"
    text = (f"{oku}億" if oku else "") + (f"{man}万" if man else "")
    return text + (f"{yen}" if yen else "") + "円"


FORMATS = {"ko": format_korean, "ja": format_japanese}
"""Local formats a pack can name in ``currency.format``."""


def convert_dollars(text: str, rate: float, style: str) -> str | None:
    """``text`` (``$5,000``) converted at ``rate`` local units per dollar and written in ``style``."""
    dollars = parse_dollars(text)
    if dollars is None:
        return None
    return FORMATS[style](round_significant(dollars * rate))
