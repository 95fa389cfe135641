"""The live app: same bytes as the build, content types, 404s, autodiscovery, reload."""

from __future__ import annotations

import gzip
import os
import time

import feedparser
from lxml import html as lxml_html

from feedsmith.build import MANIFEST, build


def test_served_bytes_equal_built_bytes(client, site_config):
    build(site_config)
    out = site_config.out_dir
    files = [p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST]
    assert len(files) > 10
    for path in files:
        rel = path.relative_to(out).as_posix()
        if rel.endswith(".gz"):  # a precompressed twin: the app negotiates gzip instead
            response = client.get(f"/{rel.removesuffix('.gz')}")
            assert response.status_code == 200, rel
            assert gzip.decompress(path.read_bytes()) == response.data, rel
            continue
        response = client.get(f"/{rel}")
        assert response.status_code == 200, rel
        assert response.data == path.read_bytes(), rel


def test_a_server_started_from_a_warm_cache_serves_the_built_bytes(site_config):
    from feedsmith.model import ArticleStub
    from feedsmith.web import create_app

    build(site_config)
    app = create_app(site_config)
    site = app.extensions["feedsmith"].site
    assert all(isinstance(a, ArticleStub) for a in site.catalog.articles), "did not start from the cache"
    client = app.test_client()
    out = site_config.out_dir
    for path in out.rglob("*"):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and path.name != MANIFEST and not rel.endswith(".gz"):
            response = client.get(f"/{rel}")
            assert response.status_code == 200 and response.data == path.read_bytes(), rel
    narrowed = client.get("/all.atom?q=openai")
    assert narrowed.status_code == 200 and b"<content" in narrowed.data


def test_content_types(client):
    expected = {
        "/all.rss": "application/rss+xml",
        "/topics/ai.atom": "application/atom+xml",
        "/all.json": "application/feed+json",
        "/feeds.opml": "text/x-opml",
        "/": "text/html",
    }
    for url, content_type in expected.items():
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == content_type, url


def test_404_lists_what_exists(client):
    response = client.get("/topics/nope.atom")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "ai" in body and "wsj-com" in body


def test_index_autodiscovery_links_resolve_to_feeds(client, site_config):
    page = lxml_html.fromstring(client.get("/").data)
    links = page.xpath('//link[@rel="alternate"]')
    assert len(links) >= 3 * 8
    for link in links:
        href = link.get("href")
        assert href.startswith(site_config.base_url)
        response = client.get("/" + href.removeprefix(site_config.base_url))
        assert response.status_code == 200
        if link.get("type") != "application/feed+json":
            assert feedparser.parse(response.data).bozo == 0


def test_new_and_deleted_seed_files_show_up_without_restart(client, seeds):
    before = len(feedparser.parse(client.get("/all.atom").data).entries)
    new = seeds / "zz-new.md"
    new.write_text("---\ntitle: Fresh story\nurl: https://example.org/fresh\ndate: 2030-01-01\n---\nBody\n", encoding="utf-8")
    os.utime(new, (time.time() + 5, time.time() + 5))
    entries = feedparser.parse(client.get("/all.atom").data).entries
    assert len(entries) == before + 1 and entries[0].title == "Fresh story"
    new.unlink()
    assert len(feedparser.parse(client.get("/all.atom").data).entries) == before


def test_a_bad_file_never_causes_a_500(client, seeds):
    (seeds / "bad.txt").write_bytes(b"---\ntitle: [\n---\n\xff\xfe\x00garbage")
    for url in ("/", "/all.atom", "/all.rss", "/topics/ai.rss"):
        assert client.get(url).status_code == 200
