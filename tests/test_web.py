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


def _gated_load(monkeypatch):
    """Holds a warm start's background load until the returned event is set."""
    import threading

    from feedsmith import web

    gate = threading.Event()
    real = web.load_cached_site

    def held(*args, **kwargs):
        gate.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(web, "load_cached_site", held)
    return gate


def test_a_warm_start_serves_the_current_static_tree_while_the_site_loads(site_config, monkeypatch):
    import shutil

    from feedsmith.web import create_app

    first = sorted(site_config.seeds_dir.iterdir())[0]  # a duplicate: read twice, kept once
    shutil.copy(first, site_config.seeds_dir / f"copy-of-{first.name}")
    build(site_config)
    gate = _gated_load(monkeypatch)
    app = create_app(site_config, warm_start=True)
    live = app.extensions["feedsmith"]
    client = app.test_client()
    out = site_config.out_dir
    assert live.loading and live.last_build is not None
    early = client.get("/all.atom")
    assert early.status_code == 200 and early.data == (out / "all.atom").read_bytes()
    assert early.headers["Content-Type"].startswith("application/atom+xml")
    assert "Last-Modified" not in early.headers  # needs the catalog, which is still loading
    assert client.get("/all.atom", headers={"If-None-Match": early.headers["ETag"]}).status_code == 304
    zipped = client.get("/topics/ai.rss", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(zipped.data) == (out / "topics/ai.rss").read_bytes()
    browser = client.get("/all.atom", headers={"Accept": "text/html"})
    assert browser.data == (out / "all.html").read_bytes()
    assert client.get("/").data == (out / "index.html").read_bytes()
    starting = client.get("/healthz").get_json()
    assert starting["status"] == "starting" and starting["articles"] == live.last_build.articles
    assert live.bridge.get(f"/{MANIFEST}", False) is None  # only the tree's own documents
    assert live.bridge.get("/all.atom.gz", False) is None
    gate.set()
    deadline = time.monotonic() + 30
    while live.loading and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not live.loading and live.bridge is None
    loaded = client.get("/all.atom")
    assert loaded.data == early.data and loaded.headers["ETag"] == early.headers["ETag"]
    assert "Last-Modified" in loaded.headers
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok"
    counts = ("articles", "feeds", "warnings", "problems")  # the same whether starting or loaded
    assert [health[k] for k in counts] == [starting[k] for k in counts]
    assert client.get("/no-such-feed.atom").status_code == 404


def test_a_warm_start_waits_for_the_site_for_what_the_tree_lacks(site_config, monkeypatch):
    import threading

    from feedsmith.web import create_app

    build(site_config)
    gate = _gated_load(monkeypatch)
    app = create_app(site_config, warm_start=True)
    answers = {}
    asker = threading.Thread(target=lambda: answers.update(
        html=app.test_client().get("/all.rss", headers={"Accept": "text/html"})))
    asker.start()
    asker.join(0.5)
    assert asker.is_alive(), "the RSS feed's HTML view is not in the tree: it must wait for the site"
    gate.set()
    asker.join(30)
    assert answers["html"].status_code == 200 and answers["html"].mimetype == "text/html"


def test_a_warm_start_loads_first_when_the_tree_is_not_current(site_config, seeds):
    from feedsmith.web import create_app

    build(site_config)
    (seeds / "late.md").write_text("---\ntitle: Late news\nurl: https://example.com/late\n"
                                   "date: 2024-05-01T10:00:00Z\n---\nBody.\n", encoding="utf-8")
    live = create_app(site_config, warm_start=True).extensions["feedsmith"]
    assert not live.loading and live.last_build is None and live.bridge is None
    assert any(a.title == "Late news" for a in live.site.catalog.articles)


def test_serving_on_another_port_does_not_make_the_build_out_of_date(site_config):
    from dataclasses import replace

    from feedsmith.web import create_app

    build(site_config)
    live = create_app(replace(site_config, port=9999, cache_max_age=5), warm_start=True).extensions["feedsmith"]
    assert live.last_build is not None
    assert build(replace(site_config, host="0.0.0.0", reload_interval=9)).current


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


def test_only_published_formats_are_served(site_config):
    """A format left out of ``formats`` is a 404 everywhere, feeds and archives alike,
    and a browser asking for a feed gets the view of the format offered first."""
    from dataclasses import replace

    from feedsmith.web import create_app

    config = replace(site_config, formats=("rss", "json"), item_limit=1)
    build(config)
    archived = sorted(p.relative_to(config.out_dir).as_posix()
                      for p in (config.out_dir / "all" / "archive").glob("*.rss"))
    assert archived and not list((config.out_dir / "all" / "archive").glob("*.atom"))
    app = create_app(config)
    app.testing = True
    client = app.test_client()
    assert client.get("/all.rss").status_code == 200
    assert client.get("/topics/ai.json").status_code == 200
    assert client.get(f"/{archived[0]}").status_code == 200
    assert client.get("/all.atom").status_code == 404
    assert client.get("/topics/ai.atom?limit=1").status_code == 404
    assert client.get(f"/{archived[0][:-len('rss')]}atom").status_code == 404
    page = client.get("/all.rss", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert b"all.atom" not in page.data and b"all.json" in page.data
    index = client.get("/").data
    assert b"all.atom" not in index and b"all.rss" in index
