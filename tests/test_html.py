"""The HTML reader: page metadata first, then a clean story body.

Sample pages live in ``tests/data/html/NAME.html`` with what they must give in
``NAME.expected.yaml``; the focused tests below pin one rule each.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedsmith.config import Config, load_config
from feedsmith.errors import ParseError
from feedsmith.model import Article, Provider
from feedsmith.parse import html, parse_file, parse_text
from feedsmith.parse.base import ReadContext

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "html"
OBSERVED = datetime(2025, 1, 1, tzinfo=timezone.utc)


@functools.cache
def bundled_config() -> Config:
    """The repository's config.yaml (provider registry, topic rules), or the defaults."""
    path = REPO / "config.yaml"
    return load_config(path) if path.exists() else Config()


@pytest.fixture(scope="module")
def cfg() -> Config:
    return bundled_config()


def read(text: str, cfg: Config, name: str = "page.html") -> Article:
    return parse_text(text, ReadContext(Path(name), cfg, OBSERVED))


def check_expected(article: Article, expected: dict[str, Any]) -> None:
    """Compare an article with an ``*.expected.yaml`` mapping; only the keys present count."""
    for key in ("title", "author", "link", "category", "language", "summary", "format"):
        if key in expected:
            assert getattr(article, key) == expected[key], key
    if "provider" in expected:
        want = expected["provider"]
        got = article.provider
        assert (None if got is None else {"name": got.name, "domain": got.domain}) == want
    for key in ("published", "updated"):
        if key in expected:
            value = getattr(article, key)
            assert (value.isoformat() if value else None) == expected[key], key
    if "topics" in expected:
        assert list(article.topics) == expected["topics"]
    if "images" in expected:
        got_images = [{k: getattr(img, k) for k in want} for img, want in zip(article.images, expected["images"])]
        assert got_images == expected["images"]
    text = article.content_text or ""
    content = article.content or ""
    if "body_starts_with" in expected:
        assert text.startswith(expected["body_starts_with"]), text[:200]
    for part in expected.get("body_includes", []):
        assert part in text, part
    for part in expected.get("body_excludes", []):
        assert part not in text, part
    for part in expected.get("content_includes", []):
        assert part in content, part
    for part in expected.get("content_excludes", []):
        assert part not in content, part
    for part in expected.get("summary_excludes", []):
        assert part not in (article.summary or ""), part


def samples(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern))


@pytest.mark.parametrize("path", samples(DATA, "*.html"), ids=lambda p: p.stem)
def test_sample_pages(path: Path, cfg: Config) -> None:
    expected = yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
    article = parse_file(path, cfg)
    assert article.format == "html"
    check_expected(article, expected)


def test_every_sample_has_expectations() -> None:
    pages = samples(DATA, "*.html")
    assert len(pages) >= 8
    for page in pages:
        assert page.with_suffix(".expected.yaml").exists(), page.name


# --------------------------------------------------------------------------
# Sniffing: content only, never the file name


@pytest.mark.parametrize("text", [
    "<!DOCTYPE html><html><body><p>x</p></body></html>",
    "\ufeff  \n<!doctype HTML>\n<title>x</title>",
    "<!-- saved from url=(0042)https://example.com/ -->\n<html lang='en'>",
    "<?xml version='1.0' encoding='utf-8'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>",
    "<meta charset=utf-8>\n<title>Story</title>\n<body><p>Text</p>",
    "<article><h1>Story</h1><p>Text</p></article>",
    "  <div id=page><article><p>Text</p></article></div>",
])
def test_sniff_accepts_html(text: str) -> None:
    assert html.READER.sniff(text)


@pytest.mark.parametrize("text", [
    "A story about web pages.\nIt mentions the <body> tag and <html> in passing.",
    "# Markdown title\n\n<article>raw html in markdown</article>",
    "---\ntitle: Front matter\n---\n<html>",
    "<3 this bakery, says every customer",
    "<b>Bold start</b> of a scraped text without any document tags.",
    "",
])
def test_sniff_rejects_other_text(text: str) -> None:
    assert not html.READER.sniff(text)


def test_reader_is_chosen_by_content_not_extension(tmp_path: Path, cfg: Config) -> None:
    page = tmp_path / "story.txt"
    page.write_text((DATA / "full_metadata.html").read_text(encoding="utf-8"), encoding="utf-8")
    assert parse_file(page, cfg).format == "html"
    text = tmp_path / "story.html"
    text.write_text("Plain headline here\n\nJust a paragraph of plain text, no markup at all.\n",
                    encoding="utf-8")
    assert parse_file(text, cfg).format != "html"


# --------------------------------------------------------------------------
# Metadata


def page(head: str = "", body: str = "<article><p>Body text of the story goes here.</p></article>",
         lang: str = "") -> str:
    return f"<!DOCTYPE html><html{lang}><head>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize("title, site, expected", [
    ("Story | The Ledger", {"theledger"}, "Story"),
    ("Story - Ledger", {"ledger"}, "Story"),
    ("The Ledger: Story", {"theledger"}, "Story"),
    ("Story – Part one – The Ledger", {"theledger"}, "Story – Part one"),
    ("Story - Other Site", {"theledger"}, "Story - Other Site"),
    ("Story", {"theledger"}, "Story"),
])
def test_strip_site_name(title: str, site: set[str], expected: str) -> None:
    assert html.strip_site_name(title, site) == expected


def test_title_priority_og_then_jsonld_then_twitter_then_title(cfg: Config) -> None:
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"From JSON-LD"}</script>'
    twitter = '<meta name="twitter:title" content="From Twitter">'
    og = '<meta property="og:title" content="From Open Graph">'
    title = "<title>From the title element</title>"
    assert read(page(title + twitter + ld + og), cfg).title == "From Open Graph"
    article = read(page(title + twitter + ld), cfg)
    assert (article.title, article.source_of("title")) == ("From JSON-LD", "JSON-LD NewsArticle.headline")
    assert read(page(title + twitter), cfg).title == "From Twitter"
    assert read(page(title), cfg).source_of("title") == "<title> element"


def test_h1_preferred_when_title_element_adds_a_site_name(cfg: Config) -> None:
    article = read(page("<title>Pier reopens - Some Local Site</title>",
                        "<article><h1>Pier reopens</h1><p>The pier reopened on Monday after repairs.</p></article>"),
                   cfg)
    assert article.title == "Pier reopens"
    assert "<h1" not in (article.content or "")


@pytest.mark.parametrize("author_json, expected", [
    ('"Ana Ruiz"', "Ana Ruiz"),
    ('{"@type": "Person", "name": "Ana Ruiz"}', "Ana Ruiz"),
    ('[{"@type": "Person", "name": "Ana Ruiz"}, "Ben Ode", {"name": "Ana Ruiz"}]', "Ana Ruiz, Ben Ode"),
    ('{"@type": "Person", "name": "By Ana Ruiz"}', "Ana Ruiz"),
    ('"https://example.com/authors/ana"', None),
])
def test_jsonld_author_forms(author_json: str, expected: str | None, cfg: Config) -> None:
    ld = f'<script type="application/ld+json">{{"@type": "Article", "headline": "H", "author": {author_json}}}</script>'
    assert read(page(ld), cfg).author == expected


def test_jsonld_list_types_and_broken_blocks(cfg: Config) -> None:
    head = (
        '<script type="application/ld+json">{ not json </script>'
        '<script type="application/ld+json">[{"@type": "BreadcrumbList", "name": "Crumbs"},'
        ' {"@type": ["Thing", "BlogPosting"], "headline": "Blog headline",'
        '  "url": "https://blog.example/p/1", "image": "https://blog.example/i.png",'
        '  "keywords": ["Gardens", "Spring"], "articleSection": "Home",'
        '  "publisher": {"@type": "Organization", "name": "Garden Blog"}}]</script>'
    )
    article = read(page(head), cfg)
    assert article.title == "Blog headline"
    assert article.link == "https://blog.example/p/1"
    assert [i.url for i in article.images] == ["https://blog.example/i.png"]
    assert article.topics == ("Gardens", "Spring")
    assert article.category == "Home"
    assert article.provider == Provider("Garden Blog", "blog.example")
    assert article.source_of("title") == "JSON-LD BlogPosting.headline"


def test_non_article_jsonld_is_ignored(cfg: Config) -> None:
    head = ('<title>The real title</title><script type="application/ld+json">'
            '{"@type": "Recipe", "name": "Not an article", "author": "Chef"}</script>')
    article = read(page(head), cfg)
    assert article.title == "The real title"
    assert article.author is None


def test_article_author_url_is_not_a_name(cfg: Config) -> None:
    head = ('<meta property="article:author" content="https://facebook.com/someone">'
            '<meta name="author" content="By Rosa Lind">')
    assert read(page(head), cfg).author == "Rosa Lind"


def test_site_name_resolves_through_the_registry(cfg: Config) -> None:
    if cfg.providers.lookup("CBC") is None:
        pytest.skip("the bundled registry has no CBC alias")
    head = ('<meta property="og:site_name" content="CBC">'
            '<meta property="og:url" content="https://www.cbc.ca/news/story-1">')
    article = read(page(head), cfg)
    assert article.provider == cfg.providers.lookup("CBC").provider


def test_images_keep_og_details_and_become_absolute(cfg: Config) -> None:
    head = ('<link rel="canonical" href="https://news.example/a/b">'
            '<meta property="og:image" content="/img/one.jpg">'
            '<meta property="og:image:width" content="800"><meta property="og:image:height" content="600">'
            '<meta property="og:image" content="https://cdn.example/two.png">'
            '<meta property="og:image:type" content="image/png">')
    images = read(page(head), cfg).images
    assert [(i.url, i.width, i.height, i.mime_type) for i in images] == [
        ("https://news.example/img/one.jpg", 800, 600, None),
        ("https://cdn.example/two.png", None, None, "image/png"),
    ]


def test_language_from_og_locale_when_html_has_none(cfg: Config) -> None:
    assert read(page('<meta property="og:locale" content="pt_BR">'), cfg).language == "pt-BR"
    assert read(page("", lang=' lang="fr"'), cfg).language == "fr"


def test_time_element_dates_an_article_without_date_metadata(cfg: Config) -> None:
    body = ('<article><header><time datetime="2024-07-01T09:00:00+02:00">1 July</time></header>'
            "<p>Text of the story about the summer fair.</p></article>")
    article = read(page("<title>Fair</title>", body), cfg)
    assert article.published == datetime.fromisoformat("2024-07-01T09:00:00+02:00")
    assert article.source_of("published") == "<time datetime> in the story"


def test_metadata_dates_win_over_body_dates(cfg: Config) -> None:
    head = '<meta property="article:published_time" content="2024-05-05T10:00:00Z">'
    body = "<article><p>By Kim Lee</p><p>January 2, 2020</p><p>Story text about the parade.</p></article>"
    article = read(page(head, body), cfg)
    assert article.published == datetime(2024, 5, 5, 10, tzinfo=timezone.utc)
    assert article.author == "Kim Lee"
    assert article.source_of("author") == "byline in the body text"
    assert "January 2, 2020" not in (article.content_text or "")


def test_jsonld_article_body_when_the_page_has_none(cfg: Config) -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H",'
            ' "articleBody": "First paragraph.\\n\\nSecond <paragraph> & more."}</script>')
    article = read(page(head, "<div></div>"), cfg)
    assert article.content_text == "First paragraph.\n\nSecond <paragraph> & more."
    assert article.content == "<p>First paragraph.</p>\n<p>Second &lt;paragraph&gt; &amp; more.</p>"


# --------------------------------------------------------------------------
# Body: container, noise and clean markup


def test_teaser_article_does_not_beat_the_main_story(cfg: Config) -> None:
    story = " ".join(["The main story has many long sentences about the harbour."] * 10)
    body = (f"<main><p>{story}</p><p>{story}</p>"
            "<div class='more'><article><p>A short teaser.</p></article></div></main>")
    article = read(page("<title>T</title>", body), cfg)
    assert article.content_text.startswith("The main story")
    assert article.source_of("content") == "html body (<main> element)"


@pytest.mark.parametrize("attrs, removed", [
    ('class="ad-slot"', True), ('class="top_ads"', True), ('id="comments"', True),
    ('class="shareBar social-links"', True), ('class="relatedStories"', True),
    ('class="cookie-consent"', True), ('role="complementary"', True),
    ('class="commentary-body"', False), ('class="header-image"', False), ('class="loaded"', False),
    ('class="headline"', False), ('class="roadmap"', False),
])
def test_noise_blocks_by_class_id_and_role(attrs: str, removed: bool, cfg: Config) -> None:
    body = (f"<article><p>Story paragraph that stays in the article.</p>"
            f"<div {attrs}><p>Block under test.</p></div></article>")
    article = read(page("<title>T</title>", body), cfg)
    assert ("Block under test." not in article.content_text) is removed
    if removed:
        assert any("Block under test." in d for d in article.dropped)


def test_header_that_holds_the_story_is_kept(cfg: Config) -> None:
    story = "A long paragraph of story text that some templates put in a header element. " * 4
    body = f"<article><header><p>{story}</p></header><footer><p>Filed under: Town</p></footer></article>"
    article = read(page("<title>T</title>", body), cfg)
    assert article.content_text.startswith("A long paragraph")
    assert "Filed under" not in article.content_text


def test_markup_is_reduced_to_the_allowed_tags(cfg: Config) -> None:
    body = ('<article><div class="x" style="color:red"><span>Loose <u>text</u></span><br><br>'
            "after breaks</div><h1>Another heading</h1><h5>Small heading</h5>"
            '<table><tr><td>Cell one</td><td>Cell two</td></tr></table>'
            '<p onclick="x()" class="lead">Para with <img src="a.png"> <i>italic</i> '
            "<code>x = 1</code></p><pre>  keep\n    spacing</pre>"
            '<ul><li><div>Item <a href="https://ok.example/" target="_blank" rel="x">link</a></div></li></ul>'
            "</article>")
    content = read(page("<title>T</title>", body), cfg).content or ""
    assert content.split("\n") == [
        "<p>Loose text<br><br>after breaks</p>",
        "<h2>Another heading</h2>",
        "<h4>Small heading</h4>",
        "<p>Cell one</p>",
        "<p>Cell two</p>",
        "<p>Para with <i>italic</i> <code>x = 1</code></p>",
        "<pre>  keep",
        "    spacing</pre>",
        '<ul><li><p>Item <a href="https://ok.example/">link</a></p></li></ul>',
    ]


def test_loose_text_between_blocks_becomes_paragraphs(cfg: Config) -> None:
    body = "<article>First loose line<br><br>second loose line<p>A paragraph.</p>tail text</article>"
    content = read(page("<title>T</title>", body), cfg).content or ""
    assert content.split("\n") == ["<p>First loose line</p>", "<p>second loose line</p>",
                                    "<p>A paragraph.</p>", "<p>tail text</p>"]


def test_relative_links_use_base_href_when_no_canonical(cfg: Config) -> None:
    head = '<base href="https://base.example/dir/">'
    body = '<article><p>See <a href="page.html">this page</a> and <a href="/top">that</a>.</p></article>'
    content = read(page("<title>T</title>" + head, body), cfg).content or ""
    assert '<a href="https://base.example/dir/page.html">this page</a>' in content
    assert '<a href="https://base.example/top">that</a>' in content


def test_relative_links_without_any_base_lose_the_link(cfg: Config) -> None:
    body = '<article><p>See <a href="page.html">this page</a> now.</p></article>'
    content = read(page("<title>T</title>", body), cfg).content or ""
    assert content == "<p>See this page now.</p>"


def test_body_only_page_without_head_or_paragraph_tags(cfg: Config) -> None:
    article = read("<html><body>Just a line of text<br>and another line of text</body></html>", cfg)
    assert article.title
    assert "and another line of text" in (article.content_text or "") + article.title


def test_empty_page_is_a_parse_error(cfg: Config) -> None:
    with pytest.raises(ParseError):
        read("<html><head></head><body></body></html>", cfg)
    with pytest.raises(ParseError):
        read("<html><!-- nothing --></html>", cfg)


# --------------------------------------------------------------------------
# Never anything but ParseError


_TAGS = st.sampled_from([
    "html", "head", "body", "title", "meta", "script", "style", "article", "main", "p", "div",
    "a", "h1", "h2", "ul", "li", "br", "header", "footer", "nav", "aside", "time", "pre", "b",
    "table", "td", "template", "noscript", "iframe", "form", "svg", "base", "link",
])
_ATTRS = st.sampled_from([
    "", ' class="ad-slot"', ' id="comments"', ' role="main"', ' hidden', ' style="display:none"',
    ' href="javascript:x"', ' href="/rel"', ' href="http://[::1"', ' property="og:title" content="T"',
    ' property="og:url" content="http://[bad"', ' name="author" content="By X"',
    ' type="application/ld+json"', ' datetime="2024-13-45"', ' lang="xx_YY"', ' property="og:image" content="//x"',
])
_PIECES = st.one_of(
    st.builds(lambda t, a: f"<{t}{a}>", _TAGS, _ATTRS),
    st.builds(lambda t: f"</{t}>", _TAGS),
    st.text(max_size=40),
    st.sampled_from(["&amp;", "&#0;", "&#xD800;", "&bogus;", "<!--", "-->", "<![CDATA[", "]]>",
                     '{"@type": "NewsArticle", "author": [null, {}, 3]}', "\x00", "\ufeff", "<?xml ?>"]),
)


def _ctx(cfg: Config) -> ReadContext:
    return ReadContext(Path("fuzz.html"), cfg, OBSERVED)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_html_ish_input_never_raises_anything_but_parse_error(text: str) -> None:
    cfg = bundled_config()
    try:
        html.READER.read(text, _ctx(cfg))
        parse_text("<!doctype html>" + text, _ctx(cfg))
    except ParseError:
        pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises_anything_but_parse_error(text: str) -> None:
    cfg = bundled_config()
    try:
        html.READER.read(text, _ctx(cfg))
    except ParseError:
        pass


def test_deeply_nested_markup_is_handled(cfg: Config) -> None:
    text = "<html><body>" + "<div>" * 5000 + "<p>Deep story text here.</p>" + "</div>" * 5000
    try:
        article = read(text, cfg)
    except ParseError:
        return
    assert article.title
