"""feedsmith.render: RSS 2.0, Atom 1.0 and JSON Feed 1.1 documents, read back with real parsers."""

from __future__ import annotations

import html
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree

from feedsmith import render
from feedsmith.catalog import Catalog, build_catalog
from feedsmith.check import check_document
from feedsmith.config import Config
from feedsmith.load import load_folder
from feedsmith.model import Article, Image, Provider, RelatedArticle

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
CONFIG = replace(Config(), base_url="https://feeds.example.org/")
FORMATS = ("rss", "atom", "json")
XML_FORMATS = ("rss", "atom")
T0 = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"

HOSTILE_TITLE = "Evil <script>alert(1)</script> ]]> &amp; \x01\x0b \ud800 AT&T title"
HOSTILE_TITLE_CLEAN = "Evil <script>alert(1)</script> ]]> &amp; AT&T title"
HOSTILE_HTML = """<p>Intro <a href="/relative/path" onclick="steal()">relative</a>
<a href="javascript:alert(1)">js</a><img src="pic.png" onerror="x()"></p>
<script>alert("x")</script><style>p{color:red}</style><iframe src="https://evil.example/"></iframe>
<p>para <div style="position:absolute">div in p</div></p>
<table><tr><td>cell</td></tr>stray<div>x</div></table><tr><td>orphan</td></tr>
<a href="https://a.example/"><span><a href="https://b.example/">nested</a></span></a>
<!-- comment --><custom-tag>custom</custom-tag><form><input name=q></form>"""


def article(n: int, **changes) -> Article:
    fields = dict(
        id=f"https://news.example.com/story/{n}",
        title=f"Story {n}",
        link=f"https://news.example.com/story/{n}",
        published=T0 - timedelta(hours=n),
        observed=T0,
        source_path=f"seeds/{n}.md",
        summary=f"Summary of story {n}.",
    )
    fields.update(changes)
    return Article(**fields)


def sample_articles() -> list[Article]:
    return [
        article(1, title=HOSTILE_TITLE, summary="Plain text with <b>tags</b> & ampersands",
                content=HOSTILE_HTML, author="Jane <Doe> & Co",
                provider=Provider("News & Co", "news.example.com"), topics=("AI", "Policy"), category="news",
                images=(Image("https://img.example.com/a b/pic.PNG?x=1&y=[2]", 800, 600),),
                related=(RelatedArticle("Related <one>", "https://other.example/r1",
                                        provider=Provider("Other & Sons", "other.example")),
                         RelatedArticle("Related without link"))),
        article(2, content_text="First paragraph.\n\nSecond <para> & more.\nSame para.",
                provider=Provider("No Domain Press"), author="John Roe", topics=("AI",)),
        article(3, id="tag:feedsmith,2024:article/own-1", link=None, published=None,
                observed=T0 - timedelta(days=3), summary=None, content_text="Body of an own-page article.",
                images=(Image("https://img.example.com/p.webp", length=1234, mime_type="image/webp"),)),
        article(4, id="tag:feedsmith,2024:article/own-2", link=None, published=None,
                observed=T0 - timedelta(days=3), summary=None, content_text="Another own page.",
                language="de"),
        article(5, title="Updated later", updated=T0 + timedelta(minutes=5),
                images=(Image("https://img.example.com/noext"),)),
        article(6, summary=None, content=None, content_text=None),
    ]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return build_catalog(sample_articles(), CONFIG)


@pytest.fixture(scope="module")
def seeds_catalog() -> Catalog:
    result = load_folder(SEEDS, CONFIG)
    assert result.articles, "the bundled seeds should parse"
    return build_catalog(result.articles, CONFIG)


def render_all(catalog: Catalog, fmt: str, config: Config = CONFIG, **kwargs) -> bytes:
    return render.render_feed(catalog.feeds["all"], fmt, catalog, config, **kwargs)


def parsed(data: bytes) -> feedparser.FeedParserDict:
    result = feedparser.parse(data)
    assert result.bozo == 0, result.get("bozo_exception")
    return result


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def rss_items(data: bytes) -> list[etree._Element]:
    return xml(data).find("channel").findall("item")


def atom_entries(data: bytes) -> list[etree._Element]:
    return xml(data).findall(f"{ATOM}entry")


# ---------------------------------------------------------------- every document


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_feed_of_both_catalogs_is_clean(catalog, seeds_catalog, fmt):
    for cat in (catalog, seeds_catalog):
        for path, feed in cat.feeds.items():
            data = render.render_feed(feed, fmt, cat, CONFIG)
            assert check_document(f"{path}.{fmt}", data) == [], path
            if fmt == "json":
                json.loads(data.decode("utf-8"))
            else:
                xml(data)
                assert len(parsed(data).entries) == min(len(feed.articles), CONFIG.item_limit)


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_input_same_bytes(catalog, seeds_catalog, fmt):
    for cat in (catalog, seeds_catalog):
        first = render_all(cat, fmt)
        render.clear_cache()
        assert render_all(cat, fmt) == first
        assert render_all(build_catalog(list(cat.articles), CONFIG), fmt) == first


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_entries_newest_first_with_stable_unique_ids(catalog, fmt):
    entries = parsed(render_all(catalog, fmt)).entries
    ids = [e.id for e in entries]
    assert ids == [a.id for a in catalog.feeds["all"].articles]
    assert len(set(ids)) == len(ids)
    published = [e.published_parsed for e in entries]
    assert published == sorted(published, reverse=True)


def test_json_items_newest_first(catalog):
    items = json.loads(render_all(catalog, "json"))["items"]
    assert [i["id"] for i in items] == [a.id for a in catalog.feeds["all"].articles]
    dates = [datetime.fromisoformat(i["date_published"]) for i in items]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_limit_and_item_limit(catalog, fmt):
    def count(data: bytes) -> int:
        return len(json.loads(data)["items"]) if fmt == "json" else len(parsed(data).entries)

    assert count(render_all(catalog, fmt, limit=2)) == 2
    assert count(render_all(catalog, fmt, replace(CONFIG, item_limit=3))) == 3
    assert count(render_all(catalog, fmt, replace(CONFIG, item_limit=3), limit=5)) == 5
    assert count(render_all(catalog, fmt, limit=0)) == 0


def test_unknown_format_is_an_error(catalog):
    with pytest.raises(ValueError, match="unknown feed format"):
        render_all(catalog, "rdf")


# ------------------------------------------------------------------------- dates


def test_dates_are_timezone_aware(catalog):
    for item in rss_items(render_all(catalog, "rss")):
        assert item.findtext("pubDate").endswith(" +0000")
    for entry in atom_entries(render_all(catalog, "atom")):
        for name in ("updated", "published"):
            assert datetime.fromisoformat(entry.findtext(f"{ATOM}{name}")).tzinfo is not None
    for item in json.loads(render_all(catalog, "json"))["items"]:
        for name in ("date_published", "date_modified"):
            assert datetime.fromisoformat(item[name]).utcoffset() == timedelta(0)


def test_feed_dates_come_from_the_entries_not_the_clock(catalog):
    newest = max(a.modified for a in catalog.articles)  # article 5, updated later
    channel = xml(render_all(catalog, "rss")).find("channel")
    expected = "Fri, 01 Mar 2024 12:05:00 +0000"
    assert newest == T0 + timedelta(minutes=5)
    assert channel.findtext("lastBuildDate") == expected
    assert channel.findtext("pubDate") == expected
    updated = datetime.fromisoformat(xml(render_all(catalog, "atom")).findtext(f"{ATOM}updated"))
    assert timedelta(0) <= updated - newest < timedelta(seconds=1)


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_feed_is_valid_and_dated_without_the_clock(fmt):
    empty = build_catalog([], CONFIG)
    data = render.render_feed(empty.feeds["all"], fmt, empty, CONFIG)
    assert check_document(f"all.{fmt}", data) == []
    assert data == render.render_feed(empty.feeds["all"], fmt, empty, CONFIG)
    if fmt == "json":
        assert json.loads(data)["items"] == []
    else:
        assert b"2000" in data and str(datetime.now().year).encode() not in data


def test_atom_updated_values_are_distinct_and_near_the_truth(catalog):
    entries = atom_entries(render_all(catalog, "atom"))
    stamps = [e.findtext(f"{ATOM}updated") for e in entries]
    assert len(set(stamps)) == len(stamps)  # articles 3 and 4 share their instant
    for entry, a in zip(entries, catalog.feeds["all"].articles):
        delta = datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) - a.modified
        assert timedelta(0) <= delta < timedelta(seconds=1)
        assert datetime.fromisoformat(entry.findtext(f"{ATOM}published")) == a.date


# ---------------------------------------------------------------- links and ids


def test_every_url_is_absolute(catalog, seeds_catalog):
    for cat in (catalog, seeds_catalog):
        for fmt in XML_FORMATS:
            root = xml(render_all(cat, fmt))
            for element in root.iter():
                for name in ("href", "url"):
                    if element.get(name) is not None:
                        assert absolute(element.get(name)), (fmt, element.tag, element.get(name))
            links = root.iter("link") if fmt == "rss" else ()
            assert all(absolute(link.text) for link in links)
        doc = json.loads(render_all(cat, "json"))
        assert absolute(doc["home_page_url"]) and absolute(doc["feed_url"])
        for item in doc["items"]:
            assert all(absolute(item[k]) for k in ("url", "external_url", "image") if k in item)


def test_self_and_alternate_links(catalog):
    channel = xml(render_all(catalog, "rss")).find("channel")
    assert channel.findtext("link") == "https://feeds.example.org/index.html"
    (self_link,) = [l for l in channel.findall(f"{ATOM}link") if l.get("rel") == "self"]
    assert self_link.attrib == {"href": "https://feeds.example.org/all.rss", "rel": "self",
                                "type": "application/rss+xml"}
    feed = xml(render_all(catalog, "atom"))
    links = {l.get("rel"): l for l in feed.findall(f"{ATOM}link")}
    assert links["self"].get("href") == "https://feeds.example.org/all.atom"
    assert links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href") == "https://feeds.example.org/index.html"
    assert feed.findtext(f"{ATOM}id") == "https://feeds.example.org/all.atom"
    assert feed.find(f"{ATOM}author/{ATOM}name").text == CONFIG.author
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_rss_guid_is_a_permalink_only_when_it_is_the_link(catalog):
    for item in rss_items(render_all(catalog, "rss")):
        guid = item.find("guid")
        assert guid.get("isPermaLink") == ("true" if guid.text == item.findtext("link") else "false")
    guids = {i.find("guid").text: i.find("guid").get("isPermaLink") for i in rss_items(render_all(catalog, "rss"))}
    assert guids["https://news.example.com/story/2"] == "true"
    assert guids["tag:feedsmith,2024:article/own-1"] == "false"


def test_own_page_articles_link_to_their_page(catalog):
    own = next(a for a in catalog.articles if a.link is None)
    url = catalog.entry_url(own, CONFIG)
    assert url.startswith("https://feeds.example.org/articles/")
    entries = parsed(render_all(catalog, "atom")).entries
    assert next(e for e in entries if e.id == own.id).link == url


def test_urls_are_normalised_for_validators():
    odd = article(1, id="HTTPS://News.Example.com:443/Über/./a/../b?q=a%2cb&x=%7e",
                  link="HTTPS://News.Example.com:443/Über/./a/../b?q=a%2cb&x=%7e")
    cat = build_catalog([odd], CONFIG)
    expected = "https://news.example.com/%C3%9Cber/b?q=a%2Cb&x=~"
    assert parsed(render_all(cat, "atom")).entries[0].id == expected
    assert rss_items(render_all(cat, "rss"))[0].findtext("link") == expected


@pytest.mark.parametrize("given, expected", [
    ("http://127.0.0.1:8000/topics/ai.atom", "http://127.0.0.1:8000/topics/ai.atom"),
    ("http://example.org:80/a.rss", "http://example.org/a.rss"),  # a default port goes
    ("https://example.org:08443/a", "https://example.org:8443/a"),
    ("http://example.org:8000/a?", "http://example.org:8000/a"),  # an empty query goes
    ("http://example.org:8000/a/./b/../c", "http://example.org:8000/a/c"),
    ("http://Example.org:8000/a b", "http://example.org:8000/a%20b"),
])
def test_urls_with_a_port_are_normalised(given, expected):
    assert render.canonical_url(given) == expected


def test_content_is_escaped_as_lxml_would():
    text = "".join(chr(c) for c in (9, 10, 13, *range(32, 0x250), 0xE000, 0xFFFD, 0x1D11E))
    element = etree.Element("x")
    element.text = text
    assert etree.tostring(element, encoding="utf-8") == b"<x>" + render._xml_text(text) + b"</x>"


def test_article_hashes_follow_the_object_not_the_id():
    first = article(1)
    edited = replace(first, title="Story 1, corrected")
    assert render._article_hash(first) == hash(first)
    assert render._article_hash(edited) == hash(edited) != hash(first)
    assert render._article_hash(first) == hash(first)  # remembered


# ------------------------------------------------------------------ entry content


def test_rss_item_fields(catalog):
    item = rss_items(render_all(catalog, "rss"))[0]
    assert item.findtext("title") == HOSTILE_TITLE_CLEAN
    assert item.findtext(f"{DC}creator") == "Jane <Doe> & Co"
    assert item.find("author") is None  # RSS <author> must be an e-mail address
    assert [c.text for c in item.findall("category")] == ["AI", "Policy", "news"]
    source = item.find("source")
    assert source.get("url") == "https://news.example.com/" and source.text == "News & Co"
    # The description is HTML: the plain-text summary arrives escaped.
    assert item.findtext("description") == "Plain text with &lt;b&gt;tags&lt;/b&gt; &amp; ampersands"
    assert "Related" in item.findtext(f"{CONTENT}encoded")


def test_rss_source_needs_a_domain(catalog):
    items = {i.findtext("guid"): i for i in rss_items(render_all(catalog, "rss"))}
    assert items["https://news.example.com/story/2"].find("source") is None
    assert items["https://news.example.com/story/2"].findtext(f"{DC}creator") == "John Roe"


def test_rss_enclosure_is_single_and_complete(catalog, seeds_catalog):
    for cat in (catalog, seeds_catalog):
        for item in rss_items(render_all(cat, "rss")):
            enclosures = item.findall("enclosure")
            assert len(enclosures) <= 1
            for enclosure in enclosures:
                assert absolute(enclosure.get("url"))
                assert enclosure.get("length").isdigit()
                assert re.fullmatch(r"image/[\w.+-]+", enclosure.get("type"))
                assert item.find(f"{MEDIA}content").get("url") == enclosure.get("url")
                assert item.find(f"{MEDIA}thumbnail").get("url") == enclosure.get("url")
    items = {i.findtext("guid"): i for i in rss_items(render_all(catalog, "rss"))}
    first = items["https://news.example.com/story/1"].find("enclosure")
    assert first.attrib == {"url": "https://img.example.com/a%20b/pic.PNG?x=1&y=%5B2%5D",
                            "length": "0", "type": "image/png"}
    media = items["https://news.example.com/story/1"].find(f"{MEDIA}content")
    assert (media.get("medium"), media.get("width"), media.get("height")) == ("image", "800", "600")
    own = items["tag:feedsmith,2024:article/own-1"].find("enclosure")
    assert (own.get("length"), own.get("type")) == ("1234", "image/webp")
    assert items["https://news.example.com/story/5"].find("enclosure").get("type") == "image/jpeg"
    assert items["https://news.example.com/story/2"].find("enclosure") is None
    parsed_entry = parsed(render_all(catalog, "rss")).entries[0]
    assert parsed_entry.enclosures[0].type == "image/png"


def test_atom_entry_links_keep_rel_and_type(catalog):
    entries = {e.findtext(f"{ATOM}id"): e for e in atom_entries(render_all(catalog, "atom"))}
    links = entries["https://news.example.com/story/1"].findall(f"{ATOM}link")
    by_rel = {link.get("rel"): link for link in links}
    assert len(links) == 2
    assert by_rel["alternate"].attrib == {"rel": "alternate", "type": "text/html",
                                          "href": "https://news.example.com/story/1"}
    assert by_rel["enclosure"].attrib == {"rel": "enclosure", "type": "image/png", "length": "0",
                                          "href": "https://img.example.com/a%20b/pic.PNG?x=1&y=%5B2%5D"}
    entry = parsed(render_all(catalog, "atom")).entries[0]
    assert entry.enclosures[0].href == by_rel["enclosure"].get("href")
    assert entry.link == "https://news.example.com/story/1"


def test_atom_entry_fields(catalog):
    entries = {e.findtext(f"{ATOM}id"): e for e in atom_entries(render_all(catalog, "atom"))}
    first = entries["https://news.example.com/story/1"]
    assert first.findtext(f"{ATOM}author/{ATOM}name") == "Jane <Doe> & Co"
    assert [c.get("term") for c in first.findall(f"{ATOM}category")] == ["AI", "Policy", "news"]
    source = first.find(f"{ATOM}source")
    assert source.findtext(f"{ATOM}title") == "News & Co"
    assert source.findtext(f"{ATOM}id") == "https://news.example.com/"
    assert source.find(f"{ATOM}link").get("href") == "https://news.example.com/"
    assert source.findtext(f"{ATOM}updated")
    content = first.find(f"{ATOM}content")
    assert content.get("type") == "html" and "<h3>Related</h3>" in content.text
    # Without an entry author, the feed's author applies (every entry has one).
    assert entries["https://news.example.com/story/5"].find(f"{ATOM}author") is None
    assert entries["tag:feedsmith,2024:article/own-2"].get("{http://www.w3.org/XML/1998/namespace}lang") == "de"


def test_summary_and_content_fallbacks(catalog):
    items = {i["id"]: i for i in json.loads(render_all(catalog, "json"))["items"]}
    # No summary: the start of the text; no text at all: the title.
    assert items["tag:feedsmith,2024:article/own-1"]["summary"] == "Body of an own-page article."
    assert items["https://news.example.com/story/6"]["summary"] == "Story 6"
    assert items["https://news.example.com/story/6"]["content_text"] == "Story 6"
    # Plain text bodies become escaped paragraphs.
    assert items["https://news.example.com/story/2"]["content_html"] == (
        "<p>First paragraph.</p><p>Second &lt;para&gt; &amp; more.<br>Same para.</p>")


def test_related_articles_are_listed_with_escaped_providers(catalog):
    content = json.loads(render_all(catalog, "json"))["items"][0]["content_html"]
    related = content[content.index("<h3>Related</h3>"):]
    assert related == ('<h3>Related</h3><ul><li><a href="https://other.example/r1">Related &lt;one&gt;</a>'
                       " (Other &amp; Sons)</li><li>Related without link</li></ul>")


def test_content_html_is_sanitised_and_absolute(catalog):
    content = json.loads(render_all(catalog, "json"))["items"][0]["content_html"]
    for banned in ("<script", "<style", "<iframe", "onclick", "onerror", "javascript:", "<form",
                   "<input", "<custom-tag", "style=", "<!--"):
        assert banned not in content
    assert '<a href="https://news.example.com/relative/path">relative</a>' in content
    assert '<img src="https://news.example.com/story/pic.png"/>' in content
    assert "custom" in content and "orphan" in content and "stray" in content  # text is kept
    # A table an HTML5 parser would rearrange is flattened; stray rows and cells are unwrapped.
    assert "<table" not in content and "<tr" not in content and "<td" not in content
    assert content.count("<a href") == 3  # the nested anchor was unwrapped
    assert not re.search(r"<p>(?:(?!</p>).)*<div", content, re.S)  # no block inside a paragraph


@pytest.mark.parametrize(("markup", "expected"), [
    ("<p>a<br>b<img src=/i.png></p>", '<p>a<br/>b<img src="https://news.example.com/i.png"/></p>'),
    ("<ul><li>a<li>b</ul>", "<ul><li>a</li><li>b</li></ul>"),  # every end tag written out
    ("<li>a<div><li>b</div></li>", "<li>a<div><div>b</div></div></li>"),  # no li directly in li
    ("<h1>a<h2>b</h2></h1>", "<h1>ab</h1>"),
    ("<p>a<span><div>b</div></span></p>", "<div>a<span><div>b</div></span></div>"),  # no block in p
    ("<table><tr><td>a</td></tr></table>", "<table><tr><td>a</td></tr></table>"),
    ("<table>x<tr><td>a</td></tr></table>", "<div>x<div><div>a</div></div></div>"),
    ('<em href="/x" title="t">e</em><img alt="no source">', '<em title="t">e</em>'),
])
def test_content_html_reads_back_the_same_in_an_html5_parser(markup, expected):
    cat = build_catalog([article(1, content=markup)], CONFIG)
    assert json.loads(render_all(cat, "json"))["items"][0]["content_html"] == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_summary_mode_leaves_out_the_content(catalog, fmt):
    config = replace(CONFIG, content=((fmt, "summary"),))
    data = render_all(catalog, fmt, config)
    if fmt == "json":
        items = json.loads(data)["items"]
        assert all("content_html" not in i and i["content_text"] for i in items)
    elif fmt == "rss":
        assert all(i.find(f"{CONTENT}encoded") is None and i.findtext("description") for i in rss_items(data))
    else:
        assert all(e.find(f"{ATOM}content") is None and e.findtext(f"{ATOM}summary")
                   for e in atom_entries(data))


# ------------------------------------------------------------------ hostile text


@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_hostile_text_is_escaped_not_executed(catalog, fmt):
    data = render_all(catalog, fmt)
    root = xml(data)
    assert not [e for e in root.iter() if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == "script"]
    assert b"\x01" not in data and b"\x0b" not in data
    title = parsed(data).entries[0].title
    if fmt == "atom" and parsed(data).entries[0].title_detail.type == "text/html":
        title = html.unescape(title)  # markup-like text is declared as (escaped) HTML
    assert title == HOSTILE_TITLE_CLEAN


def test_hostile_text_in_json(catalog):
    data = render_all(catalog, "json")
    data.decode("utf-8")  # lone surrogates would not encode
    doc = json.loads(data)
    assert doc["items"][0]["title"] == HOSTILE_TITLE_CLEAN
    assert doc["items"][0]["authors"] == [{"name": "Jane <Doe> & Co"}]


def test_hostile_feed_title_and_author():
    config = replace(CONFIG, title="Site <b>&amp;</b> \x02 ]]>", author="Ann & <Bob>")
    cat = build_catalog(sample_articles()[:2], config)
    for fmt in FORMATS:
        data = render.render_feed(cat.feeds["all"], fmt, cat, config)
        assert check_document(f"all.{fmt}", data) == []
        assert b"\x02" not in data
    assert parsed(render.render_feed(cat.feeds["all"], "rss", cat, config)).feed.title == "Site <b>&amp;</b> ]]>"


def test_rss_plain_text_uses_hex_references_for_markup_characters(catalog):
    """The RSS profile's advice: '&' and '<' in plain text as &#x26; and &#x3C;."""
    data = render_all(catalog, "rss")
    title = re.search(rb"<item><title>(.*?)</title>", data).group(1)
    assert b"&#x3C;script" in title and b"&#x26;amp;" in title and b"&lt;" not in title


def test_atom_declares_markup_looking_text_as_html(catalog):
    entries = atom_entries(render_all(catalog, "atom"))
    title, summary = entries[0].find(f"{ATOM}title"), entries[0].find(f"{ATOM}summary")
    assert title.get("type") == "html" and html.unescape(title.text) == HOSTILE_TITLE_CLEAN
    assert summary.get("type") == "html"
    assert html.unescape(summary.text) == "Plain text with <b>tags</b> & ampersands"
    assert entries[1].find(f"{ATOM}title").get("type") is None  # ordinary text stays text


def test_namespaces_are_declared_once_on_the_root(catalog):
    for fmt in XML_FORMATS:
        data = render_all(catalog, fmt)
        root_tag_end = data.index(b">", data.index(b"<rss" if fmt == "rss" else b"<feed"))
        assert b"xmlns" not in data[root_tag_end:]


# ---------------------------------------------------------- feed-level options


def test_websub_hub_in_every_format(catalog):
    config = replace(CONFIG, websub_hub="https://hub.example.org/")
    channel = xml(render_all(catalog, "rss", config)).find("channel")
    assert [l.get("href") for l in channel.findall(f"{ATOM}link") if l.get("rel") == "hub"] == ["https://hub.example.org/"]
    feed = xml(render_all(catalog, "atom", config))
    assert [l.get("href") for l in feed.findall(f"{ATOM}link") if l.get("rel") == "hub"] == ["https://hub.example.org/"]
    assert json.loads(render_all(catalog, "json", config))["hubs"] == [{"type": "WebSub", "url": "https://hub.example.org/"}]
    assert b"hub" not in render_all(catalog, "rss") and "hubs" not in json.loads(render_all(catalog, "json"))


def test_archive_links_and_self_path(catalog):
    def links(fmt: str) -> dict[str, str]:
        return {rel: CONFIG.url(f"archive/{rel}.{fmt}") for rel in ("prev-archive", "next-archive")} | {
            "current": CONFIG.url(f"all.{fmt}")}

    rss = xml(render_all(catalog, "rss", self_path="archive/2.rss", links=links("rss"))).find("channel")
    rss_links = {l.get("rel"): l for l in rss.findall(f"{ATOM}link")}
    assert rss_links["self"].get("href") == "https://feeds.example.org/archive/2.rss"
    assert rss_links["prev-archive"].get("href") == "https://feeds.example.org/archive/prev-archive.rss"
    assert rss_links["prev-archive"].get("type") == "application/rss+xml"
    assert set(rss_links) == {"self", "prev-archive", "next-archive", "current"}

    atom = xml(render_all(catalog, "atom", self_path="archive/2.atom", links=links("atom")))
    atom_links = {l.get("rel"): l.get("href") for l in atom.findall(f"{ATOM}link")}
    assert atom_links["self"] == "https://feeds.example.org/archive/2.atom"
    assert atom_links["current"] == "https://feeds.example.org/all.atom"
    assert atom.findtext(f"{ATOM}id") == "https://feeds.example.org/all.atom"  # one logical feed

    doc = json.loads(render_all(catalog, "json", self_path="archive/2.json", links=links("json")))
    assert doc["feed_url"] == "https://feeds.example.org/archive/2.json"
    assert doc["next_url"] == "https://feeds.example.org/archive/prev-archive.json"


def test_filtered_self_path_with_query(catalog):
    data = render_all(catalog, "atom", self_path="all.atom?q=ai&limit=2", limit=2)
    feed = xml(data)
    self_href = next(l.get("href") for l in feed.findall(f"{ATOM}link") if l.get("rel") == "self")
    assert self_href == "https://feeds.example.org/all.atom?q=ai&limit=2"
    assert feed.findtext(f"{ATOM}id") == self_href
    assert len(atom_entries(data)) == 2


def test_topic_feed_titles(catalog):
    feed = catalog.feeds["topics/ai"]
    doc = json.loads(render.render_feed(feed, "json", catalog, CONFIG))
    assert doc["title"] == f"{CONFIG.title}: AI"
    assert doc["description"] == "Articles about AI"
    assert doc["feed_url"] == "https://feeds.example.org/topics/ai.json"


def test_json_feed_required_fields(catalog, seeds_catalog):
    for cat in (catalog, seeds_catalog):
        doc = json.loads(render_all(cat, "json"))
        assert doc["version"] == "https://jsonfeed.org/version/1.1"
        assert doc["title"] and doc["home_page_url"] and doc["feed_url"]
        assert doc["authors"] == [{"name": CONFIG.author}]
        for item in doc["items"]:
            assert isinstance(item["id"], str) and item["id"]
            assert "content_html" in item or "content_text" in item
            assert item["title"] and item["summary"]


def test_json_item_details(catalog):
    items = {i["id"]: i for i in json.loads(render_all(catalog, "json"))["items"]}
    first = items["https://news.example.com/story/1"]
    assert first["image"] == "https://img.example.com/a%20b/pic.PNG?x=1&y=%5B2%5D"
    assert first["tags"] == ["AI", "Policy", "news"]
    assert first["_feedsmith"] == {"provider": {"name": "News & Co", "url": "https://news.example.com/"}}
    assert "external_url" not in first  # its url already is the source
    assert items["tag:feedsmith,2024:article/own-2"]["language"] == "de"


# ------------------------------------------------------------------ byte budget


def big_articles(n: int, size: int) -> list[Article]:
    body = "<p>" + "word " * (size // 5) + "</p>"
    return [article(i, content=body) for i in range(1, n + 1)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_byte_budget_drops_the_oldest_entries(fmt):
    cat = build_catalog(big_articles(20, 2_000), CONFIG)
    unlimited = render_all(cat, fmt)
    config = replace(CONFIG, feed_max_bytes=len(unlimited) // 2)
    data = render_all(cat, fmt, config)
    assert len(data) <= config.feed_max_bytes
    assert check_document(f"all.{fmt}", data) == []
    ids = [i["id"] for i in json.loads(data)["items"]] if fmt == "json" else [e.id for e in parsed(data).entries]
    expected = [a.id for a in cat.feeds["all"].articles]
    assert 0 < len(ids) < len(expected)
    assert ids == expected[:len(ids)]  # the newest are kept, in order


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_huge_entry_falls_back_to_its_summary(fmt):
    huge = article(1, content="<p>" + "huge " * 40_000 + "</p>", summary="The short version.")
    cat = build_catalog([huge, *big_articles(5, 500)[1:]], CONFIG)
    config = replace(CONFIG, feed_max_bytes=60_000)
    data = render_all(cat, fmt, config)
    assert len(data) <= config.feed_max_bytes
    assert b"huge huge" not in data
    if fmt == "json":
        items = json.loads(data)["items"]
        assert items[0]["content_text"] == "The short version." and "content_html" not in items[0]
        assert "content_html" in items[1]
        assert len(items) == 5
    else:
        assert len(parsed(data).entries) == 5


def test_a_budget_too_small_for_any_entry_still_gives_a_valid_feed():
    cat = build_catalog(big_articles(3, 2_000), CONFIG)
    for fmt in FORMATS:
        data = render_all(cat, fmt, replace(CONFIG, feed_max_bytes=100))
        assert check_document(f"all.{fmt}", data) == []


# ---------------------------------------------------------------- the cache


def test_an_edited_article_is_rendered_anew(catalog):
    original = sample_articles()
    before = render_all(build_catalog(original, CONFIG), "rss")
    edited = [replace(original[1], title="Story 2, corrected"), *original[:1], *original[2:]]
    after = render_all(build_catalog(edited, CONFIG), "rss")
    assert b"Story 2, corrected" in after and b"Story 2, corrected" not in before


def test_concurrent_renders_agree(seeds_catalog):
    expected = {fmt: render_all(seeds_catalog, fmt) for fmt in FORMATS}
    render.clear_cache()
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda fmt: (fmt, render_all(seeds_catalog, fmt)), FORMATS * 4))
    assert all(data == expected[fmt] for fmt, data in results)


def test_seeds_feeds_carry_the_seed_metadata(seeds_catalog):
    rich = [a for a in seeds_catalog.articles if a.provider and a.provider.domain]
    assert rich, "the seeds name their providers"
    items = rss_items(render_all(seeds_catalog, "rss"))
    assert len(items) == len(seeds_catalog.feeds["all"].articles)
    assert any(i.find("source") is not None for i in items)
    for feed in seeds_catalog.feeds.values():
        data = render.render_feed(feed, "atom", seeds_catalog, CONFIG)
        assert len(atom_entries(data)) == len(feed.articles)
        assert all(e.findtext(f"{ATOM}summary") for e in atom_entries(data))


def test_stubs_with_a_content_key_render_the_same_bytes_and_are_read_in_full_only_once():
    from feedsmith.model import stub_of

    full = sample_articles()
    catalog = build_catalog(full, CONFIG)
    feed = catalog.feeds["all"]
    by_id = {a.id: a for a in full}
    read: list[str] = []

    def hydrate(stubs):
        read.extend(s.id for s in stubs)
        return [by_id[s.id] for s in stubs]

    def key(article):
        return ("v1", article.id)  # what a caller's content key looks like: stable per content

    stubbed = replace(feed, articles=tuple(stub_of(a) for a in feed.articles))
    expected = {fmt: render.render_feed(feed, fmt, catalog, CONFIG) for fmt in FORMATS}
    render.clear_cache()
    for fmt in FORMATS:
        assert render.render_feed(stubbed, fmt, catalog, CONFIG, content_key=key, hydrate=hydrate) == expected[fmt]
    assert sorted(read) == sorted(a.id for a in feed.articles for _ in FORMATS)  # once per format
    read.clear()
    for fmt in FORMATS:  # every entry is cached now: no body is needed again
        render.render_feed(stubbed, fmt, catalog, CONFIG, content_key=key, hydrate=hydrate)
    assert read == []
    with pytest.raises(ValueError, match="stub"):
        render.render_feed(stubbed, "rss", catalog, CONFIG)  # a stub's own hash would not cover its body


def test_text_drops_c1_controls_replacement_marks_and_non_characters_but_keeps_astral_text():
    """What mis-decoding leaves (C1 controls, U+FFFD) and every non-character go, in each plane;
    emoji and other astral characters stay."""
    kept = "café 中文 \U0001F600 \U00020000 \U0010FFFD 𝔸"
    dropped = "\x80\x85\x9f\ufffd\ufdd0\ufdef" + "".join(chr(plane << 16 | low) for plane in range(1, 17)
                                                         for low in (0xFFFE, 0xFFFF))
    assert len(dropped) == 38
    assert render._text("".join(char + kept for char in dropped)) == kept * len(dropped)
    assert render._text("\U0001FFFE") == "" and render._text("plain ascii") == "plain ascii"
