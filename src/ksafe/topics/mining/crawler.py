"""A polite crawler for the URLs a user names (stdlib ``urllib`` only).

Input: URLs. Output: ``Page`` values (decoded text). Side effects: HTTP(S) requests, and nothing else.

Rules, all enforced here:
- only ``http``/``https``;
- ``robots.txt`` of each host is read first and obeyed as RFC 9309 says (its ``Crawl-delay`` too, if
  longer than ours): 2xx is parsed (at most the first 500 KiB, whatever the page cap); 3xx is followed up
  to 5 times on the same host; 4xx means no rules (401 and 403 are read as a complete disallow, the stricter
  reading); 5xx, 429, a network error, a slow-drip or truncated answer, a redirect to another host or more
  than 5 redirects mean *unreachable*, a complete disallow for this run;
- one request at a time per host (a per-host lock) and a minimum delay between requests to a host;
- a total time limit per request (``http_fetch.Deadline``), so a slow-drip server cannot hold a crawl;
- a size cap per page (the body is read up to the cap plus one byte, then refused); a truncated body
  (shorter than its ``Content-Length``, or a chunked body cut short) is discarded;
- a content-type allow list (HTML, XML feeds, plain text);
- redirects are followed only to hosts the user named (host and port, so 127.0.0.1:8001 and
  127.0.0.1:8002 are different hosts).
"""

from __future__ import annotations

import re
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ksafe.topics.mining.http_fetch import CrawlError, Response, open_url, read_body

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
REDIRECTS = (301, 302, 303, 307, 308)
ROBOTS_MAX_BYTES = 500 * 1024
"""RFC 9309 section 2.5: a crawler must parse at least the first 500 KiB of a robots.txt."""

__all__ = ["CrawlError", "CrawlPolicy", "Page", "PoliteCrawler", "host_of"]


@dataclass(frozen=True)
class CrawlPolicy:
    """How politely to crawl."""

    user_agent: str = DEFAULT_USER_AGENT
    min_delay_s: float = 1.0
    """Minimum seconds between two requests to the same host."""
    max_bytes: int = 2_000_000
    """Largest page body accepted."""
    timeout_s: float = 20.0
    """Longest wait for any one read from the server."""
    total_timeout_s: float = 60.0
    """Longest time for one request, headers and body together (a slow-drip server is cut off)."""
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


@dataclass
class PoliteCrawler:
    """Fetches user-named URLs under ``policy``; redirects only to ``allowed_hosts``."""

    allowed_hosts: frozenset[str]
    policy: CrawlPolicy = field(default_factory=CrawlPolicy)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, init=False, repr=False)
    _last: dict[str, float] = field(default_factory=dict, init=False, repr=False)
    _robots: dict[str, urllib.robotparser.RobotFileParser] = field(default_factory=dict, init=False, repr=False)
    _why: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    """Per host: why its robots.txt counts as a complete disallow."""
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def for_urls(cls, urls: list[str], policy: CrawlPolicy | None = None) -> PoliteCrawler:
        """A crawler allowed to visit (and be redirected among) the hosts of ``urls``."""
        return cls(frozenset(host_of(u) for u in urls), policy or CrawlPolicy())

    def _lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def _request(self, url: str) -> Response:
        """One request to ``url`` under the host lock, after the host's delay."""
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
                return open_url(url, self.policy.user_agent, self.policy.timeout_s, self.policy.total_timeout_s)
            finally:
                self._last[host] = time.monotonic()

    def _read_robots(self, robots_url: str) -> list[str] | str:
        """The robots.txt lines of a host, or why the host counts as a complete disallow (RFC 9309 2.3)."""
        host = host_of(robots_url)
        current = robots_url
        for _ in range(self.policy.max_redirects + 1):
            try:
                response = self._request(current)
            except CrawlError as exc:
                return f"robots.txt unreachable: {exc}"
            status = response.status
            if status in REDIRECTS:
                response.close()
                target = urljoin(current, response.headers.get("Location") or "")
                if target == current or urlsplit(target).scheme not in ("http", "https"):
                    return f"robots.txt redirect without a usable Location ({target!r})"
                if host_of(target) != host:
                    return f"robots.txt redirects to another host ({host_of(target)})"
                current = target
                continue
            if status in (401, 403) or status == 429 or status >= 500:
                response.close()
                return f"robots.txt answered HTTP {status}, read as a complete disallow (RFC 9309)"
            if status >= 400:
                response.close()
                return []
            try:
                data, over = read_body(current, response, ROBOTS_MAX_BYTES)
            except CrawlError as exc:
                return f"robots.txt not read whole: {exc}"
            text = data.decode("utf-8", errors="replace")
            if over:  # parse the first 500 KiB, up to its last complete line
                text = text[: text.rfind("\n") + 1]
            return re.split(r"\r\n|\r|\n", text)
        return f"robots.txt: more than {self.policy.max_redirects} redirects"

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser:
        host = host_of(url)
        if host in self._robots:
            return self._robots[host]
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        rules = self._read_robots(robots_url)
        if isinstance(rules, str):
            setattr(parser, "disallow_all", True)  # noqa: B010 - robotparser's own flag, untyped
            self._why[host] = rules
        elif rules:
            parser.parse(rules)
        else:
            setattr(parser, "allow_all", True)  # noqa: B010 - robotparser's own flag, untyped
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
                why = self._why.get(host_of(current))
                raise CrawlError(f"{current}: disallowed by robots.txt" + (f" ({why})" if why else ""))
            response = self._request(current)
            status, headers = response.status, response.headers
            if status in REDIRECTS:
                response.close()
                location = headers.get("Location")
                if not location:
                    raise CrawlError(f"{current}: redirect without a Location header")
                current = urljoin(current, location)
                continue
            if status >= 400:
                response.close()
                raise CrawlError(f"{current}: HTTP {status}")
            content_type = headers.get_content_type()
            if content_type not in ALLOWED_CONTENT_TYPES:
                response.close()
                raise CrawlError(f"{current}: unsupported content type {content_type!r}")
            data, over = read_body(current, response, self.policy.max_bytes)
            if over:
                raise CrawlError(f"{current}: page larger than the cap of {self.policy.max_bytes} bytes")
            charset = headers.get_content_charset() or "utf-8"
            try:
                text = data.decode(charset, errors="replace")
            except LookupError:
                text = data.decode("utf-8", errors="replace")
            return Page(url=url, final_url=current, content_type=content_type, text=text)
        raise CrawlError(f"{url}: more than {self.policy.max_redirects} redirects")
