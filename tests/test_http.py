"""HTTP behaviour of the live app: validators, 304s, HEAD, gzip, query parameters,
/healthz, security headers, hostile paths, reload - through the real Flask test client."""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.client
import json
import os
import re
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest

from feedsmith.config import Config

FEEDS = ("/all.rss", "/all.atom", "/all.json")
SEEDS = {
    "a-openai.md": ("OpenAI ships a new model", "Robots everywhere.", "2024-05-03T10:00:00Z",
                    "https://edition.cnn.com/2024/05/03/openai", "CNN", "cnn.com", ["AI"]),
    "b-chips.md": ("Chip export rules tighten", "Washington widens the rules.", "2024-05-02T00:00:00Z",
                   "https://www.reuters.com/chips", "Reuters", "reuters.com", ["AI", "Semiconductors"]),
    "c-taxis.md": ("Self-driving taxis in Singapore", "Trials start downtown.", "2024-04-20T00:00:00Z",
                   "https://edition.cnn.com/2024/04/20/taxis", "CNN", "cnn.com", ["AI in Autos"]),
    "d-quantum.md": ("Quantum startup raises funds", "A ROBOTICS spin-off.", "2024-03-01T00:00:00Z",
                     "https://www.straitstimes.com/quantum", "The Straits Times", "straitstimes.com", ["Quantum"]),
    "e-old.md": ("Old AI news", "From last year.", "2023-01-01T00:00:00Z",
                 None, "CNN", "cnn.com", ["AI"]),  # no link: gets an article page
}
NEWEST_HTTP_DATE = "Fri, 03 May 2024 10:00:00 GMT"
SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Server": "feedsmith",
}


def _front_matter(title, summary, date, url, provider, domain, topics) -> str:
    lines = ["---", f"title: {json.dumps(title)}", f"excerpt: {json.dumps(summary)}",
             f"publishedDateTime: {date}"]
    if url:
        lines.append(f"originalUrl: {url}")
    lines += ["provider:", f"  name: {provider}", f"  domain: {domain}", "topics:"]
    lines += [f"  - {t}" for t in topics]
    lines += ["category: news", "---", f"{summary} More text follows here.", ""]
    return "\n".join(lines)


@pytest.fixture
def small_seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "small-seeds"
    folder.mkdir()
    for name, fields in SEEDS.items():
        (folder / name).write_text(_front_matter(*fields), encoding="utf-8")
    return folder


@pytest.fixture
def small_config(config: Config, small_seeds: Path, tmp_path: Path) -> Config:
    return replace(config, seeds_dir=small_seeds, out_dir=tmp_path / "feeds", reload_interval=0.0)


@pytest.fixture
def small_app(small_config: Config):
    from feedsmith.web import create_app

    app = create_app(small_config)
    app.testing = True
    return app


@pytest.fixture
def fc(small_app):
    """A client of the app over the small seeds folder."""
    return small_app.test_client()


def titles(data: bytes, url: str) -> list[str]:
    if url.split("?")[0].endswith(".json"):
        return [item["title"] for item in json.loads(data)["items"]]
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    return [entry.title for entry in parsed.entries]


def expected_vary(url: str) -> str:
    """Feed URLs also vary on Accept: browsers get their HTML view (see test_feed_view.py)."""
    path = url.split("?")[0]
    feed = path.endswith((".rss", ".atom", ".json")) and "/archive/" not in path
    return "Accept, Accept-Encoding" if feed else "Accept-Encoding"


def assert_security(response, html: bool | None = None) -> None:
    for name, value in SECURITY.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    assert response.headers.get("Referrer-Policy")
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, response.status_code
    if html:
        assert "base-uri 'none'" in csp and "form-action 'none'" in csp and "script-src" not in csp
    assert "werkzeug" not in response.headers.get("Server", "").lower()
    assert len(response.headers.getlist("Server")) == 1


# ------------------------------------------------------------ validators and 304


def test_strong_etag_of_the_body_and_cache_headers(fc, small_config):
    for url in (*FEEDS, "/", "/index.html", "/feeds.opml", "/topics/ai.atom", "/providers/cnn-com.rss"):
        response = fc.get(url)
        assert response.status_code == 200, url
        etag = response.headers["ETag"]
        assert re.fullmatch(r'"[0-9a-f]{32}"', etag), etag
        assert etag == f'"{hashlib.sha256(response.data).hexdigest()[:32]}"'
        assert response.headers["Cache-Control"] == f"public, max-age={small_config.cache_max_age}"
        assert response.headers["Vary"] == expected_vary(url)
        assert response.headers["Last-Modified"] == NEWEST_HTTP_DATE, url
        assert int(response.headers["Content-Length"]) == len(response.data)


def test_last_modified_is_the_feeds_newest_entry(fc):
    assert fc.get("/topics/quantum.rss").headers["Last-Modified"] == "Fri, 01 Mar 2024 00:00:00 GMT"
    assert fc.get("/topics/ai-in-autos.json").headers["Last-Modified"] == "Sat, 20 Apr 2024 00:00:00 GMT"


def test_last_modified_is_never_in_the_future(fc, small_seeds):
    (small_seeds / "future.md").write_text(
        _front_matter("From the future", "Soon.", "2099-01-01T00:00:00Z", "https://example.org/f",
                      "CNN", "cnn.com", ["AI"]), encoding="utf-8")
    response = fc.get("/all.atom")
    assert "From the future" in titles(response.data, "/all.atom")
    assert parsedate_to_datetime(response.headers["Last-Modified"]) <= datetime.now(timezone.utc)


@pytest.mark.parametrize("url", ["/all.atom", "/all.json", "/", "/feeds.opml"])
def test_if_none_match_gives_304_with_validators_and_no_body(fc, url):
    first = fc.get(url)
    etag = first.headers["ETag"]
    for header in (etag, f'"nope", {etag}', f"{etag},\"other\"", "*", f"W/{etag}"):
        response = fc.get(url, headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.data == b""
        for name in ("ETag", "Cache-Control", "Last-Modified", "Vary"):
            assert response.headers[name] == first.headers[name], name
        assert "Content-Length" not in response.headers or response.headers["Content-Length"] == "0"
        assert_security(response)
    for header in ('"nope"', etag[:-2] + '"', "garbage", '"a", "b"'):
        assert fc.get(url, headers={"If-None-Match": header}).status_code == 200, header


def test_if_modified_since(fc):
    first = fc.get("/all.rss")
    lm = first.headers["Last-Modified"]
    assert fc.get("/all.rss", headers={"If-Modified-Since": lm}).status_code == 304
    later = "Sat, 04 May 2024 00:00:00 GMT"
    response = fc.get("/all.rss", headers={"If-Modified-Since": later})
    assert response.status_code == 304 and response.data == b""
    assert response.headers["ETag"] == first.headers["ETag"]
    assert response.headers["Last-Modified"] == lm
    earlier = "Fri, 03 May 2024 09:59:59 GMT"
    assert fc.get("/all.rss", headers={"If-Modified-Since": earlier}).status_code == 200
    assert fc.get("/all.rss", headers={"If-Modified-Since": "not a date"}).status_code == 200
    # Other HTTP-date forms (RFC 850, asctime) are understood too.
    assert fc.get("/all.rss", headers={"If-Modified-Since": "Saturday, 04-May-24 00:00:00 GMT"}).status_code == 304
    assert fc.get("/all.rss", headers={"If-Modified-Since": "Sat May  4 00:00:00 2024"}).status_code == 304


def test_if_none_match_wins_over_if_modified_since(fc):
    first = fc.get("/all.atom")
    lm, etag = first.headers["Last-Modified"], first.headers["ETag"]
    stale = fc.get("/all.atom", headers={"If-None-Match": '"old"', "If-Modified-Since": lm})
    assert stale.status_code == 200 and stale.data == first.data
    fresh = fc.get("/all.atom", headers={"If-None-Match": etag,
                                         "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert fresh.status_code == 304


def test_head_has_the_headers_of_get_and_no_body(small_app):
    # A fresh app: the first HEAD goes through Flask, the GET after it through the cache.
    client = small_app.test_client()
    for url in ("/all.atom", "/", "/feeds.opml", "/all.json"):
        head = client.head(url)
        get = client.get(url)
        assert head.status_code == get.status_code == 200
        assert head.data == b""
        assert dict(head.headers) == dict(get.headers), url
        assert int(head.headers["Content-Length"]) == len(get.data)
        head_gz = client.head(url, headers={"Accept-Encoding": "gzip"})
        assert head_gz.data == b"" and head_gz.headers["Content-Encoding"] == "gzip"
        not_modified = client.head(url, headers={"If-None-Match": get.headers["ETag"]})
        assert not_modified.status_code == 304 and not_modified.data == b""


def test_first_and_cached_answers_are_identical(small_app):
    client = small_app.test_client()
    for url in ("/all.rss", "/topics/ai.json", "/index.html"):
        for headers in ({}, {"Accept-Encoding": "gzip"}):
            first = client.get(url, headers=headers)  # rendered, through the Flask view
            second = client.get(url, headers=headers)  # from the cache, before Flask
            assert (first.status_code, first.data) == (second.status_code, second.data)
            assert list(first.headers) == list(second.headers), url
            etag = first.headers["ETag"]
            cond = [client.get(url, headers={**headers, "If-None-Match": etag}) for _ in range(2)]
            assert list(cond[0].headers) == list(cond[1].headers)


# ------------------------------------------------------------ gzip


def test_gzip_is_negotiated_and_decodes_to_the_same_bytes(fc):
    for url in (*FEEDS, "/", "/feeds.opml", "/topics/ai.atom?limit=2"):
        plain = fc.get(url)
        zipped = fc.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert "Content-Encoding" not in plain.headers
        assert zipped.headers["Content-Encoding"] == "gzip", url
        assert gzip.decompress(zipped.data) == plain.data
        assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data)
        assert zipped.headers["Content-Type"] == plain.headers["Content-Type"]
        assert plain.headers["Vary"] == zipped.headers["Vary"] == expected_vary(url)
        assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gz"'
        # Same request, same bytes (gzip without a timestamp).
        assert fc.get(url, headers={"Accept-Encoding": "gzip"}).data == zipped.data


def test_each_representation_validates_only_itself(fc):
    plain = fc.get("/all.atom")
    zipped = fc.get("/all.atom", headers={"Accept-Encoding": "gzip"})
    gz_etag, etag = zipped.headers["ETag"], plain.headers["ETag"]
    assert fc.get("/all.atom", headers={"Accept-Encoding": "gzip", "If-None-Match": gz_etag}).status_code == 304
    assert fc.get("/all.atom", headers={"If-None-Match": gz_etag}).status_code == 200
    assert fc.get("/all.atom", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}).status_code == 200
    both = fc.get("/all.atom", headers={"Accept-Encoding": "gzip", "If-None-Match": f"{etag}, {gz_etag}"})
    assert both.status_code == 304 and both.headers["ETag"] == gz_etag


@pytest.mark.parametrize(("accept", "gzipped"), [
    ("gzip", True), ("GZIP", True), ("x-gzip", True), ("*", True), ("gzip;q=0.5", True),
    ("deflate, gzip ; q=1.0", True), ("br, *;q=0.1", True),
    ("gzip;q=0", False), ("gzip; q=0.000", False), ("*;q=0", False), ("gzip;q=0, *", False),
    ("identity", False), ("br, deflate", False), ("", False), ("gzip;q=bogus", False),
])
def test_q_values_are_respected(fc, accept, gzipped):
    response = fc.get("/all.atom", headers={"Accept-Encoding": accept})
    assert (response.headers.get("Content-Encoding") == "gzip") is gzipped
    assert response.headers["Vary"] == expected_vary("/all.atom")


def test_vary_on_every_feed_and_page(fc, small_app):
    site = small_app.extensions["feedsmith"].site
    pages = [p for p in site.paths() if p.startswith("articles/")]
    assert pages
    for path in ["", *site.paths(), "all.atom?topic=ai"]:
        response = fc.get("/" + path)
        assert response.status_code == 200, path
        assert response.headers["Vary"] == expected_vary(path), path


# ------------------------------------------------------------ query parameters


def test_limit(fc):
    for url in FEEDS:
        assert len(titles(fc.get(url).data, url)) == 5
        assert len(titles(fc.get(f"{url}?limit=2").data, url)) == 2
        assert titles(fc.get(f"{url}?limit=1").data, url) == ["OpenAI ships a new model"]
        assert len(titles(fc.get(f"{url}?limit=1000").data, url)) == 5


def test_topic(fc):
    expected = ["OpenAI ships a new model", "Chip export rules tighten", "Old AI news"]
    for url in FEEDS:
        assert titles(fc.get(f"{url}?topic=ai").data, url) == expected
        assert titles(fc.get(f"{url}?topic=AI").data, url) == expected
        assert titles(fc.get(f"{url}?topic=ai-in-autos").data, url) == ["Self-driving taxis in Singapore"]
        assert titles(fc.get(f"{url}?topic=AI%20in%20Autos").data, url) == ["Self-driving taxis in Singapore"]
        assert titles(fc.get(f"{url}?topic=nothing-here").data, url) == []


def test_provider(fc):
    cnn = ["OpenAI ships a new model", "Self-driving taxis in Singapore", "Old AI news"]
    for url in FEEDS:
        for value in ("cnn-com", "cnn.com", "CNN"):
            assert titles(fc.get(f"{url}?provider={value}").data, url) == cnn
        assert titles(fc.get(f"{url}?provider=The%20Straits%20Times").data, url) == ["Quantum startup raises funds"]


def test_q(fc):
    for url in FEEDS:
        assert titles(fc.get(f"{url}?q=robot").data, url) == ["OpenAI ships a new model", "Quantum startup raises funds"]
        assert titles(fc.get(f"{url}?q=CHIP").data, url) == ["Chip export rules tighten"]


def test_since(fc):
    for url in FEEDS:
        assert titles(fc.get(f"{url}?since=2024-05-02").data, url) == ["OpenAI ships a new model", "Chip export rules tighten"]
        assert titles(fc.get(f"{url}?since=2024-05-03T18:00:00%2B08:00").data, url) == ["OpenAI ships a new model"]
        assert titles(fc.get(f"{url}?since=2030-01-01").data, url) == []


def test_intersections(fc):
    url = "/all.atom"
    assert titles(fc.get(f"{url}?topic=ai&provider=cnn-com").data, url) == ["OpenAI ships a new model", "Old AI news"]
    assert titles(fc.get(f"{url}?topic=ai&provider=cnn-com&since=2024-01-01").data, url) == ["OpenAI ships a new model"]
    assert titles(fc.get(f"{url}?topic=ai&provider=cnn-com&limit=1").data, url) == ["OpenAI ships a new model"]
    assert titles(fc.get(f"{url}?q=robot&topic=quantum").data, url) == ["Quantum startup raises funds"]
    assert titles(fc.get(f"{url}?q=robot&provider=reuters-com").data, url) == []
    # Parameters narrow any feed, not only /all.
    assert titles(fc.get("/providers/cnn-com.rss?topic=ai-in-autos").data, "x.rss") == ["Self-driving taxis in Singapore"]
    assert titles(fc.get("/topics/ai.json?since=2024-05-03").data, "x.json") == ["OpenAI ships a new model"]


def test_filtered_feeds_are_valid_and_well_labelled(fc):
    for url in ("/all.rss?topic=ai&provider=cnn-com", "/all.atom?topic=ai&provider=cnn-com", "/all.atom?q=zzz"):
        response = fc.get(url)
        assert response.status_code == 200
        assert feedparser.parse(response.data).bozo == 0
        assert response.mimetype in ("application/rss+xml", "application/atom+xml")
        assert_security(response)
    data = json.loads(fc.get("/all.json?topic=ai&limit=2").data)
    assert len(data["items"]) == 2
    parsed = feedparser.parse(fc.get("/all.atom?topic=ai&limit=2").data)
    selves = [link.href for link in parsed.feed.get("links", []) if link.get("rel") == "self"]
    assert selves and selves[0].endswith("all.atom?limit=2&topic=ai")


def test_filtered_feeds_have_validators_and_are_cached(fc, small_app, monkeypatch):
    from feedsmith import render

    first = fc.get("/all.atom?topic=ai&provider=cnn-com")
    etag = first.headers["ETag"]
    assert etag == f'"{hashlib.sha256(first.data).hexdigest()[:32]}"'
    assert first.headers["Last-Modified"] == NEWEST_HTTP_DATE
    calls = []
    original = render.render_feed
    monkeypatch.setattr(render, "render_feed", lambda *a, **k: calls.append(1) or original(*a, **k))
    # The same query in another spelling and order is the same cached document.
    again = fc.get("/all.atom?provider=CNN-COM&topic=AI", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    assert fc.get("/all.atom?provider=cnn-com&topic=ai").data == first.data
    assert calls == []
    assert fc.get("/all.atom?topic=quantum").status_code == 200
    assert calls == [1]
    quantum = fc.get("/all.atom?topic=quantum")
    assert quantum.headers["Last-Modified"] == "Fri, 01 Mar 2024 00:00:00 GMT"


def test_filtered_cache_is_bounded(fc, small_app, monkeypatch):
    from feedsmith import web

    monkeypatch.setattr(web, "FILTERED_CACHE_SIZE", 3)
    for n in range(1, 8):
        assert fc.get(f"/all.rss?limit={n}").status_code == 200
    assert len(small_app.extensions["feedsmith"].state().cache._filtered) == 3


def test_no_parameters_serves_the_site_bytes(fc, small_app):
    site = small_app.extensions["feedsmith"].site
    for url in FEEDS:
        expected = site.get(url[1:]).body
        assert fc.get(url).data == expected
        assert fc.get(url + "?").data == expected
        assert fc.get(url + "?&").data == expected


def test_parameters_on_pages_are_ignored(fc):
    assert fc.get("/?v=2").data == fc.get("/").data
    assert fc.get("/feeds.opml?x=1").status_code == 200


@pytest.mark.parametrize(("query", "reason"), [
    ("limit=-1", "limit"), ("limit=0", "limit"), ("limit=abc", "limit"), (f"limit={10**9}", "limit"),
    ("limit=1001", "limit"), ("limit=", "limit"), ("since=yesterday", "since"),
    ("since=2024-02-30", "since"), ("page=2", "unknown parameter 'page'"), ("topic=", "topic"),
    ("topic=ai&topic=quantum", "more than once"), ("q=" + "x" * 500, "q"), ("q=a%00b", "q"),
    ("utm_source=newsletter", "unknown parameter"),
])
def test_invalid_parameters_are_a_400_with_a_reason(fc, query, reason):
    for url in ("/all.atom", "/topics/ai.json"):
        response = fc.get(f"{url}?{query}")
        assert response.status_code == 400, query
        assert response.mimetype == "text/plain"
        text = response.get_data(as_text=True)
        assert reason in text and text.count("\n") == 1 and len(text) < 300, text
        assert_security(response)


def test_unknown_feed_with_parameters_is_still_a_404(fc):
    assert fc.get("/topics/nope.atom?limit=5").status_code == 404
    assert fc.get("/topics/nope.atom?limit=-5").status_code == 404


# ------------------------------------------------------------ /healthz


def test_healthz(fc, small_app):
    response = fc.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert_security(response)
    data = response.get_json()
    assert set(data) == {"status", "articles", "feeds", "warnings", "problems", "last_reload", "reload_error"}
    assert data["status"] == "ok" and data["articles"] == 5 and data["reload_error"] is None
    site = small_app.extensions["feedsmith"].site
    assert data["feeds"] == len(site.catalog.feeds) > 5
    assert isinstance(data["warnings"], int) and data["problems"] == 0
    loaded = datetime.fromisoformat(data["last_reload"])
    assert loaded.tzinfo is not None and abs(loaded.timestamp() - time.time()) < 60


def test_healthz_counts_problems(fc, small_seeds):
    (small_seeds / "broken.md").write_bytes(b"---\ntitle: [\n---\n\xff\xfe\x00garbage")
    data = fc.get("/healthz").get_json()
    assert data["problems"] == 1 and data["articles"] == 5


# ------------------------------------------------------------ security


def test_security_headers_everywhere(fc):
    ok = fc.get("/all.atom")
    cases = {
        "feed 200": ok,
        "index 200": fc.get("/"),
        "304": fc.get("/all.atom", headers={"If-None-Match": ok.headers["ETag"]}),
        "404": fc.get("/topics/nope.rss"),
        "400": fc.get("/all.atom?limit=-1"),
        "405": fc.post("/all.atom"),
        "OPTIONS": fc.options("/all.atom"),
        "healthz": fc.get("/healthz"),
        "gzip": fc.get("/all.rss", headers={"Accept-Encoding": "gzip"}),
    }
    for name, response in cases.items():
        assert_security(response, html=response.mimetype == "text/html")
        if response.mimetype != "text/html":
            assert "sandbox" in response.headers["Content-Security-Policy"], name


def test_html_csp_allows_exactly_the_pages_style_blocks(fc, small_app):
    site = small_app.extensions["feedsmith"].site
    page = next(p for p in site.paths() if p.startswith("articles/"))
    for url in ("/", "/index.html", "/" + page):
        response = fc.get(url)
        assert response.mimetype == "text/html"
        csp = response.headers["Content-Security-Policy"]
        assert_security(response, html=True)
        assert "'unsafe-inline'" not in csp and "img-src https: http: data:" in csp
        text = response.get_data(as_text=True)
        blocks = re.findall(r"<style>(.*?)</style>", text, re.S)
        assert blocks
        for block in blocks:
            digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in csp
        assert "<script" not in text and " style=" not in text


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_only_get_and_head(fc, method):
    for url in ("/all.atom", "/", "/healthz", "/topics/nope.rss"):
        response = fc.open(url, method=method, data=b"x=1")
        assert response.status_code == 405, (method, url)
        assert response.mimetype == "text/plain"
        assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
        assert len(response.data) < 100 and b"<" not in response.data
        assert_security(response)


@pytest.mark.parametrize("url", [
    "/topics/..%2f..%2fetc%2fpasswd.rss", "/../../etc/passwd", "/topics/../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd", "/all.atom%00.html", "/topics/ai%00.rss", "/" + "a" * 5000 + ".rss",
    "/topics/" + "x" * 201 + ".atom", "/providers/%ff%fe.rss", "/articles/..%5c..%5cwin.ini",
    "/all.atom/", "/%0d%0aSet-Cookie:%20x=1", "/static/../config.yaml", "/.feedsmith-manifest",
    "/topics/<script>alert(1)</script>.rss",
])
def test_hostile_paths_are_4xx_never_500(fc, url):
    response = fc.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code)
    assert response.mimetype == "text/plain"
    assert b"root:" not in response.data and b"base_url" not in response.data
    assert len(response.data) < 5000
    assert "Set-Cookie" not in response.headers
    assert_security(response)


def test_control_characters_in_the_path_are_a_400(fc):
    response = fc.get("/all%00.rss")
    assert response.status_code == 400 and b"\x00" not in response.data


def test_404_for_over_long_path_does_not_echo_it(fc):
    response = fc.get("/topics/" + "y" * 3000 + ".rss")
    assert response.status_code == 404 and len(response.data) < 2000
    assert b"Topics: " in response.data


def test_a_failing_renderer_gives_503_not_a_traceback(small_app, monkeypatch, caplog):
    from feedsmith import render

    def explode(feed, fmt, *args, **kwargs):
        if feed.path == "topics/quantum":
            raise RuntimeError("renderer failed")
        return original(feed, fmt, *args, **kwargs)

    original = render.render_feed
    monkeypatch.setattr(render, "render_feed", explode)
    client = small_app.test_client()
    response = client.get("/topics/quantum.atom")
    assert response.status_code == 503
    assert response.mimetype == "text/plain" and b"Traceback" not in response.data
    assert b"temporarily unavailable" in response.data
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Retry-After"]
    assert_security(response)
    assert client.get("/all.atom?topic=quantum").status_code == 200
    assert client.get("/topics/ai.atom").status_code == 200
    assert any("topics/quantum" in r.getMessage() for r in caplog.records)
    monkeypatch.setattr(render, "render_feed", original)
    assert client.get("/topics/quantum.atom").status_code == 200  # failures are not cached


def test_debug_is_off_even_with_flask_debug_set(small_config, monkeypatch):
    from feedsmith.web import create_app

    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app(small_config)
    assert app.debug is False
    response = app.test_client().get("/topics/nope.rss")
    assert response.status_code == 404 and b"Traceback" not in response.data


def test_dev_server_sends_one_neutral_server_header(small_app):
    from werkzeug.serving import make_server

    from feedsmith.web import DevRequestHandler

    server = make_server("127.0.0.1", 0, small_app, request_handler=DevRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for url in ("/all.atom", "/all.atom", "/nope", "/healthz"):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            servers = [v for k, v in response.getheaders() if k.lower() == "server"]
            assert servers == ["feedsmith"], (url, servers)
            assert response.getheader("Date")
            conn.close()
    finally:
        server.shutdown()
        thread.join(10)


# ------------------------------------------------------------ reload


def test_reload_after_change_gives_new_bytes_and_new_etag(fc, small_seeds):
    first = fc.get("/all.atom")
    first_gz = fc.get("/all.atom", headers={"Accept-Encoding": "gzip"})
    filtered = fc.get("/all.atom?topic=ai")
    new = small_seeds / "f-new.md"
    new.write_text(_front_matter("Fresh AI story", "Just in.", "2024-05-04T00:00:00Z",
                                 "https://example.org/fresh", "CNN", "cnn.com", ["AI"]), encoding="utf-8")
    os.utime(new, (time.time() + 5, time.time() + 5))
    after = fc.get("/all.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != first.headers["ETag"]
    assert titles(after.data, "/all.atom")[0] == "Fresh AI story"
    assert after.headers["Last-Modified"] == "Sat, 04 May 2024 00:00:00 GMT"
    gz = fc.get("/all.atom", headers={"Accept-Encoding": "gzip", "If-None-Match": first_gz.headers["ETag"]})
    assert gz.status_code == 200 and gzip.decompress(gz.data) == after.data
    refreshed = fc.get("/all.atom?topic=ai")
    assert refreshed.headers["ETag"] != filtered.headers["ETag"]
    assert titles(refreshed.data, "/all.atom")[0] == "Fresh AI story"
    # Unchanged resources keep their tags across a reload.
    assert fc.get("/topics/quantum.atom").status_code == 200
    new.unlink()
    back = fc.get("/all.atom")
    assert back.data == first.data and back.headers["ETag"] == first.headers["ETag"]


def test_a_failed_reload_keeps_serving_and_is_reported(fc, small_app, monkeypatch):
    from feedsmith import web

    before = fc.get("/all.rss")
    (Path(small_app.extensions["feedsmith"].seeds_dir) / "g.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(web, "load_cached_site", broken)
    response = fc.get("/all.rss")
    assert response.status_code == 200 and response.data == before.data
    health = fc.get("/healthz").get_json()
    assert health["status"] == "ok" and "disk on fire" in health["reload_error"]
