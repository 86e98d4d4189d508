"""Read community posts from the sources a user names.

Input: source specs: a JSONL, CSV or parquet file of posts (``text`` required; ``title``, ``date``,
``board``, ``url``, ``id`` optional), an HTML page, an RSS/Atom file, a folder of any of these, or an
http(s) URL (fetched by the polite crawler; a feed becomes one post per item, a page one post).
Output: ``LoadedPosts`` (posts plus the sources skipped, with reasons).
Side effects: reads files; HTTP requests only for URLs, through ``PoliteCrawler``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ksafe.errors import KsafeError
from ksafe.topics.mining.crawler import CrawlError, CrawlPolicy, PoliteCrawler, host_of
from ksafe.topics.mining.markup import html_to_text, looks_like_feed, parse_feed
from ksafe.topics.mining.posts import Post, make_post

TEXT_FIELDS = ("text", "body", "content")
TABLE_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".parquet"}
PAGE_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}


@dataclass
class LoadedPosts:
    """Posts read from all sources, plus what was skipped and why."""

    posts: list[Post] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(source, reason) for every URL or file that could not be used."""


def _row_to_post(row: dict[str, Any], source: str, line: int) -> Post:
    text = next((row[k] for k in TEXT_FIELDS if row.get(k)), None)
    if text is None:
        raise KsafeError(f"{source}: row {line}: no 'text' field")
    return make_post(
        text=str(text),
        source=source,
        post_id=row.get("id"),
        title=row.get("title"),
        date_value=row.get("date") or row.get("created_at"),
        board=row.get("board"),
        url=row.get("url"),
    )


CSV_FIELD_LIMIT = 64 * 1024 * 1024
"""Largest CSV field read (the csv module's default is 131,072 characters); posts are capped after it."""


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of a UTF-8 text file, split on ``\n`` only (a raw U+2028 inside a JSON string is data)."""
    with path.open(encoding="utf-8", newline="") as handle:
        yield from enumerate(handle, 1)


def _read_jsonl(path: Path) -> Iterator[Post]:
    with _not_utf8_is_an_error(path):
        for line_no, line in _lines(path):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise KsafeError(f"{path}: line {line_no}: invalid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise KsafeError(f"{path}: line {line_no}: expected a JSON object")
            yield _row_to_post(row, str(path), line_no)


@contextmanager
def _not_utf8_is_an_error(path: Path) -> Iterator[None]:
    try:
        yield
    except UnicodeDecodeError as exc:
        raise KsafeError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8") from None


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, limit))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _read_csv(path: Path) -> Iterator[Post]:
    with _not_utf8_is_an_error(path), _csv_field_limit(CSV_FIELD_LIMIT):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            try:
                for row in reader:
                    yield _row_to_post(dict(row), str(path), reader.line_num)
            except csv.Error as exc:
                raise KsafeError(f"{path}: line {reader.line_num + 1}: malformed CSV ({exc})") from None


def _read_parquet(path: Path) -> Iterator[Post]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    line_no = 0
    try:
        parquet = pq.ParquetFile(path)
        for batch in parquet.iter_batches(batch_size=10_000):
            for row in batch.to_pylist():
                line_no += 1
                yield _row_to_post(row, str(path), line_no)
    except (pa.ArrowException, OSError) as exc:
        where = f"after row {line_no}" if line_no else "before the first row"
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise KsafeError(f"{path}: not a readable parquet file ({where}: {reason[:200]})") from None


def _read_page(path: Path) -> list[Post]:
    text = path.read_text(encoding="utf-8", errors="replace")
    if looks_like_feed(text):
        return parse_feed(text, str(path))
    title, body = html_to_text(text)
    return [make_post(text=body, source=str(path), title=title, url=path.as_uri())] if body else []


def read_file(path: Path) -> list[Post]:
    """Read one file of posts, chosen by suffix.

    Raises:
        KsafeError: unsupported suffix or malformed content (message names the file and line).
    """
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return list(_read_jsonl(path))
    if suffix == ".csv":
        return list(_read_csv(path))
    if suffix == ".parquet":
        return list(_read_parquet(path))
    if suffix in PAGE_SUFFIXES or suffix in FEED_SUFFIXES:
        return _read_page(path)
    raise KsafeError(f"{path}: unsupported source type {suffix!r} (use .jsonl, .csv, .parquet, .html, .xml)")


def _read_folder(folder: Path) -> list[Post]:
    posts: list[Post] = []
    wanted = TABLE_SUFFIXES | PAGE_SUFFIXES | FEED_SUFFIXES
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in wanted:
            posts.extend(read_file(path))
    return posts


def is_url(spec: str) -> bool:
    """True for a spec with a URL scheme (``http://``, ``https://``, ``ftp://``...)."""
    return "://" in spec


def load_sources(specs: Iterable[str], policy: CrawlPolicy | None = None) -> LoadedPosts:
    """Read posts from every spec: files and folders directly, URLs through one ``PoliteCrawler``.

    A URL that the crawler may not or cannot fetch, or whose feed is not well-formed XML, is skipped with its
    reason; a missing or malformed local file is an error.

    Raises:
        KsafeError: a local source is missing, unsupported or malformed.
    """
    specs = list(specs)
    urls = [s for s in specs if is_url(s)]
    result = LoadedPosts()
    for spec in specs:
        if is_url(spec):
            continue
        path = Path(spec)
        if path.is_dir():
            result.posts.extend(_read_folder(path))
        elif path.is_file():
            result.posts.extend(read_file(path))
        else:
            raise KsafeError(f"{spec}: source not found (a file, a folder or an http(s) URL)")
    for url in list(urls):
        try:
            host_of(url)
        except CrawlError as exc:
            result.skipped.append((url, str(exc)))
            urls.remove(url)
    if urls:
        crawler = PoliteCrawler.for_urls(urls, policy)
        for url in urls:
            try:
                page = crawler.fetch(url)
            except CrawlError as exc:
                result.skipped.append((url, str(exc)))
                continue
            if looks_like_feed(page.text):
                try:
                    result.posts.extend(parse_feed(page.text, url))
                except KsafeError as exc:  # a site's broken (or entity-bomb) feed costs that URL, not the run
                    result.skipped.append((url, str(exc)))
            else:
                title, body = html_to_text(page.text)
                if body:
                    result.posts.append(make_post(text=body, source=url, title=title, url=page.final_url))
    return result
