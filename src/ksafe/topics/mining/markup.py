"""Text out of HTML pages and RSS/Atom feeds (stdlib parsers only).

Input: HTML or XML text. Output: plain text, or ``Post`` values for feed items. Side effects: none.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from ksafe.errors import KsafeError
from ksafe.topics.mining.posts import Post, make_post

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "nav", "footer", "form"}
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP_TAGS and self._skip_depth:
            self._skip_depth -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """Return ``(title, body text)`` of an HTML page, dropping scripts, styles, navigation and forms."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return " ".join(parser.title_parts).strip(), "\n".join(line for line in lines if line)


def looks_like_feed(text: str) -> bool:
    """True when ``text`` starts like an RSS or Atom document."""
    head = text.lstrip()[:500].lower()
    return "<rss" in head or "<feed" in head or ("<?xml" in head and ("rss" in head or "atom" in head))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, *names: str) -> str:
    for child in element:
        if _local(child.tag) in names and (child.text or "").strip():
            return (child.text or "").strip()
    return ""


def _atom_link(entry: ET.Element) -> str:
    for child in entry:
        if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
            return child.get("href", "")
    return ""


def parse_feed(xml_text: str, source: str) -> list[Post]:
    """Parse an RSS 2.0 / RSS 1.0 / Atom feed into posts (one per item or entry).

    Item descriptions are often HTML; they are reduced to text.

    Raises:
        KsafeError: the text is not well-formed XML.
    """
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise KsafeError(f"{source}: not a well-formed RSS/Atom feed ({exc})") from None
    board = ""
    for element in root.iter():
        if _local(element.tag) in ("channel", "feed"):
            board = _child_text(element, "title")
            break
    posts: list[Post] = []
    for element in root.iter():
        kind = _local(element.tag)
        if kind not in ("item", "entry"):
            continue
        body = _child_text(element, "description", "summary", "content", "encoded")
        if "<" in body:
            body = html_to_text(body)[1]
        link = _child_text(element, "link") if kind == "item" else _atom_link(element)
        title = _child_text(element, "title")
        if not (body or title):
            continue
        posts.append(
            make_post(
                text=body,
                source=source,
                post_id=_child_text(element, "guid", "id") or None,
                title=title,
                date_value=_child_text(element, "pubDate", "date", "published", "updated") or None,
                board=board,
                url=link,
            )
        )
    return posts
