"""The index page, the OPML list and article pages (feedsmith.pages)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from feedsmith import pages
from feedsmith.catalog import Catalog, build_catalog
from feedsmith.config import Config
from feedsmith.model import Article, Image, Provider, RelatedArticle
from feedsmith.load import load_folder
from feedsmith.text import xml_safe

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CONFIG = Config(title="Test & <Feeds>", base_url="https://news.example.org/sub/")
MIME = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

HOSTILE = '<script>alert("t")</script> & "quotes" <img src=x onerror=alert(1)>'
T0 = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)


def art(n: int, **kw) -> Article:
    fields = dict(
        id=f"tag:test,2024:{n}", title=f"Story {n}", link=f"https://example.com/{n}",
        published=T0 + timedelta(hours=n), observed=T0, source_path=f"seeds/{n}.md",
    )
    fields.update(kw)
    return Article(**fields)


@pytest.fixture(scope="module")
def seeds_catalog() -> Catalog:
    config = Config()
    return build_catalog(load_folder(SEEDS, config).articles, config)


@pytest.fixture(scope="module")
def hostile_catalog() -> Catalog:
    evil = Provider('Evil <b>"Times"</b> & Co', "evil.example")
    return build_catalog([
        art(1, title=HOSTILE, topics=("AI", "<script>x</script>"), provider=evil, category="news & <views>"),
        art(2, title="Plain \x01 story", topics=("AI",), provider=Provider("Wire")),
        art(3, title="Own page " + HOSTILE, link=None, topics=("AI",), provider=evil,
            author="A. <u>Writer</u>", summary="Sum & mary",
            content='<p onclick="steal()">Body <b>bold</b> text</p><script>alert(2)</script>'
                    '<a href="javascript:alert(3)">bad</a><a href="https://ok.example/">good</a>'
                    '<img src="https://img.example/a.jpg" onerror="alert(4)"><iframe src="https://x"></iframe>',
            images=(Image("https://img.example/lead.jpg", 640, 320, "Lead <pic>"),),
            related=(RelatedArticle("Rel <i>one</i>", "https://rel.example/1"),
                     RelatedArticle("Bad rel", "javascript:alert(5)"))),
        art(4, title="Text only", link=None, content_text="First para & more.\n\nSecond <para>\nline two"),
    ], CONFIG)


class _Balance(HTMLParser):
    """Fails on end tags that close nothing or close the wrong element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()


def check_html5(data: bytes) -> lxml.html.HtmlElement:
    assert isinstance(data, bytes)
    text = data.decode("utf-8")
    assert text.lower().startswith("<!doctype html>")
    checker = _Balance()
    checker.feed(text)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    doc = lxml.html.document_fromstring(data)
    assert doc.get("lang")
    assert doc.xpath("/html/head/meta[@charset='utf-8']")
    assert "width=device-width" in doc.xpath("string(/html/head/meta[@name='viewport']/@content)")
    assert doc.xpath("/html/head/title") and doc.xpath("/html/body")
    # Nothing executable: no script elements, no event handlers, no javascript: URLs.
    assert doc.xpath("//script") == []
    assert doc.xpath("//@*[starts-with(name(), 'on')]") == []
    for attr in doc.xpath("//@href | //@src"):
        assert not attr.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
    # CSP friendly: no inline style attributes, no external resources but images.
    assert doc.xpath("//@style") == []
    return doc


def served(path_or_url: str, config: Config) -> str:
    assert path_or_url.startswith(config.base_url), path_or_url
    return path_or_url[len(config.base_url):]


def expected_paths(catalog: Catalog) -> set[str]:
    return {f"{f.path}.{fmt}" for f in catalog.feeds.values() for fmt in MIME}


# --------------------------------------------------------------------- index


@pytest.mark.parametrize("which", ["seeds", "hostile"])
def test_index_lists_every_feed_with_formats_and_discovery(which, seeds_catalog, hostile_catalog):
    catalog, config = (seeds_catalog, Config()) if which == "seeds" else (hostile_catalog, CONFIG)
    data = pages.render_index(catalog, config)
    doc = check_html5(data)
    assert data == pages.render_index(catalog, config)  # deterministic

    alternates = doc.xpath("/html/head/link[@rel='alternate']")
    assert len(alternates) == 3 * len(catalog.feeds)
    found = {(served(link.get("href"), config), link.get("type")) for link in alternates}
    assert found == {(f"{f.path}.{fmt}", MIME[fmt]) for f in catalog.feeds.values() for fmt in MIME}
    assert all(link.get("title") for link in alternates)
    opml = doc.xpath("/html/head/link[@type='text/x-opml']/@href")
    assert [served(h, config) for h in opml] == ["feeds.opml"]

    for feed in catalog.feeds.values():
        (row,) = doc.xpath(f"//li[@id='feed-{feed.path.replace('/', '-')}']")
        assert feed.name in row.text_content()
        n = len(feed.articles)
        assert row.xpath("string(.//*[contains(@class, 'count')])") == f"({n} article{'s' * (n != 1)})"
        hrefs = {served(h, config) for h in row.xpath(".//a/@href") if h.startswith(config.base_url)}
        assert {f"{feed.path}.{fmt}" for fmt in MIME} <= hrefs
        (field,) = row.xpath(".//input")
        assert field.get("readonly") is not None
        assert field.get("value") == config.url(f"{feed.path}.atom")
        if feed.articles:
            newest = feed.articles[0]
            link = row.xpath(".//a[@href=$u]", u=catalog.entry_url(newest, config))[0]
            assert link.text_content() == xml_safe(newest.title)
            assert row.xpath(".//time/@datetime")[0].startswith(newest.date.date().isoformat())

    headings = [h.text_content() for h in doc.xpath("//h2")]
    assert headings[0] == "All articles"
    for kind, heading in pages.GROUPS[1:]:
        assert (heading in headings) == bool(catalog.feeds_of(kind))


def test_index_shows_hostile_text_as_text(hostile_catalog):
    doc = check_html5(pages.render_index(hostile_catalog, CONFIG))
    text = doc.text_content()
    assert HOSTILE in text
    assert 'Evil <b>"Times"</b> & Co' in text
    assert "news & <views>" in text
    assert doc.xpath("string(/html/head/title)") == CONFIG.title
    assert doc.xpath("//img") == [] and doc.xpath("//b") == []
    assert "\x01" not in pages.render_index(hostile_catalog, CONFIG).decode()


def test_index_for_empty_catalog():
    catalog = build_catalog([], CONFIG)
    doc = check_html5(pages.render_index(catalog, CONFIG))
    assert "No articles yet" in doc.text_content()
    assert len(doc.xpath("//link[@rel='alternate']")) == 3


def test_index_links_resolve_on_the_site(seeds_catalog, hostile_catalog):
    try:
        from feedsmith.site import Site
    except ImportError as exc:  # feedsmith.render is written separately
        pytest.skip(f"feedsmith.site not importable yet: {exc}")
    for catalog, config in ((seeds_catalog, Config()), (hostile_catalog, CONFIG)):
        site = Site(catalog, config)
        paths = set(site.paths())
        doc = lxml.html.document_fromstring(pages.render_index(catalog, config))
        targets = {served(h, config) for h in doc.xpath("//link/@href | //a/@href | //input/@value")
                   if h.startswith(config.base_url)}
        assert expected_paths(catalog) | {"feeds.opml"} <= targets
        assert targets <= paths
        for path in targets:
            assert site.get(path) is not None, path


# ---------------------------------------------------------------------- OPML


@pytest.mark.parametrize("which", ["seeds", "hostile"])
def test_opml_has_one_outline_per_feed(which, seeds_catalog, hostile_catalog):
    catalog, config = (seeds_catalog, Config()) if which == "seeds" else (hostile_catalog, CONFIG)
    data = pages.render_opml(catalog, config)
    assert data == pages.render_opml(catalog, config)
    root = etree.fromstring(data)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == config.title
    assert root.findtext("head/docs")
    feeds = root.findall("body/outline/outline")
    assert len(feeds) == len(catalog.feeds)
    assert {served(o.get("xmlUrl"), config) for o in feeds} == {f"{f.path}.rss" for f in catalog.feeds.values()}
    for outline in feeds:
        assert outline.get("type") == "rss"
        assert outline.get("text") and outline.get("text") == outline.get("title")
        assert outline.get("htmlUrl") == config.url("index.html")
    groups = [o.get("text") for o in root.findall("body/outline")]
    assert groups == [pages.OPML_GROUPS[k] for k in ("all", "topic", "provider", "category")
                      if catalog.feeds_of(k)]
    if catalog.articles:
        created = root.findtext("head/dateCreated")
        assert re.match(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$", created)


def test_opml_escapes_hostile_names(hostile_catalog):
    root = etree.fromstring(pages.render_opml(hostile_catalog, CONFIG))
    texts = {o.get("text") for o in root.iter("outline")}
    assert f'{CONFIG.title}: Evil <b>"Times"</b> & Co' in texts
    assert f"{CONFIG.title}: <script>x</script>" in texts


def test_opml_of_empty_catalog_has_no_date():
    root = etree.fromstring(pages.render_opml(build_catalog([], CONFIG), CONFIG))
    assert root.find("head/dateCreated") is None
    assert len(root.findall("body/outline/outline")) == 1


# ------------------------------------------------------------- article pages


def _own(catalog: Catalog, title_start: str) -> Article:
    return next(a for a in catalog.articles if a.title.startswith(title_start))


def test_article_page_with_html_content(hostile_catalog):
    article = _own(hostile_catalog, "Own page")
    data = pages.render_article(article, hostile_catalog, CONFIG)
    assert data == pages.render_article(article, hostile_catalog, CONFIG)
    doc = check_html5(data)
    assert doc.xpath("string(//h1)") == article.title
    assert doc.xpath("string(/html/head/title)") == article.title
    assert doc.xpath("/html/head/link[@rel='canonical']/@href") == [CONFIG.url(hostile_catalog.page_path(article))]
    body = doc.xpath("//div[@class='content']")[0]
    assert "Body bold text" in body.text_content()
    assert body.xpath(".//b/text()") == ["bold"]
    assert body.xpath(".//a[@href='https://ok.example/']")
    assert body.xpath(".//a[text()='bad']/@href") == []
    assert body.xpath(".//iframe") == []
    text = doc.text_content()
    assert "A. <u>Writer</u>" in text and 'Evil <b>"Times"</b> & Co' in text
    assert doc.xpath("//a[@href='https://evil.example/']")
    assert doc.xpath("//figure/img/@src") == ["https://img.example/lead.jpg"]
    assert doc.xpath("//time/@datetime")[0] == article.date.isoformat()
    assert doc.xpath("//a[@href=$u]", u=CONFIG.url("index.html"))
    assert doc.xpath("//a[@href='https://rel.example/1']") and "Bad rel" not in text
    # Links to the feeds this article is in: all, its topic and its provider.
    feed_links = {served(h, CONFIG) for h in doc.xpath("//a/@href") if h.startswith(CONFIG.base_url)}
    for feed in hostile_catalog.feeds.values():
        inside = any(a.id == article.id for a in feed.articles)
        assert (f"{feed.path}.atom" in feed_links) == inside, feed.path


def test_article_page_with_text_content(hostile_catalog):
    article = _own(hostile_catalog, "Text only")
    doc = check_html5(pages.render_article(article, hostile_catalog, CONFIG))
    paras = [p.text_content() for p in doc.xpath("//div[@class='content']/p")]
    assert paras == ["First para & more.", "Second <para>line two"]
    assert "first seen" not in doc.text_content()  # it has a publication date
    assert doc.xpath("/html/head/link[@rel='canonical']/@href") == [CONFIG.url(hostile_catalog.page_path(article))]


def test_article_pages_from_seeds(seeds_catalog):
    config = Config()
    for slug, article in seeds_catalog.pages().items():
        doc = check_html5(pages.render_article(article, seeds_catalog, config))
        assert doc.xpath("string(//h1)") == article.title
        assert doc.xpath("/html/head/link[@rel='canonical']/@href") == [config.url(f"articles/{slug}.html")]
        body = doc.xpath("string(//div[@class='content'])")
        if article.content_text:
            assert article.content_text.split()[-1] in body


def test_safe_html_strips_active_content():
    cleaned = pages.safe_html(
        'lead <b onmouseover="x()">b</b><script>bad()</script>tail'
        '<a href=" jav&#x09;ascript:alert(1)">x</a><img srcset="javascript:a 1x, https://ok/b.jpg 2x" src="/r.jpg">'
        '<svg><script>1</script></svg><!-- note --><style>p{}</style>'
    )
    frag = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    assert frag.xpath("//script | //svg | //style") == []
    assert frag.xpath("//@*[starts-with(name(), 'on')]") == []
    assert frag.xpath("//a/@href") == [] and frag.xpath("//img/@srcset") == []
    assert frag.xpath("//img/@src") == ["/r.jpg"]
    assert frag.text_content().startswith("lead btail")
    assert pages.safe_html("") == ""


def test_style_hash_matches_the_inline_style(hostile_catalog):
    import base64
    import hashlib

    for data in (pages.render_index(hostile_catalog, CONFIG),
                 pages.render_article(_own(hostile_catalog, "Text only"), hostile_catalog, CONFIG)):
        (style,) = lxml.html.document_fromstring(data).xpath("//style")
        digest = base64.b64encode(hashlib.sha256(style.text.encode()).digest()).decode()
        assert pages.STYLE_CSP_SOURCE == f"'sha256-{digest}'"
