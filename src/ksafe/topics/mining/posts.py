"""Community posts: the unit of text that topic mining reads.

Input: rows from JSONL, CSV or parquet files, HTML pages, RSS/Atom feeds.
Output: ``Post`` values (immutable). Side effects: none.

A post's text is capped at ``MAX_POST_CHARS`` characters (its title at ``MAX_TITLE_CHARS``): community posts
are far shorter, and one pasted 16 MB dump would otherwise dominate a run. A cut post is marked
``truncated`` and counted in the run's summary (``stats.truncated_posts``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from ksafe.schema.base import content_id

_SPACE = re.compile(r"\s+")
MAX_POST_CHARS = 20_000
"""Characters of a post's text that are mined; the rest is cut (and the post counted as truncated)."""
MAX_TITLE_CHARS = 1_000


@dataclass(frozen=True, slots=True)
class Post:
    """One community post or page.

    Attributes:
        id: stable id (the source's id, or a content hash of the text).
        text: body text.
        title: title, if any.
        date: ISO date ``YYYY-MM-DD`` when known (used for burst detection).
        board: board, forum or feed name.
        url: where the post was read.
        truncated: the text (or title) was longer than the cap and was cut.
    """

    id: str
    text: str
    title: str = ""
    date: str | None = None
    board: str = ""
    url: str = ""
    truncated: bool = False

    @property
    def ref(self) -> str:
        """The evidence reference: the URL when known, else the post id."""
        return self.url or self.id

    @property
    def full_text(self) -> str:
        """Title and body joined, as analysed."""
        return f"{self.title}\n{self.text}" if self.title else self.text


_NFC_ONLY = re.compile(r"[\u0e00-\u0fff]+")
"""Thai, Lao and Tibetan: NFKC splits letters such as Thai SARA AM (``ำ`` -> ``ํ`` + ``า``) and Lao ``ຳ``, ``ໜ``
(compatibility decompositions that change the spelling), so these runs are NFC-normalised instead."""


def _normalize(text: str) -> str:
    """NFKC (full-width Latin, half-width kana, compatibility jamo...), except NFC for ``_NFC_ONLY`` runs.

    In Thai the typed pair NIKHAHIT + SARA AA (``ํา``, the same picture) is folded into SARA AM.
    """
    out: list[str] = []
    position = 0
    for match in _NFC_ONLY.finditer(text):
        out.append(unicodedata.normalize("NFKC", text[position : match.start()]))
        out.append(unicodedata.normalize("NFC", match.group()).replace("\u0e4d\u0e32", "\u0e33"))
        position = match.end()
    out.append(unicodedata.normalize("NFKC", text[position:]))
    return "".join(out)


def normalize_text(text: str) -> str:
    """Normalise (NFKC, but NFC for Thai, Lao and Tibetan: ``_normalize``) and collapse whitespace."""
    return _SPACE.sub(" ", _normalize(text)).strip()


def _capped(value: str, cap: int) -> tuple[str, bool]:
    """``value`` normalised and cut to ``cap`` characters; True if anything was cut.

    Only a prefix of a huge value is normalised (whitespace collapses, so four times the cap is kept).
    """
    cut = len(value) > 4 * cap
    text = normalize_text(value[: 4 * cap] if cut else value)
    if len(text) > cap:
        return text[:cap].rstrip(), True
    return text, cut


def parse_date(value: object) -> str | None:
    """Return ``YYYY-MM-DD`` from an ISO string, RFC 822 date, epoch seconds or date object; else None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value)).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    match = re.match(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})", text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def make_post(
    *,
    text: str,
    source: str,
    post_id: object = None,
    title: object = None,
    date_value: object = None,
    board: object = None,
    url: object = None,
) -> Post:
    """Build a normalised ``Post``; the id defaults to a hash of source and text."""
    body, cut_body = _capped(str(text), MAX_POST_CHARS)
    head, cut_head = _capped(str(title), MAX_TITLE_CHARS) if title else ("", False)
    ident = str(post_id) if post_id not in (None, "") else content_id("post", source, head, body, length=12)
    return Post(
        id=ident,
        text=body,
        title=head,
        date=parse_date(date_value),
        board=str(board or ""),
        url=str(url or ""),
        truncated=cut_body or cut_head,
    )


def dedupe_posts(posts: list[Post]) -> tuple[list[Post], int]:
    """Drop exact reposts (same normalised title and text); return kept posts and the number dropped."""
    seen: set[str] = set()
    kept: list[Post] = []
    for post in posts:
        key = content_id(post.title, post.text)
        if key in seen:
            continue
        seen.add(key)
        kept.append(post)
    return kept, len(posts) - len(kept)
