"""The human-facing pages of the feed tree: the index, the OPML list, article pages
and the HTML view of each feed (what a browser gets for a feed URL).

Pure functions: a catalog and a config in, UTF-8 bytes out. Nothing here reads
the clock, so the same catalog always renders the same bytes. Every piece of
text from an article goes through :func:`_e` (HTML) or lxml (OPML); article
HTML bodies go through :func:`safe_html`. The pages carry no scripts and no
``style`` attributes, only the one constant :data:`STYLE` block, so a strict
Content-Security-Policy (``style-src`` with the hash of ``STYLE``) fits.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from .catalog import Catalog, Feed
from .config import Config
from .model import Article, Image
from .text import plural, truncate_words, xml_safe

# (format = file extension, MIME type, label), in the order they are offered.
FORMATS = (
    ("rss", "application/rss+xml", "RSS"),
    ("atom", "application/atom+xml", "Atom"),
    ("json", "application/feed+json", "JSON Feed"),
)
_MIMES = {fmt: mime for fmt, mime, _ in FORMATS}
_LABELS = {fmt: label for fmt, _, label in FORMATS}


def _url_label(fmt: str) -> str:
    """``Atom feed URL``, ``JSON Feed URL`` (whose name says "feed" already)."""
    label = _LABELS[fmt]
    return f"{label} URL" if label.endswith("Feed") else f"{label} feed URL"


GROUPS = (
    ("all", "All articles"),
    ("topic", "Topics"),
    ("provider", "Providers"),
    ("category", "Categories"),
)
OPML_GROUPS = {"all": "All", "topic": "Topics", "provider": "Providers", "category": "Categories"}

STYLE = """
:root { color-scheme: light dark; --muted: #6b6b6b; --line: #d0d0d0; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem;
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0; }
ul.feeds { list-style: none; padding: 0; }
ul.feeds > li { padding: .75rem 0; border-bottom: 1px solid var(--line); }
.muted, .meta { color: var(--muted); font-size: .9rem; }
.formats a { margin-right: .75rem; }
input.url { width: 100%; font: .85rem ui-monospace, monospace; padding: .3rem; }
img { max-width: 100%; height: auto; }
figure { margin: 1rem 0; }
nav { font-size: .9rem; }
.tags { padding: 0; } .tags li { display: inline; margin-right: .5rem; }
""".strip()
_STYLE_BLOCK = f"\n{STYLE}\n"
# For a Content-Security-Policy: ``style-src 'self' {STYLE_CSP_SOURCE}``; pages need no script-src.
STYLE_CSP_SOURCE = "'sha256-" + base64.b64encode(hashlib.sha256(_STYLE_BLOCK.encode()).digest()).decode() + "'"

# Elements whose whole subtree never reaches a page, and attributes never kept.
_DROP = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
    "input", "button", "textarea", "select", "option", "link", "meta", "base", "noscript",
    "template", "svg", "math", "title", "head", "portal", "dialog",
}
_URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "poster", "cite", "background", "xlink:href"}
_SAFE_SCHEMES = {"http", "https", "mailto", ""}


def _e(text: object) -> str:
    """Escaped, XML-safe text for element content and quoted attribute values."""
    return html.escape(xml_safe(str(text)), quote=True)


def _href(url: str | None) -> str | None:
    """The URL when it is safe to put in an ``href``/``src`` (http(s), mailto, relative)."""
    if not url:
        return None
    url = xml_safe(url).strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in _SAFE_SCHEMES else None


def _page(title: str, body: str, *, head_extra: str = "", lang: str = "en") -> bytes:
    """The one HTML5 layout every page shares."""
    return (
        "<!doctype html>\n"
        f'<html lang="{_e(lang or "en")}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n"
        f"<style>{_STYLE_BLOCK}</style>\n"
        f"{head_extra}"
        "</head>\n<body>\n"
        f"{body}"
        "</body>\n</html>\n"
    ).encode("utf-8")


def _time(when: datetime, config: Config, with_time: bool = False) -> str:
    local = when.astimezone(config.tz)
    shown = f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip() if with_time else f"{local:%Y-%m-%d}"
    return f'<time datetime="{_e(local.isoformat())}">{_e(shown)}</time>'


def _feed_url(feed: Feed, fmt: str, config: Config) -> str:
    return config.url(f"{feed.path}.{fmt}")


def view_path(feed: Feed) -> str:
    """Where the static tree keeps a feed's HTML view: ``topics/ai.html``."""
    return f"{feed.path}.html"


def _published(config: Config) -> list[tuple[str, str, str]]:
    """``FORMATS`` entries of the formats the site publishes."""
    return [entry for entry in FORMATS if entry[0] in config.formats]


def _ordered_feeds(catalog: Catalog) -> Iterable[tuple[str, str, list[Feed]]]:
    for kind, heading in GROUPS:
        yield kind, heading, catalog.feeds_of(kind)


# --------------------------------------------------------------------- index


def _autodiscovery(catalog: Catalog, config: Config) -> str:
    links = []
    for _kind, _heading, feeds in _ordered_feeds(catalog):
        for feed in feeds:
            for fmt, mime, label in _published(config):
                links.append(
                    f'<link rel="alternate" type="{mime}" '
                    f'title="{_e(feed.title(config.title))} ({label})" '
                    f'href="{_e(_feed_url(feed, fmt, config))}">\n'
                )
    links.append(
        f'<link rel="outline" type="text/x-opml" title="{_e(config.title)} (OPML)" '
        f'href="{_e(config.url("feeds.opml"))}">\n'
    )
    return "".join(links)


def _feed_row(feed: Feed, catalog: Catalog, config: Config) -> str:
    count = len(feed.articles)
    label = feed.name
    if feed.kind == "provider" and feed.provider and feed.provider.domain:
        label = f"{feed.name} ({feed.provider.domain})" if feed.provider.domain != feed.name else feed.name
    if feed.articles:
        newest = feed.articles[0]
        latest = (
            f'<p>Latest: <a href="{_e(catalog.entry_url(newest, config))}">{_e(newest.title)}</a>'
            f' <span class="muted">{_time(newest.date, config)}</span></p>\n'
        )
    else:
        latest = '<p class="muted">No articles yet.</p>\n'
    formats = " ".join(
        f'<a href="{_e(_feed_url(feed, fmt, config))}" type="{mime}">{label_}</a>'
        for fmt, mime, label_ in _published(config)
    )
    main = config.main_format
    main_url = _feed_url(feed, main, config)
    field_id = f"url-{feed.path.replace('/', '-')}"
    view = config.url(view_path(feed))
    return (
        f'<li id="feed-{_e(feed.path.replace("/", "-"))}">\n'
        f'<h3><a href="{_e(view)}">{_e(label)}</a> '
        f'<span class="muted count">({_e(plural(count, "article"))})</span></h3>\n'
        f"{latest}"
        f'<p class="formats">{formats}</p>\n'
        f'<label for="{_e(field_id)}" class="muted">{_url_label(main)} (select and copy into your reader)</label>\n'
        f'<input class="url" id="{_e(field_id)}" type="url" readonly value="{_e(main_url)}">\n'
        "</li>\n"
    )


def render_index(catalog: Catalog, config: Config) -> bytes:
    """The front page: every feed, grouped, with its formats and a copyable URL."""
    sections = []
    for kind, heading, feeds in _ordered_feeds(catalog):
        if not feeds and kind != "all":
            continue
        rows = "".join(_feed_row(feed, catalog, config) for feed in feeds)
        sections.append(
            f'<section id="{kind}">\n<h2>{_e(heading)}</h2>\n<ul class="feeds">\n{rows}</ul>\n</section>\n'
        )
    warned = sum(1 for a in catalog.articles if a.warnings)
    summary = f"{plural(len(catalog.articles), 'article')} in {plural(len(catalog.feeds), 'feed')}"
    if warned:
        summary += f"; {plural(warned, 'article')} with reader warnings"
    body = (
        f"<header>\n<h1>{_e(config.title)}</h1>\n"
        f"<p>{_e(config.description)}</p>\n"
        f'<p class="muted">{_e(summary)}. Every feed comes as RSS, Atom and JSON Feed; '
        f'import them all at once with the <a href="{_e(config.url("feeds.opml"))}" '
        'type="text/x-opml">OPML list</a>.</p>\n'
        "</header>\n<main>\n"
        f"{''.join(sections)}"
        "</main>\n"
    )
    return _page(config.title, body, head_extra=_autodiscovery(catalog, config), lang=config.language)


# ----------------------------------------------------------------- feed views

VIEW_SUMMARY_CHARS = 300


def view_needs_body(article: Article) -> bool:
    """Whether a view's entry for ``article`` shows text only its body has: it has no summary."""
    return not article.summary


def _view_entry(article: Article, catalog: Catalog, config: Config) -> str:
    link = _href(catalog.entry_url(article, config))
    title = _e(article.title)
    heading = f'<a href="{_e(link)}">{title}</a>' if link else title
    meta = [_time(article.date, config, with_time=True)]
    if article.provider:
        meta.append(_e(article.provider.name))
    if article.author:
        meta.append(f"by {_e(article.author)}")
    summary = truncate_words(article.summary or article.content_text or "", VIEW_SUMMARY_CHARS)
    return (
        '<li class="entry">\n'
        f"<h3>{heading}</h3>\n"
        f'<p class="meta">{" · ".join(meta)}</p>\n'
        + (f"<p>{_e(summary)}</p>\n" if summary else "")
        + "</li>\n"
    )


def render_feed_view(feed: Feed, fmt: str, catalog: Catalog, config: Config, *,
                     limit: int | None = None, query: str = "") -> bytes:
    """A feed as a web page: its title, a box with the feed URL to copy, its newest entries.

    What a browser gets for a feed URL (``fmt`` is the format it asked for, so
    the box shows that URL) and, with ``fmt=config.main_format``, the static ``<feed>.html``.
    ``query`` is the canonical query string of a narrowed feed (its URLs keep
    it); ``limit`` overrides ``config.item_limit``, as for the feed itself.
    """
    if fmt not in config.formats:
        raise ValueError(f"feed format {fmt!r} is not published (formats: {', '.join(config.formats)})")
    suffix = f"?{query}" if query else ""
    count = config.item_limit if limit is None else limit
    shown = feed.articles[:max(count, 0)]
    title = feed.title(config.title)
    url = _feed_url(feed, fmt, config) + suffix

    head_extra = "" if query else f'<link rel="canonical" href="{_e(config.url(view_path(feed)))}">\n'
    head_extra += f'<meta name="description" content="{_e(feed.description(config.title))}">\n'
    head_extra += "".join(
        f'<link rel="alternate" type="{m}" title="{_e(title)} ({lb})" '
        f'href="{_e(_feed_url(feed, f, config) + suffix)}">\n'
        for f, m, lb in _published(config)
    )
    others = " ".join(
        f'<a href="{_e(_feed_url(feed, f, config) + suffix)}" type="{m}">{lb}</a>'
        for f, m, lb in _published(config)
    )
    total = plural(len(feed.articles), "article")
    status = f"{total}; the newest {len(shown)} are shown" if len(shown) < len(feed.articles) else total
    if query:
        status += f" (narrowed by {query})"
    if shown:
        entries = '<ul class="feeds entries">\n' + "".join(
            _view_entry(a, catalog, config) for a in shown) + "</ul>\n"
    else:
        entries = '<p class="muted">No articles yet.</p>\n'
    body = (
        f'<nav><a href="{_e(config.url("index.html"))}">← {_e(config.title)}: all feeds</a></nav>\n'
        f"<header>\n<h1>{_e(title)}</h1>\n"
        f"<p>{_e(feed.description(config.title))}</p>\n"
        f'<p class="muted count">{_e(status)}.</p>\n'
        "</header>\n"
        '<section id="subscribe">\n<h2>Subscribe</h2>\n'
        "<p>This is a news feed: to follow it, copy its address into your feed reader.</p>\n"
        f'<label for="feed-url" class="muted">{_url_label(fmt)} (select and copy into your reader)</label>\n'
        f'<input class="url" id="feed-url" type="url" readonly value="{_e(url)}">\n'
        f'<p class="formats">{others}</p>\n'
        "</section>\n"
        f"<main>\n<h2>Latest articles</h2>\n{entries}</main>\n"
    )
    return _page(title, body, head_extra=head_extra, lang=config.language)


# ---------------------------------------------------------------------- OPML


def render_opml(catalog: Catalog, config: Config) -> bytes:
    """OPML 2.0 subscription list: one outline per feed (RSS URLs when RSS is published), grouped by kind."""
    listed = "rss" if "rss" in config.formats else config.main_format
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = xml_safe(config.title)
    newest = max((a.modified for a in catalog.articles), default=None)
    if newest is not None:
        etree.SubElement(head, "dateCreated").text = format_datetime(newest)
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    home = config.url("index.html")
    for kind, _heading, feeds in _ordered_feeds(catalog):
        if not feeds:
            continue
        group = etree.SubElement(body, "outline", text=OPML_GROUPS[kind], title=OPML_GROUPS[kind])
        for feed in feeds:
            title = xml_safe(feed.title(config.title))
            etree.SubElement(
                group, "outline",
                type="rss", **({"version": "RSS2"} if listed == "rss" else {}),
                text=title, title=title,
                description=xml_safe(feed.description(config.title)),
                xmlUrl=xml_safe(_feed_url(feed, listed, config)),
                htmlUrl=xml_safe(home),
            )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ------------------------------------------------------------- article pages


def safe_html(fragment: str) -> str:
    """Article HTML with scripts, embeds, event handlers and ``javascript:`` URLs removed."""
    fragment = xml_safe(fragment)
    if not fragment.strip():
        return ""
    try:
        wrapper = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except etree.ParserError:
        return ""
    for el in list(wrapper.iter()):
        if el is wrapper:
            continue
        if not isinstance(el.tag, str):  # comments and processing instructions
            el.drop_tree()
            continue
        if el.tag.lower() in _DROP:
            el.drop_tree()
            continue
        for name in list(el.attrib):
            low = name.lower()
            if low.startswith("on") or low in ("style", "srcdoc", "formaction", "action"):
                del el.attrib[name]
            elif low in _URL_ATTRS and not _urls_safe(low, el.attrib[name]):
                del el.attrib[name]
    inner = (wrapper.text and html.escape(wrapper.text, quote=False)) or ""
    inner += "".join(lxml.html.tostring(child, encoding="unicode") for child in wrapper)
    return inner


def _urls_safe(attr: str, value: str) -> bool:
    if attr != "srcset":
        return _href(value) is not None or not value.strip()
    # "a.jpg 1x, b.jpg 2x": every candidate's URL must be safe.
    return all(_href(c.split()[0]) is not None for c in value.split(",") if c.strip())


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return "".join(f"<p>{'<br>'.join(_e(line) for line in b.splitlines())}</p>\n" for b in blocks)


def _image(image: Image, alt: str) -> str:
    src = _href(image.url)
    if src is None:
        return ""
    size = "".join(
        f' {name}="{value}"' for name, value in (("width", image.width), ("height", image.height))
        if isinstance(value, int) and value > 0
    )
    caption = f"<figcaption class=\"muted\">{_e(image.title)}</figcaption>" if image.title else ""
    return f'<figure><img src="{_e(src)}" alt="{_e(image.title or alt)}"{size} loading="lazy">{caption}</figure>\n'


def render_article(article: Article, catalog: Catalog, config: Config) -> bytes:
    """The page of an article that has no source link of its own."""
    page = catalog.page_path(article)
    own_url = config.url(page) if page else catalog.entry_url(article, config)
    index = config.url("index.html")

    meta = []
    if article.provider:
        domain = article.provider.domain
        name = _e(article.provider.name)
        meta.append(f'<a href="https://{_e(domain)}/">{name}</a>' if domain else name)
    if article.author:
        meta.append(f"by {_e(article.author)}")
    dated = _time(article.date, config, with_time=True)
    meta.append(dated if article.published else f"first seen {dated}")
    if article.updated and article.updated > article.date:
        meta.append(f"updated {_time(article.updated, config, with_time=True)}")

    topics = ""
    if article.topics:
        items = "".join(f"<li>{_e(t)}</li>" for t in article.topics)
        topics = f'<ul class="tags" aria-label="Topics">{items}</ul>\n'

    image = _image(article.lead_image, article.title) if article.lead_image else ""
    if article.content:
        content = safe_html(article.content)
    elif article.content_text:
        content = _paragraphs(article.content_text)
    elif article.summary:
        content = _paragraphs(article.summary)
    else:
        content = ""

    related = ""
    links = [r for r in article.related if _href(r.link)]
    if links:
        items = "".join(
            f'<li><a href="{_e(_href(r.link))}">{_e(r.title)}</a>'
            + (f' <span class="muted">{_e(r.provider.name)}</span>' if r.provider else "")
            + "</li>\n"
            for r in links
        )
        related = f"<section>\n<h2>Related coverage</h2>\n<ul>\n{items}</ul>\n</section>\n"

    feeds = catalog.feeds_containing(article)
    all_feed = catalog.feed("all")
    feed_items = "".join(
        f'<li>{_e(f.name)}: '
        + " ".join(f'<a href="{_e(_feed_url(f, fmt, config))}" type="{mime}">{label}</a>'
                   for fmt, mime, label in _published(config))
        + "</li>\n"
        for f in ([all_feed] if all_feed else []) + feeds
    )
    head_extra = f'<link rel="canonical" href="{_e(own_url)}">\n'
    if article.summary:
        head_extra += f'<meta name="description" content="{_e(article.summary)}">\n'
    main = config.main_format
    for f in ([all_feed] if all_feed else []) + feeds:
        head_extra += (
            f'<link rel="alternate" type="{_MIMES[main]}" '
            f'title="{_e(f.title(config.title))} ({_LABELS[main]})" href="{_e(_feed_url(f, main, config))}">\n'
        )

    body = (
        f'<nav><a href="{_e(index)}">← {_e(config.title)}: all feeds</a></nav>\n'
        "<main>\n<article>\n"
        f"<header>\n<h1>{_e(article.title)}</h1>\n"
        f'<p class="meta">{" · ".join(meta)}</p>\n{topics}</header>\n'
        f"{image}"
        f'<div class="content">\n{content}</div>\n'
        "</article>\n"
        f"{related}"
        f"<section>\n<h2>Follow</h2>\n<ul>\n{feed_items}</ul>\n</section>\n"
        "</main>\n"
    )
    return _page(article.title, body, head_extra=head_extra, lang=article.language or config.language)
