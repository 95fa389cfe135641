"""Property-based tests: for any text, bytes or front-matter mapping, parsing raises
nothing but ``ParseError``, and every document rendered from the result is
well-formed and reads in feedparser with ``bozo == 0``.

Deterministic (``derandomize``) and bounded, so CI sees the same examples every run.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from feedsmith.catalog import build_catalog
from feedsmith.config import Config
from feedsmith.errors import ParseError
from feedsmith.model import Article
from feedsmith.parse import decode, parse_bytes, parse_text
from feedsmith.parse.base import ReadContext
from feedsmith.site import Site

from .test_hostile_input import assert_site_valid

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
# FEEDSMITH_FUZZ=<n> runs n random (not derandomized) examples per property, for a long local hunt.
FUZZ = int(os.environ.get("FEEDSMITH_FUZZ", "0"))
PROPERTY = settings(max_examples=FUZZ or 80, deadline=None, derandomize=not FUZZ, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces that steer the readers into their interesting branches.
FRAGMENTS = [
    "---\n", "---", "...\n", "\n", "\n\n", "\r\n", "\r", "\t", "    ", "# ", "## ", "=====\n", "-----\n",
    "title: ", "url: https://example.com/a?utm_source=x#frag", "originalUrl: http://Ex.COM/b",
    "link: javascript:alert(1)", "date: 2024-05-01", "publishedDateTime: 2024-13-45T99:99:99Z",
    "updated: 1999-12-31T23:59:60+14:00", "topics: [AI, ", "provider: {name: ", "domain: cnn.com}",
    "By ", "By John Smith and JANE DOE", "(Reuters) - ", "SINGAPORE (AP) —", "/TISG", "Read the full story at SCMP",
    "© 2024 ", "Copyright ", "Advertisement", "Published Monday, 5 May 2024, 10:30 am SGT", "Updated: ",
    "<!doctype html>", "<html>", "<head>", "<title>", "</title>", "<meta property=\"og:title\" content=\"",
    "<meta name=\"author\" content=\"", "\">", "<body>", "<article>", "</article>", "<p>", "</p>",
    "<script>alert(1)</script>", "<script type=\"application/ld+json\">{\"@type\": \"NewsArticle\", \"headline\": ",
    "</script>", "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">", "</a>", "<![CDATA[", "]]>",
    "&amp;", "&", "&#0;", "&#x1F600;", "&bogus;", "&lt;", "*", "**", "_", "`", "```\n", "[", "](", ")", "![",
    "[x]: http://e.com", "|", "| a | b |\n|---|---|\n", "> ", "- ", "1. ", "* ", "{", "}", ": ", "? ", "&a ", "*a ",
    "!!python/object/apply:os.system [ls]", "%YAML 1.2\n", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\ufeff",
    "\ud800", "\udfff", "\u2028", "\u202e", "\ufffe", "\uffff", "é", "e\u0301", "中文新闻", "\U0001F600", "AI",
    "artificial intelligence", "robots", "SCMP", "CNN", "Reuters", "The company said on Monday that ",
    "A long sentence of ordinary words that makes a story body. ",
]
ANY_CHAR = st.characters(exclude_categories=())  # surrogates included
TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(ANY_CHAR, max_size=12)), max_size=40).map("".join)
# Mostly an article-shaped start and end around the noise, so most examples get as far as rendering.
ARTICLE_TEXT = st.tuples(
    st.sampled_from(["", "Headline of a story\n\n", "# A Markdown heading\n\n",
                     "---\ntitle: Front matter\noriginalUrl: https://example.com/fm\n---\n",
                     "<!doctype html><html><head><title>An HTML page</title></head><body><article><p>"]),
    TEXT,
    st.sampled_from(["", "\n\nThe company said on Monday that the results were better than expected.\n"]),
).map("".join)


def config_for(config: Config) -> Config:
    return replace(config, reload_interval=0.0)


def good_article() -> Article:
    return Article(id="https://example.com/good", title="A good article", link="https://example.com/good",
                   published=NOW, observed=NOW, source_path="/seeds/good.md", content_text="Good body.",
                   topics=("AI",))


def assert_renders(article: Article, config: Config) -> None:
    """Every document of a site holding this article (and a good one) validates."""
    site = Site(build_catalog([article, good_article()], config), config)
    assert_site_valid(site)
    for path in site.paths():
        body = site.get(path).body
        if path.endswith((".rss", ".atom")):
            parsed = feedparser.parse(body)
            assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
            assert len(parsed.entries) >= 1, path
        elif path.endswith(".json"):  # feedparser 6.0 reads no JSON Feed; check_json_feed ran above
            assert len(json.loads(body)["items"]) >= 1, path


def parse_or_none(call) -> Article | None:
    try:
        article = call()
    except ParseError as exc:
        assert exc.reason and str(exc).startswith(exc.path), exc
        if currently_in_test_context():
            event(f"refused: {exc.reason[:30]}")
        return None
    if currently_in_test_context():
        event(f"parsed as {article.format}")
    return article


@PROPERTY
@given(text=st.one_of(TEXT, ARTICLE_TEXT))
def test_any_text_parses_or_is_refused_and_renders(config, text):
    ctx = ReadContext(Path("seeds/any.txt"), config, NOW)
    article = parse_or_none(lambda: parse_text(text, ctx))
    if article is not None:
        assert article.title and article.source_path == "seeds/any.txt"
        assert_renders(article, config)


@PROPERTY
@given(data=st.one_of(
    st.binary(max_size=400),
    ARTICLE_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    ARTICLE_TEXT.map(lambda t: t.encode("utf-16", "surrogatepass")),
    ARTICLE_TEXT.map(lambda t: t.encode("cp1252", "replace")),
    st.tuples(ARTICLE_TEXT, st.binary(max_size=8), ARTICLE_TEXT).map(
        lambda p: p[0].encode("utf-8", "surrogatepass") + p[1] + p[2].encode("utf-8", "surrogatepass")),
))
def test_any_bytes_parse_or_are_refused_and_render(config, data):
    article = parse_or_none(lambda: parse_bytes(Path("seeds/any.bin"), data, config, NOW))
    if article is not None:
        assert_renders(article, config)


@PROPERTY
@given(data=st.binary(max_size=300))
def test_decode_gives_text_readers_can_take(data):
    try:
        text, warnings = decode(data, "seeds/x")
    except ParseError:
        return
    assert "\r" not in text and not any("\x00" <= c < " " and c not in "\t\n" for c in text)
    assert not any("\ud800" <= c <= "\udfff" for c in text)


# ------------------------------------------------------------ front matter

KEYS = [
    "title", "headline", "name", "excerpt", "summary", "description", "publishedDateTime", "date", "published",
    "pubDate", "updated", "modified", "originalUrl", "webUrl", "url", "link", "author", "authors", "byline",
    "provider", "source", "topics", "tags", "keywords", "category", "categories", "type", "quality", "images",
    "image", "related", "lang", "language",
]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2 ** 70), 2 ** 70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(ANY_CHAR, max_size=30), TEXT, st.dates(), st.datetimes(),
    st.datetimes(timezones=st.just(timezone.utc)),
    st.sampled_from(["https://example.com/x", "http://e.com/a?utm_medium=y", "ftp://e.com", "//e.com/p",
                     "https://", "https://[::1]/", "http://%zz/", "yesterday", "2024-02-30", "0000-00-00",
                     "cnn.com", "https://www.scmp.com/news/1"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner, max_size=4)),
    max_leaves=16,
)
SHAPED = {
    "provider": st.fixed_dictionaries({"name": VALUES}, optional={"domain": VALUES}),
    "images": st.lists(st.fixed_dictionaries({"url": VALUES}, optional={"width": VALUES, "height": VALUES,
                                                                        "title": VALUES}), max_size=3),
    "related": st.lists(st.fixed_dictionaries({"title": VALUES}, optional={
        "url": VALUES, "publishedDateTime": VALUES, "provider": VALUES, "images": VALUES}), max_size=3),
    "topics": st.lists(VALUES, max_size=6),
}
META = st.one_of(
    st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(ANY_CHAR, max_size=10), st.integers()),
                    VALUES, max_size=12),
    st.fixed_dictionaries({"title": VALUES}, optional={**{k: VALUES for k in KEYS if k != "title"}, **SHAPED}),
)


@PROPERTY
@given(meta=META, body=TEXT)
def test_any_front_matter_mapping_parses_or_is_refused_and_renders(config, meta, body):
    try:
        block = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, UnicodeError):
        assume(False)
    data = f"---\n{block}---\n{body}".encode("utf-8", "surrogatepass")
    article = parse_or_none(lambda: parse_bytes(Path("seeds/fm.md"), data, config, NOW))
    if article is not None:
        assert article.format == "frontmatter"
        assert_renders(article, config)


@settings(PROPERTY, max_examples=FUZZ or 50)
@given(meta=st.fixed_dictionaries({"title": st.text(ANY_CHAR, min_size=1, max_size=40),
                                   "originalUrl": st.just("https://example.com/story"),
                                   "publishedDateTime": st.datetimes(timezones=st.just(timezone.utc))},
                                  optional={"summary": TEXT, "author": TEXT, "topics": st.lists(TEXT, max_size=5),
                                            "category": TEXT}),
       body=TEXT)
def test_a_titled_linked_article_is_never_lost(config, meta, body):
    """With a usable title and link nothing in the other fields may cost the article."""
    try:
        block = yaml.safe_dump(meta, allow_unicode=True)
        yaml.load(block, Loader=yaml.CSafeLoader)  # libyaml refuses the escapes of lone surrogates
    except (yaml.YAMLError, UnicodeError):
        assume(False)
    title_is_text = meta["title"].strip(" \t\n\r\x00\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029")
    assume(any(c.isalnum() for c in title_is_text))
    data = f"---\n{block}---\n{body}".encode("utf-8", "surrogatepass")
    article = parse_bytes(Path("seeds/kept.md"), data, config, NOW)
    assert article.link == "https://example.com/story"
    assert_renders(article, config)


@pytest.mark.parametrize("depth", [10, 150, 400])
def test_nesting_just_around_the_limits_is_parsed_or_refused(config, depth):
    block = "title: Nested\noriginalUrl: https://example.com/n\nextra: " + "[" * depth + "]" * depth
    data = f"---\n{block}\n---\nBody.\n".encode()
    article = parse_or_none(lambda: parse_bytes(Path("seeds/n.md"), data, config, NOW))
    if article is not None:
        assert_renders(article, config)
