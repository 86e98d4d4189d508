"""robots.txt per RFC 9309 and hostile servers (slow drip, truncated bodies), on 127.0.0.1 only."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ksafe.topics.mining.crawler import CrawlError, CrawlPolicy, PoliteCrawler

Route = Callable[[BaseHTTPRequestHandler], None]
POLICY = CrawlPolicy(min_delay_s=0.0, max_bytes=1000, timeout_s=5.0, total_timeout_s=1.0)
PAGE = "<html><title>t</title><body><p>전세사기 피해 글</p></body></html>".encode()


def send(handler: BaseHTTPRequestHandler, body: bytes, status: int = 200, content_type: str = "text/plain") -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def redirect(to: str) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", to)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def text(body: bytes | str, status: int = 200, content_type: str = "text/plain") -> Route:
    data = body.encode() if isinstance(body, str) else body
    return lambda handler: send(handler, data, status, content_type)


def drip(handler: BaseHTTPRequestHandler) -> None:
    """Headers at once, then one byte every 50 ms of a 1,000-byte body: never finishes in time."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    try:
        for _ in range(1000):
            handler.wfile.write(b"a")
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass


def drip_headers(handler: BaseHTTPRequestHandler) -> None:
    """The status line and headers themselves arrive one byte every 50 ms."""
    try:
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Slow: " + b"a" * 1000:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass
    handler.close_connection = True


def truncated(body: bytes, claimed: int) -> Route:
    """Claims ``claimed`` bytes, sends ``body`` and closes the connection."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(claimed))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)
        handler.close_connection = True

    return route


def truncated_chunked(handler: BaseHTTPRequestHandler) -> None:
    handler.protocol_version = "HTTP/1.1"
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    handler.wfile.write(b"10\r\n<p>0123456789abc\r\n40\r\n<p>only part")
    handler.wfile.flush()
    handler.connection.shutdown(socket.SHUT_RDWR)
    handler.close_connection = True


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 answering ``routes`` (404 elsewhere); yields its base URL and a request log."""
    log: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            log.append(self.path)
            route = routes.get(self.path)
            if route is None:
                send(self, b"not found", 404)
            else:
                route(self)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("status", [500, 503, 429])
def test_robots_server_error_is_a_complete_disallow(status: int) -> None:
    with serve({"/robots.txt": text("oops", status), "/page": text(PAGE, content_type="text/html")}) as (base, log):
        with pytest.raises(CrawlError, match=rf"robots\.txt.*HTTP {status}"):
            PoliteCrawler.for_urls([base], POLICY).fetch(f"{base}/page")
    assert "/page" not in log


def test_robots_not_found_allows_everything() -> None:
    with serve({"/page": text(PAGE, content_type="text/html")}) as (base, _):
        assert "전세사기" in PoliteCrawler.for_urls([base], POLICY).fetch(f"{base}/page").text


def test_robots_redirects_are_followed_up_to_five_on_the_same_host() -> None:
    routes = {
        "/robots.txt": redirect("/r1"),
        **{f"/r{n}": redirect(f"/r{n + 1}") for n in range(1, 5)},
        "/r5": text("User-agent: *\nDisallow: /private\n"),
        "/page": text(PAGE, content_type="text/html"),
        "/private": text(PAGE, content_type="text/html"),
    }
    with serve(routes) as (base, log):
        crawler = PoliteCrawler.for_urls([base], POLICY)
        assert "전세사기" in crawler.fetch(f"{base}/page").text
        with pytest.raises(CrawlError, match=r"robots\.txt"):
            crawler.fetch(f"{base}/private")
    assert "/private" not in log
    assert log.count("/r5") == 1


def test_more_than_five_robots_redirects_or_another_host_is_a_disallow() -> None:
    routes: dict[str, Route] = {
        "/robots.txt": redirect("/r1"),
        **{f"/r{n}": redirect(f"/r{n + 1}") for n in range(1, 7)},
        "/r7": text("User-agent: *\nAllow: /\n"),
        "/page": text(PAGE, content_type="text/html"),
    }
    with serve(routes) as (base, log):
        with pytest.raises(CrawlError, match="more than 5 redirects"):
            PoliteCrawler.for_urls([base], POLICY).fetch(f"{base}/page")
        assert "/page" not in log and "/r7" not in log
    with serve({"/robots.txt": text("User-agent: *\nAllow: /\n")}) as (other, other_log):
        with serve({"/robots.txt": redirect(f"{other}/robots.txt"), "/page": text(PAGE)}) as (base, log):
            with pytest.raises(CrawlError, match="another host"):
                PoliteCrawler.for_urls([base, other], POLICY).fetch(f"{base}/page")
        assert other_log == [] and "/page" not in log


def test_robots_larger_than_the_page_cap_is_parsed_up_to_500_kib() -> None:
    padding = "# " + "x" * 98 + "\n"
    big = "User-agent: *\nDisallow: /private\n" + padding * 20  # 2 KB, over the 1,000-byte page cap
    huge = "User-agent: *\nDisallow: /private\n" + padding * 5300 + "Disallow: /late\n"  # 530 KB
    for robots in (big, huge):
        routes = {
            "/robots.txt": text(robots),
            "/private": text(PAGE, content_type="text/html"),
            "/late": text(PAGE, content_type="text/html"),
        }
        with serve(routes) as (base, log):
            crawler = PoliteCrawler.for_urls([base], POLICY)
            with pytest.raises(CrawlError, match=r"robots\.txt"):
                crawler.fetch(f"{base}/private")
            assert "/private" not in log
            assert "전세사기" in crawler.fetch(f"{base}/late").text  # the rule after 500 KiB is not read


def test_a_slow_drip_page_hits_the_total_time_limit() -> None:
    with serve({"/robots.txt": text(""), "/drip": drip, "/slowhead": drip_headers}) as (base, _):
        crawler = PoliteCrawler.for_urls([base], POLICY)
        for path in ("/drip", "/slowhead"):
            started = time.monotonic()
            with pytest.raises(CrawlError, match="time limit"):
                crawler.fetch(f"{base}{path}")
            assert time.monotonic() - started < 3.0


def test_a_slow_drip_robots_txt_is_a_complete_disallow() -> None:
    with serve({"/robots.txt": drip, "/page": text(PAGE, content_type="text/html")}) as (base, log):
        started = time.monotonic()
        with pytest.raises(CrawlError, match=r"robots\.txt.*time limit"):
            PoliteCrawler.for_urls([base], POLICY).fetch(f"{base}/page")
        assert time.monotonic() - started < 3.0
    assert "/page" not in log


def test_a_truncated_body_is_discarded() -> None:
    routes = {
        "/robots.txt": text(""),
        "/short": truncated(b"<p>half a page", 500),
        "/chunked": truncated_chunked,
    }
    with serve(routes) as (base, _):
        crawler = PoliteCrawler.for_urls([base], POLICY)
        for path in ("/short", "/chunked"):
            with pytest.raises(CrawlError, match="truncated"):
                crawler.fetch(f"{base}{path}")


def test_a_truncated_robots_txt_is_a_complete_disallow() -> None:
    routes = {"/robots.txt": truncated(b"User-agent: *\nDisallow: /pri", 200), "/page": text(PAGE)}
    with serve(routes) as (base, log):
        with pytest.raises(CrawlError, match=r"robots\.txt.*truncated"):
            PoliteCrawler.for_urls([base], POLICY).fetch(f"{base}/page")
    assert "/page" not in log


def test_a_garbled_status_line_is_a_crawl_error_not_a_traceback() -> None:
    def garbage(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")
        handler.close_connection = True

    with serve({"/robots.txt": text(""), "/bad": garbage}) as (base, _):
        with pytest.raises(CrawlError, match="request failed"):
            PoliteCrawler.for_urls([base], POLICY).fetch(f"{base}/bad")


def test_a_malformed_url_or_redirect_target_is_skipped_not_a_traceback() -> None:
    from ksafe.topics.mining.sources import load_sources

    loaded = load_sources(["http://[::1/x"], POLICY)
    assert loaded.skipped and "not a valid URL" in loaded.skipped[0][1]
    routes = {"/robots.txt": text(""), "/bad": redirect("http://[::1/y"), "/page": text(PAGE, content_type="text/html")}
    with serve(routes) as (base, _):
        with pytest.raises(CrawlError, match="not a valid URL"):
            PoliteCrawler.for_urls([base], POLICY).fetch(f"{base}/bad")
    with serve({"/robots.txt": redirect("http://[::1/robots.txt"), "/page": text(PAGE)}) as (base, log):
        with pytest.raises(CrawlError, match=r"robots\.txt"):
            PoliteCrawler.for_urls([base], POLICY).fetch(f"{base}/page")
    assert "/page" not in log


def test_a_crawl_delay_longer_than_the_cap_skips_the_host_instead_of_sleeping() -> None:
    routes = {"/robots.txt": text("User-agent: *\nCrawl-delay: 86400\n"), "/page": text(PAGE, content_type="text/html")}
    with serve(routes) as (base, log):
        started = time.monotonic()
        with pytest.raises(CrawlError, match="Crawl-delay of 86400 s"):
            PoliteCrawler.for_urls([base], POLICY).fetch(f"{base}/page")
        assert time.monotonic() - started < 3.0
    assert "/page" not in log


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lol">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + ']><rss version="2.0"><channel><title>t</title><item><title>x</title><description>&j;</description>'
    "</item></channel></rss>"
)


def test_a_malformed_or_exploding_feed_from_a_site_is_skipped_and_the_run_goes_on() -> None:
    from ksafe.topics.mining.sources import load_sources

    routes = {
        "/robots.txt": text(""),
        "/broken.xml": text('<?xml version="1.0"?><rss><channel><item>', content_type="application/rss+xml"),
        "/laughs.xml": text(BILLION_LAUGHS, content_type="application/rss+xml"),
        "/page": text(PAGE, content_type="text/html"),
    }
    with serve(routes) as (base, _):
        started = time.monotonic()
        loaded = load_sources([f"{base}/broken.xml", f"{base}/laughs.xml", f"{base}/page"], POLICY)
        assert time.monotonic() - started < 5.0
    assert [p.text for p in loaded.posts] == ["전세사기 피해 글"]
    reasons = dict(loaded.skipped)
    assert "not a well-formed RSS/Atom feed" in reasons[f"{base}/broken.xml"]
    assert "not a well-formed RSS/Atom feed" in reasons[f"{base}/laughs.xml"]
