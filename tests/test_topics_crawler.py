"""The polite crawler against two local HTTP servers on 127.0.0.1 (two ports = two hosts)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ksafe.topics.mining.crawler import CrawlError, CrawlPolicy, PoliteCrawler
from ksafe.topics.mining.sources import load_sources

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>동네 게시판</title>
<item><title>질문</title><description>&lt;p&gt;보이스피싱 문자 받았어요 010-1234-5678&lt;/p&gt;</description>
<link>http://example.invalid/1</link><pubDate>Mon, 03 Mar 2025 10:00:00 +0900</pubDate></item>
<item><title>잡담</title><description>오늘 날씨 좋네요</description><link>http://example.invalid/2</link></item>
</channel></rss>"""


def make_handler(other: list[str], log: list[tuple[str, float]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def send_text(self, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            log.append((self.path, time.monotonic()))
            if self.path == "/robots.txt":
                self.send_text(b"User-agent: *\nDisallow: /private\n", "text/plain")
            elif self.path == "/page":
                self.send_text("<html><title>t</title><body><p>전세사기 피해 글</p></body></html>".encode())
            elif self.path == "/feed.xml":
                self.send_text(FEED.encode(), "application/rss+xml")
            elif self.path == "/big":
                self.send_text(b"<p>" + b"a" * 5000 + b"</p>")
            elif self.path == "/image":
                self.send_text(b"\x89PNG", "image/png")
            elif self.path == "/away":
                self.send_response(302)
                self.send_header("Location", f"http://{other[0]}/page")
                self.end_headers()
            elif self.path == "/home":
                self.send_response(301)
                self.send_header("Location", "/page")
                self.end_headers()
            else:
                self.send_text(b"secret")

    return Handler


@pytest.fixture()
def servers() -> Iterator[tuple[str, str, list[tuple[str, float]]]]:
    log: list[tuple[str, float]] = []
    other: list[str] = []
    a = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(other, log))
    b = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(other, []))
    other.append(f"127.0.0.1:{b.server_address[1]}")
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (a, b)]
    for t in threads:
        t.start()
    yield f"http://127.0.0.1:{a.server_address[1]}", f"http://127.0.0.1:{b.server_address[1]}", log
    for s in (a, b):
        s.shutdown()
        s.server_close()


FAST = CrawlPolicy(min_delay_s=0.2, max_bytes=1000)


def test_fetches_a_page_and_follows_a_same_host_redirect(servers: tuple[str, str, list]) -> None:
    host_a, _, _ = servers
    crawler = PoliteCrawler.for_urls([host_a], FAST)
    page = crawler.fetch(f"{host_a}/home")
    assert page.final_url == f"{host_a}/page"
    assert "전세사기" in page.text


def test_robots_txt_forbids_a_path(servers: tuple[str, str, list]) -> None:
    host_a, _, log = servers
    with pytest.raises(CrawlError, match=r"robots\.txt"):
        PoliteCrawler.for_urls([host_a], FAST).fetch(f"{host_a}/private/x")
    assert "/private/x" not in [path for path, _ in log]


def test_redirect_to_a_host_not_named_is_refused(servers: tuple[str, str, list]) -> None:
    host_a, host_b, _ = servers
    with pytest.raises(CrawlError, match="not named"):
        PoliteCrawler.for_urls([host_a], FAST).fetch(f"{host_a}/away")
    page = PoliteCrawler.for_urls([host_a, host_b], FAST).fetch(f"{host_a}/away")
    assert page.final_url == f"{host_b}/page"


def test_oversized_page_and_wrong_type_and_scheme_are_refused(servers: tuple[str, str, list]) -> None:
    host_a, _, _ = servers
    crawler = PoliteCrawler.for_urls([host_a], FAST)
    with pytest.raises(CrawlError, match="larger than the cap"):
        crawler.fetch(f"{host_a}/big")
    with pytest.raises(CrawlError, match="content type"):
        crawler.fetch(f"{host_a}/image")
    with pytest.raises(CrawlError, match="only http"):
        PoliteCrawler.for_urls(["file:///etc/passwd"], FAST).fetch("file:///etc/passwd")


def test_requests_to_one_host_are_spaced_by_the_minimum_delay(servers: tuple[str, str, list]) -> None:
    host_a, _, log = servers
    crawler = PoliteCrawler.for_urls([host_a], FAST)
    for _ in range(3):
        crawler.fetch(f"{host_a}/page")
    times = [t for _, t in log]
    assert len(times) == 4  # robots.txt once, then three pages
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.18


def test_load_sources_reads_feeds_and_reports_skipped_urls(servers: tuple[str, str, list]) -> None:
    host_a, _, _ = servers
    loaded = load_sources([f"{host_a}/feed.xml", f"{host_a}/private/x"], FAST)
    assert [p.title for p in loaded.posts] == ["질문", "잡담"]
    assert loaded.posts[0].date == "2025-03-03"
    assert loaded.posts[0].text.startswith("보이스피싱 문자")
    assert loaded.skipped and "robots.txt" in loaded.skipped[0][1]
