"""A polite crawler for the URLs a user names (stdlib ``urllib`` only).

Input: URLs. Output: ``Page`` values (decoded text). Side effects: HTTP(S) requests, and nothing else.

Rules, all enforced here:
- only ``http``/``https``;
- ``robots.txt`` of each host is read first and obeyed (its ``Crawl-delay`` too, if longer than ours);
- one request at a time per host (a per-host lock) and a minimum delay between requests to a host;
- a size cap per page (the body is read up to the cap plus one byte, then refused);
- a content-type allow list (HTML, XML feeds, plain text);
- redirects are followed only to hosts the user named (host and port, so 127.0.0.1:8001 and
  127.0.0.1:8002 are different hosts).
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from email.message import Message
from typing import IO
from urllib.parse import urljoin, urlsplit

from ksafe.errors import KsafeError

DEFAULT_USER_AGENT = "ksafe-topic-miner/0.1 (safety-benchmark research; polite crawler)"
ALLOWED_CONTENT_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "text/plain",
)


class CrawlError(KsafeError):
    """A URL could not or may not be fetched (robots.txt, size, type, redirect, HTTP error)."""


@dataclass(frozen=True)
class CrawlPolicy:
    """How politely to crawl."""

    user_agent: str = DEFAULT_USER_AGENT
    min_delay_s: float = 1.0
    """Minimum seconds between two requests to the same host."""
    max_bytes: int = 2_000_000
    """Largest page body accepted."""
    timeout_s: float = 20.0
    max_redirects: int = 5


@dataclass(frozen=True)
class Page:
    """A fetched page."""

    url: str
    """The URL asked for."""
    final_url: str
    """The URL after redirects (on a named host)."""
    content_type: str
    text: str


def host_of(url: str) -> str:
    """``host[:port]`` of ``url`` in lower case (the unit of politeness and of redirect permission)."""
    return urlsplit(url).netloc.lower()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Make redirects visible to the crawler instead of following them silently."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def,override,unused-ignore]
        return None


@dataclass
class PoliteCrawler:
    """Fetches user-named URLs under ``policy``; redirects only to ``allowed_hosts``."""

    allowed_hosts: frozenset[str]
    policy: CrawlPolicy = field(default_factory=CrawlPolicy)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, init=False, repr=False)
    _last: dict[str, float] = field(default_factory=dict, init=False, repr=False)
    _robots: dict[str, urllib.robotparser.RobotFileParser] = field(default_factory=dict, init=False, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def for_urls(cls, urls: list[str], policy: CrawlPolicy | None = None) -> PoliteCrawler:
        """A crawler allowed to visit (and be redirected among) the hosts of ``urls``."""
        return cls(frozenset(host_of(u) for u in urls), policy or CrawlPolicy())

    def _lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def _open(self, url: str) -> tuple[int, Message, IO[bytes] | None]:
        """One request (caller holds the host lock and has waited the delay)."""
        opener = urllib.request.build_opener(_NoRedirect)
        request = urllib.request.Request(url, headers={"User-Agent": self.policy.user_agent})
        try:
            response = opener.open(request, timeout=self.policy.timeout_s)
            return response.status, response.headers, response
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise CrawlError(f"{url}: request failed ({getattr(exc, 'reason', exc)})") from None

    def _request(self, url: str) -> tuple[int, Message, IO[bytes] | None]:
        host = host_of(url)
        with self._lock(host):
            delay = self.policy.min_delay_s
            robots = self._robots.get(host)
            if robots is not None:
                crawl_delay = robots.crawl_delay(self.policy.user_agent)
                delay = max(delay, float(crawl_delay or 0))
            wait = self._last.get(host, -1e9) + delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                return self._open(url)
            finally:
                self._last[host] = time.monotonic()

    def _read_capped(self, url: str, body: IO[bytes] | None) -> bytes:
        if body is None:
            return b""
        data = body.read(self.policy.max_bytes + 1)
        body.close()
        if len(data) > self.policy.max_bytes:
            raise CrawlError(f"{url}: page larger than the cap of {self.policy.max_bytes} bytes")
        return data

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser:
        host = host_of(url)
        if host in self._robots:
            return self._robots[host]
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        status, _, body = self._request(robots_url)
        if status in (401, 403):
            setattr(parser, "disallow_all", True)  # noqa: B010 - robotparser's own flag, untyped
        elif status >= 400:
            setattr(parser, "allow_all", True)  # noqa: B010 - robotparser's own flag, untyped
        else:
            try:
                text = self._read_capped(robots_url, body).decode("utf-8", errors="replace")
            except CrawlError:
                text = ""
            parser.parse(text.splitlines())
        self._robots[host] = parser
        return parser

    def fetch(self, url: str) -> Page:
        """Fetch ``url`` politely and return its decoded text.

        Raises:
            CrawlError: scheme not http(s), host not named, robots.txt forbids, redirect to another host,
                too many redirects, HTTP error, page over the size cap, or an unsupported content type.
        """
        current = url
        for _ in range(self.policy.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https"):
                raise CrawlError(f"{current}: only http and https URLs are crawled")
            if host_of(current) not in self.allowed_hosts:
                raise CrawlError(f"{url}: redirect to host {host_of(current)!r}, which was not named")
            if not self._robots_for(current).can_fetch(self.policy.user_agent, current):
                raise CrawlError(f"{current}: disallowed by robots.txt")
            status, headers, body = self._request(current)
            if status in (301, 302, 303, 307, 308):
                if body is not None:
                    body.close()
                location = headers.get("Location")
                if not location:
                    raise CrawlError(f"{current}: redirect without a Location header")
                current = urljoin(current, location)
                continue
            if status >= 400:
                if body is not None:
                    body.close()
                raise CrawlError(f"{current}: HTTP {status}")
            content_type = headers.get_content_type()
            if content_type not in ALLOWED_CONTENT_TYPES:
                if body is not None:
                    body.close()
                raise CrawlError(f"{current}: unsupported content type {content_type!r}")
            data = self._read_capped(current, body)
            charset = headers.get_content_charset() or "utf-8"
            try:
                text = data.decode(charset, errors="replace")
            except LookupError:
                text = data.decode("utf-8", errors="replace")
            return Page(url=url, final_url=current, content_type=content_type, text=text)
        raise CrawlError(f"{url}: more than {self.policy.max_redirects} redirects")
