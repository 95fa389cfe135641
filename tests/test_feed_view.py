"""A feed opened in a browser: the HTML view of a feed URL (Accept negotiation),
the ``<?xml-stylesheet?>`` + ``feed.xsl`` for RSS and Atom, and the static
``<feed>.html`` views - through the Flask test client and the static build."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re

import feedparser
import lxml.html
import pytest
from lxml import etree

from feedsmith import pages
from feedsmith.build import build
from feedsmith.catalog import build_catalog
from feedsmith.config import Config
from feedsmith.site import STATIC_TYPES, Site, static_file
from feedsmith.web import HTML_CSP, prefers_html

from .feedcheck import assert_valid
from .test_pages import CONFIG as HOSTILE_CONFIG
from .test_pages import HOSTILE, art, check_html5

# What browsers send when they navigate to a URL.
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
          "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BROWSERS = [CHROME, FIREFOX, SAFARI, "text/html", "application/xhtml+xml, text/html;q=0.9, */*;q=0.1"]
# What feed readers, libraries and scripts send (None: no Accept header at all).
READERS = [
    None, "", "*/*",
    "application/atom+xml",
    "application/rss+xml",
    # feedparser
    "application/atom+xml,application/rdf+xml,application/rss+xml,application/x-netcdf,"
    "application/xml;q=0.9,text/xml;q=0.2,*/*;q=0.1",
    "application/rss+xml, application/rdf+xml;q=0.8, application/atom+xml;q=0.6, "
    "application/xml;q=0.4, text/xml;q=0.4",
    "application/feed+json, application/json;q=0.9, */*;q=0.8",
    "application/xml, text/xml, */*",
    # HTML only as a fallback, or not above what a feed type gets
    "application/rss+xml, application/atom+xml, text/html;q=0.5, */*;q=0.1",
    "text/html;q=0.5, */*",
    "text/html, application/xml",
    "text/*",
    "text/html;q=0",
    "text/html;q=bogus, */*;q=0.1",
]
FEEDS = ("/all.rss", "/all.atom", "/all.json", "/topics/ai.rss", "/topics/ai.atom", "/providers/cnn-com.json")
MIME = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}
BROWSER_VARY = "Accept, Accept-Encoding"


def get(client, url: str, accept: str | None, **headers: str):
    if accept is not None:
        headers["Accept"] = accept
    return client.get(url, headers=headers)


def site_of(app) -> Site:
    return app.extensions["feedsmith"].site


def csp_hash(block: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"


# ------------------------------------------------------------ negotiation


@pytest.mark.parametrize("accept", BROWSERS)
def test_browser_accept_prefers_html(accept):
    assert prefers_html(accept) is True


@pytest.mark.parametrize("accept", [a for a in READERS if a is not None])
def test_reader_accept_gets_the_feed(accept):
    assert prefers_html(accept) is False


def test_prefers_html_survives_odd_headers():
    for header in ("text/html;q=2", "text/html;;;", ",,,", "text/html; level=1, */*;q=0.1",
                   "TEXT/HTML", "text/html;Q=1", "text/html" + ",x/y" * 5000, "/html", "html"):
        assert prefers_html(header) in (True, False)
    assert prefers_html("text/html;q=2") is False  # an invalid q counts as 0
    assert prefers_html("TEXT/HTML") is True
    assert prefers_html("text/html" + ",x/y" * 5000) is False  # over-long: the feed


@pytest.mark.parametrize("accept", BROWSERS[:3])
@pytest.mark.parametrize("url", FEEDS)
def test_a_browser_gets_the_html_view(client, app, url, accept):
    response = get(client, url, accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Vary"] == BROWSER_VARY
    assert response.headers["Content-Security-Policy"] == HTML_CSP
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()[:32]}"'
    feed_response = get(client, url, "*/*")
    assert response.headers["ETag"] != feed_response.headers["ETag"]
    assert response.headers["Last-Modified"] == feed_response.headers["Last-Modified"]
    # The view is what Site.view renders for this path, byte for byte.
    assert response.data == site_of(app).view(url[1:]).body
    doc = check_html5(response.data)
    fmt = url.rsplit(".", 1)[1]
    (box,) = doc.xpath("//input[@id='feed-url']")
    assert box.get("readonly") is not None
    assert box.get("value") == app.config["FEEDSMITH"].url(url[1:])
    feed = site_of(app).catalog.feed(url[1:].rsplit(".", 1)[0])
    titles = [a.text_content() for a in doc.xpath("//li[@class='entry']/h3")]
    assert titles == [a.title for a in feed.articles[:50]]
    assert doc.xpath("string(//h1)") == feed.title(app.config["FEEDSMITH"].title)
    types = {link.get("type") for link in doc.xpath("/html/head/link[@rel='alternate']")}
    assert types == set(MIME.values())
    assert doc.xpath("//label[@for='feed-url']")[0].text_content().startswith(
        {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}[fmt])


@pytest.mark.parametrize("accept", READERS)
@pytest.mark.parametrize("url", FEEDS)
def test_readers_and_scripts_get_the_exact_feed_bytes(client, app, url, accept):
    response = get(client, url, accept)
    assert response.status_code == 200
    assert response.data == site_of(app).get(url[1:]).body
    assert response.mimetype == MIME[url.rsplit(".", 1)[1]]
    assert response.headers["Vary"] == BROWSER_VARY


def test_fast_path_and_flask_give_the_same_answers(client):
    """First requests go through Flask (and render); repeats are served from the cache."""
    for url in ("/all.atom", "/topics/ai.rss"):
        for first, second in ((CHROME, "*/*"), ("*/*", CHROME)):
            answers = [get(client, url, accept) for accept in (first, second, first, second)]
            assert answers[0].data == answers[2].data and answers[1].data == answers[3].data
            assert answers[0].headers == answers[2].headers
            assert answers[1].headers == answers[3].headers
            assert answers[0].data != answers[1].data


def test_html_view_validators_gzip_and_head(client):
    first = get(client, "/all.rss", CHROME)
    etag = first.headers["ETag"]
    again = get(client, "/all.rss", CHROME, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag and again.headers["Vary"] == BROWSER_VARY
    # The browser's tag does not match the feed (nor the other way round).
    assert get(client, "/all.rss", "*/*", **{"If-None-Match": etag}).status_code == 200
    feed_etag = get(client, "/all.rss", None).headers["ETag"]
    assert get(client, "/all.rss", CHROME, **{"If-None-Match": feed_etag}).status_code == 200
    zipped = get(client, "/all.rss", CHROME, **{"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.data) == first.data
    assert zipped.headers["ETag"] == etag[:-1] + '-gz"' and zipped.headers["Vary"] == BROWSER_VARY
    head = client.head("/all.rss", headers={"Accept": CHROME})
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"].startswith("text/html")
    assert int(head.headers["Content-Length"]) == len(first.data)


def test_html_view_keeps_the_query_filters(client, app):
    config = app.config["FEEDSMITH"]
    site = site_of(app)
    provider = site.catalog.feeds_of("provider")[0]
    narrowed = [a for a in site.catalog.feed("all").articles if a in provider.articles]
    assert 0 < len(narrowed) < len(site.catalog.feed("all").articles)
    query = f"limit=2&provider={provider.slug}&topic=ai"
    view = get(client, f"/all.atom?topic=ai&provider={provider.slug}&limit=2", CHROME)
    assert view.status_code == 200 and view.mimetype == "text/html"
    assert view.headers["Vary"] == BROWSER_VARY
    doc = check_html5(view.data)
    titles = [a.text_content() for a in doc.xpath("//li[@class='entry']/h3")]
    assert titles == [a.title for a in narrowed[:2]]
    assert doc.xpath("string(//input[@id='feed-url']/@value)") == config.url(f"all.atom?{query}")
    assert doc.xpath("/html/head/link[@rel='canonical']") == []
    feed = get(client, f"/all.atom?{query}", "application/atom+xml")
    assert feed.mimetype == "application/atom+xml" and feed.headers["Vary"] == BROWSER_VARY
    assert [e.title for e in feedparser.parse(feed.data).entries] == titles
    assert get(client, "/all.atom?limit=-1", CHROME).status_code == 400


def test_pages_and_other_paths_are_not_negotiated(client):
    for url in ("/", "/index.html", "/feeds.opml", "/topics/ai.html", "/feed.xsl"):
        for accept in (CHROME, "*/*"):
            response = get(client, url, accept)
            assert response.status_code == 200
            assert response.headers["Vary"] == "Accept-Encoding", url
        assert get(client, url, CHROME).data == get(client, url, "*/*").data
    assert get(client, "/topics/nope.rss", CHROME).status_code == 404


def test_atom_view_is_the_static_view(client, app):
    """``/topics/ai.atom`` in a browser is byte for byte ``/topics/ai.html``."""
    assert site_of(app).config.main_format == "atom"
    for feed in site_of(app).catalog.feeds.values():
        view = get(client, f"/{feed.path}.atom", CHROME)
        static = get(client, f"/{feed.path}.html", "*/*")
        assert view.data == static.data == site_of(app).get(f"{feed.path}.html").body
        assert view.headers["ETag"] == static.headers["ETag"]


def test_view_shows_hostile_text_as_text():
    catalog = build_catalog([
        art(1, title=HOSTILE, topics=("AI",), summary=HOSTILE, author="A. <u>Writer</u>"),
        art(2, title="Own page", link=None, topics=("AI",), content_text="Text & <more>"),
        art(3, title="Bad link", link="javascript:alert(1)", topics=("AI",)),
    ], HOSTILE_CONFIG)
    feed = catalog.feed("topics/ai")
    for fmt in MIME:
        data = pages.render_feed_view(feed, fmt, catalog, HOSTILE_CONFIG)
        assert data == pages.render_feed_view(feed, fmt, catalog, HOSTILE_CONFIG)
        doc = check_html5(data)
        text = doc.text_content()
        assert HOSTILE in text and "A. <u>Writer</u>" in text and "Text & <more>" in text
        assert doc.xpath("//img") == [] and doc.xpath("//u") == []
        assert doc.xpath("string(/html/head/title)") == feed.title(HOSTILE_CONFIG.title)
        links = doc.xpath("//li[@class='entry']//a/@href")
        assert HOSTILE_CONFIG.url(catalog.page_path(catalog.articles[1])) in links
        assert not any(h.lower().startswith("javascript") for h in links)
    with pytest.raises(ValueError):
        pages.render_feed_view(feed, "html", catalog, HOSTILE_CONFIG)


def test_empty_feed_view():
    catalog = build_catalog([], HOSTILE_CONFIG)
    doc = check_html5(pages.render_feed_view(catalog.feed("all"), "rss", catalog, HOSTILE_CONFIG))
    assert "No articles yet" in doc.text_content()
    assert doc.xpath("string(//input/@value)") == HOSTILE_CONFIG.url("all.rss")


def test_index_links_every_feeds_html_view(client, app):
    config = app.config["FEEDSMITH"]
    doc = lxml.html.document_fromstring(get(client, "/", CHROME).data)
    for feed in site_of(app).catalog.feeds.values():
        (row,) = doc.xpath(f"//li[@id='feed-{feed.path.replace('/', '-')}']")
        (link,) = row.xpath(".//h3/a")
        assert link.get("href") == config.url(f"{feed.path}.html")
        assert get(client, "/" + link.get("href").removeprefix(config.base_url), CHROME).status_code == 200


# ------------------------------------------------------------ <?xml-stylesheet?> and feed.xsl


def test_rss_and_atom_name_the_stylesheet_right_after_the_xml_declaration(app):
    config = app.config["FEEDSMITH"]
    site = site_of(app)
    pi = f'<?xml-stylesheet type="text/xsl" href="{config.url("feed.xsl")}"?>'.encode()
    documents = [p for p in site.paths() if p.endswith((".rss", ".atom"))]
    assert len(documents) >= 2 * len(site.catalog.feeds)
    for path in documents:
        data = site.get(path).body
        declaration, second, _ = data.split(b"\n", 2)
        assert declaration.startswith(b"<?xml version=") and second == pi, path
        assert data.count(b"<?xml-stylesheet") == 1
        root = etree.fromstring(data)
        previous = root.getprevious()
        assert isinstance(previous, etree._ProcessingInstruction) and previous.target == "xml-stylesheet"
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert_valid(path, data)
    for path in (p for p in site.paths() if p.endswith(".json")):
        assert b"xml-stylesheet" not in site.get(path).body


def test_stylesheet_with_an_odd_base_url_stays_well_formed():
    from feedsmith import render

    config = Config(base_url='https://example.org/a&b"c/')
    catalog = build_catalog([art(1, topics=("AI",))], config)
    for fmt in ("rss", "atom"):
        data = render.render_feed(catalog.feed("all"), fmt, catalog, config)
        pi = etree.fromstring(data).getprevious()
        assert pi.get("href") == "https://example.org/a&amp;b%22c/feed.xsl"  # pseudo-attributes are escaped
        assert feedparser.parse(data).bozo == 0


def test_filtered_feeds_carry_the_stylesheet_too(client):
    data = get(client, "/all.rss?topic=ai", "application/rss+xml").data
    assert data.split(b"\n")[1].startswith(b"<?xml-stylesheet")
    assert feedparser.parse(data).bozo == 0


def test_feed_xsl_is_served_with_an_xslt_type(client, app):
    response = get(client, "/feed.xsl", "*/*")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xsl; charset=utf-8"
    assert response.data == static_file("feed.xsl") == site_of(app).get("feed.xsl").body
    assert "feed.xsl" in site_of(app).paths() and "feed.xsl" in STATIC_TYPES
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "Last-Modified" not in response.headers  # not derived from the articles
    etree.XSLT(etree.fromstring(response.data))  # a valid XSLT 1.0 stylesheet


def test_feed_csp_lets_a_browser_apply_the_stylesheet_and_nothing_else(client, app):
    config = app.config["FEEDSMITH"]
    for url in ("/all.rss", "/all.atom", "/all.atom?topic=ai"):
        csp = get(client, url, None).headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == config.url("feed.xsl")
        assert directives["style-src"] == pages.STYLE_CSP_SOURCE
        assert directives["sandbox"] == "allow-same-origin"  # no allow-scripts: nothing runs
    json_csp = get(client, "/all.json", None).headers["Content-Security-Policy"]
    assert "script-src" not in json_csp and json_csp.endswith("; sandbox")


def test_feed_xsl_style_block_is_the_pages_style_block():
    """One style block everywhere, so the CSP hash of the pages fits the transformed feeds."""
    text = static_file("feed.xsl").decode()
    (block,) = re.findall(r"<style>(.*?)</style>", text, re.S)
    assert block == f"\n{pages.STYLE}\n"
    assert csp_hash(block) == pages.STYLE_CSP_SOURCE


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feed_xsl_turns_rss_and_atom_into_a_readable_page(app, fmt):
    site = site_of(app)
    transform = etree.XSLT(etree.fromstring(site.get("feed.xsl").body))
    config = app.config["FEEDSMITH"]
    for feed in site.catalog.feeds.values():
        data = site.get(f"{feed.path}.{fmt}").body
        result = str(transform(etree.fromstring(data)))
        doc = lxml.html.document_fromstring(result)
        assert result.startswith("<!DOCTYPE html>")
        assert doc.xpath("string(//h1)") == feed.title(config.title)
        assert doc.xpath("string(//input[@id='feed-url']/@value)") == config.url(f"{feed.path}.{fmt}")
        parsed = feedparser.parse(data)
        titles = [h.text_content() for h in doc.xpath("//li[@class='entry']/h3")]
        assert titles == [e.title for e in parsed.entries]
        links = doc.xpath("//li[@class='entry']/h3/a/@href")
        assert links == [e.link for e in parsed.entries]
        summaries = [p.text_content() for p in doc.xpath("//li[@class='entry']/p[not(@class)]")]
        assert summaries == [e.summary for e in parsed.entries]
        assert doc.xpath("//script") == [] and doc.xpath("//@style") == []
        assert "&amp;" not in "".join(summaries + titles)


def test_feed_xsl_unescapes_rss_descriptions_once():
    from feedsmith import render

    config = Config()
    catalog = build_catalog([art(1, title="Q&A <b>", summary="Fish & chips <i>not markup</i> &amp;")], config)
    transform = etree.XSLT(etree.fromstring(static_file("feed.xsl")))
    for fmt in ("rss", "atom"):
        doc = lxml.html.document_fromstring(str(transform(etree.fromstring(
            render.render_feed(catalog.feed("all"), fmt, catalog, config)))))
        assert doc.xpath("string(//li/h3)") == "Q&A <b>"
        assert doc.xpath("string(//li/p[not(@class)])") == "Fish & chips <i>not markup</i> &amp;"
        assert doc.xpath("//li//b | //li//i") == []


# ------------------------------------------------------------ the static build


def test_static_build_writes_views_and_feed_xsl_as_the_app_serves_them(client, app, site_config):
    build(site_config)
    out = site_config.out_dir
    site = site_of(app)
    assert (out / "feed.xsl").read_bytes() == get(client, "/feed.xsl", "*/*").data
    for feed in site.catalog.feeds.values():
        written = (out / f"{feed.path}.html").read_bytes()
        assert written == get(client, f"/{feed.path}.html", CHROME).data
        assert written == get(client, f"/{feed.path}.atom", CHROME).data  # the view a browser gets
        doc = check_html5(written)
        assert len(doc.xpath("//li[@class='entry']")) == min(len(feed.articles), site_config.item_limit)
    index = lxml.html.document_fromstring((out / "index.html").read_bytes())
    views = {h.removeprefix(site_config.base_url) for h in index.xpath("//h3/a/@href")}
    assert views == {f"{f.path}.html" for f in site.catalog.feeds.values()}
    assert all((out / v).is_file() for v in views)


def test_a_second_build_leaves_views_unchanged(site_config):
    build(site_config)
    again = build(site_config)
    assert not [p for p in again.written if p.endswith((".html", ".xsl"))]


def test_a_view_reads_in_full_only_articles_without_a_summary(site_config):
    """A feed's view shows what stubs hold (title, date, provider, summary): a view of stubs
    from the parse cache reads no article again and is the view of the full articles."""
    from feedsmith.build import load_cached_site
    from feedsmith.load import load_folder
    from feedsmith.model import ArticleStub

    build(site_config)
    site = load_cached_site(site_config)
    feed = site.catalog.feed("all")
    assert all(isinstance(a, ArticleStub) for a in feed.articles) and all(a.summary for a in feed.articles)
    read = []
    hydrate = site.load.hydrate
    site.load.hydrate = lambda articles, config: read.extend(articles) or hydrate(articles, config)
    stubbed = site.get("all.html").body
    assert read == []
    full = Site(build_catalog(load_folder(site_config.seeds_dir, site_config).articles, site_config), site_config)
    assert stubbed == full.get("all.html").body
