"""Feeds as bytes: RSS 2.0, Atom 1.0 and JSON Feed 1.1 from one entry model.

Every article is first turned into a format-neutral :class:`_Entry` (clean
text, absolute URLs, sanitised HTML); each format then only maps that model to
its own vocabulary. RSS and Atom are built with feedgen, JSON Feed with
:func:`json.dumps`.

A document is assembled from bytes: a *frame* (the feed-level metadata, built
per call) and one cached fragment per entry, so an article shared by many
feeds is rendered once per format and the byte budget is simple arithmetic.
Output is deterministic: no clock is read, dates come from the articles.

Validity is checked against the W3C Feed Validation Service rules; the
non-obvious choices that keep it free of warnings are noted where they are made.
"""

from __future__ import annotations

import hashlib
import html
import html.entities
import json
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache, partial
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import feedgen.entry
import feedgen.feed
from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.ext.dc import DcEntryExtension
from feedgen.ext.media import MediaEntryExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from .catalog import Catalog, Feed
from .config import Config
from .model import Article, ArticleStub, Image, Provider, RelatedArticle
from .text import slugify, squash_spaces, truncate_words, xml_safe

__all__ = ["FORMATS", "MEDIA_TYPES", "render_feed", "canonical_url", "clear_cache"]

MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
FORMATS = tuple(MEDIA_TYPES)

GENERATOR = "feedsmith"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# Stands in for "updated" when a feed has no entries. Not the Unix epoch: the
# validator calls dates before 1990 implausible.
EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
SUMMARY_CHARS = 300
# No single entry may take more than this share of a feed's byte budget in
# full; past it the entry is rendered with its summary only, so one very long
# article cannot push every other entry out of the document.
HUGE_ENTRY_SHARE = 4
# Rendered entries are kept up to this many bytes in total (see _EntryCache);
# models (sanitised HTML) only briefly, while one feed is written in each format.
# A build renders archives month by month across feeds, so what is reused is one
# month's entries: a few MB even at 100,000 articles. Each render worker has its own
# caches; these sizes keep a 100k build with archives near 1 GB (measured in
# benchmarks/README.md) without making it slower.
ENTRY_CACHE_BYTES = 32 * 1024 * 1024
MODEL_CACHE_SIZE = 1024
# Articles whose hash (part of every cache key) is remembered, by identity: these are
# kept alive (with their bodies) while remembered, so no more than the models.
ARTICLE_HASHES = MODEL_CACHE_SIZE

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
MEDIA_NS = "http://search.yahoo.com/mrss/"
FH_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005 feed history
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Prefixes declared once on the root element; entry fragments are serialised
# under a wrapper with the same map so they carry no declarations of their own.
_NSMAPS: dict[str, dict[str, str]] = {
    "rss": {"atom": ATOM_NS, "content": CONTENT_NS, "dc": DC_NS, "media": MEDIA_NS},
    "atom": {"media": MEDIA_NS},
}
# RFC 5005 paging relations point at documents of the same format.
_FEED_RELS = {"self", "current", "first", "last", "next", "previous", "prev-archive", "next-archive"}


# --------------------------------------------------------------------------- text


# C1 controls and U+FFFD are what mis-decoded text leaves behind; XML allows
# them but the validator (BadCharacters) and HTML parsers flag them, and so do
# non-characters. xml_safe removes what XML itself forbids. The astral plane is
# matched whole and sorted out by _unwanted: a class naming the 32 astral
# non-characters one by one took 150 us to scan 4,600 characters, this one 22.
_UNWANTED = re.compile("[\x80-\x9f\ufffd\ufdd0-\ufdef\U00010000-\U0010ffff]")


def _unwanted(match: re.Match[str]) -> str:
    """Drop what _UNWANTED matched, but for astral characters other than U+nFFFE and U+nFFFF."""
    char = match.group()
    return char if char > "\uffff" and (ord(char) & 0xFFFE) != 0xFFFE else ""


def _text(value: str | None) -> str:
    """Text any of the three formats can carry: XML-legal, no mojibake markers."""
    if not value:
        return ""
    value = xml_safe(str(value))
    # ASCII text cannot hold what _UNWANTED removes.
    return value if value.isascii() else _UNWANTED.sub(_unwanted, value)


def _line(value: str | None) -> str:
    """Single-line text for titles, names and tags."""
    return squash_spaces(_text(value))


_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def _language(value: str | None) -> str | None:
    """A BCP 47 looking tag (``en``, ``pt-BR``), else None; ``en_US`` is repaired."""
    tag = _line(value).replace("_", "-")
    return tag if _LANGUAGE.match(tag) else None


# ---------------------------------------------------------------------------- URLs

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_PATH_SAFE = "/!$&'()*+,;=:@%"
_QUERY_SAFE = _PATH_SAFE + "?"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _normalise_escapes(part: str, safe: str) -> str:
    """RFC 3986 6.2.2: escape what must be, unescape unreserved, upper-case hex."""
    def unescape(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    part = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", part)
    return _ESCAPE.sub(unescape, quote(part, safe=safe))


def _remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    out: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    trailing = path.endswith(("/.", "/.."))
    return "/" + "/".join(out) + ("/" if trailing and out else "")


def _host(netloc: str, scheme: str) -> str | None:
    userinfo, _, hostport = netloc.rpartition("@")
    host, _, port = hostport.rpartition(":") if hostport.count(":") == 1 else (hostport, "", "")
    host = host.lower().rstrip(".")
    if not host or port and not port.isdigit():
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if port and int(port) != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{int(port)}"
    return f"{userinfo}@{host}" if userinfo else host


# http(s), lower-case host without port, path, no percent-escapes or odd characters.
_NORMAL_URL = re.compile(r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)*/[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*"
                         r"(?:#[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*)?")
# The same with a port (as a local base_url has), but without query or fragment,
# which the full normalisation would drop when empty.
_NORMAL_PORT_URL = re.compile(r"(https?)://[a-z0-9-]+(?:\.[a-z0-9-]+)*:([1-9][0-9]{0,4})/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*")


def _in_normal_form(raw: str) -> bool:
    """Whether :func:`_url` would return ``raw`` unchanged, by a cheap sufficient test."""
    if "/." in raw:
        return False
    if _NORMAL_URL.fullmatch(raw):
        return True
    with_port = _NORMAL_PORT_URL.fullmatch(raw)
    return with_port is not None and int(with_port.group(2)) != _DEFAULT_PORTS[with_port.group(1)]


_join = lru_cache(maxsize=4096)(urljoin)  # articles repeat their relative links
# Normalised URLs and entry ids remembered per process. Documents are rendered month by
# month, so an article's URLs come back within a few thousand others; at 65,536 each
# of these caches held ~25 MB in every render worker of a 100k build.
URL_CACHE_SIZE = 16_384


@lru_cache(maxsize=URL_CACHE_SIZE)
def _url(value: str | None, base: str | None = None, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """An absolute URL in RFC 3986 normal form, or None when there is none.

    Normal form matters: Atom ids are compared character by character and the
    validator warns about ids that are not canonical; RSS validators reject
    any character outside RFC 2396, so everything else is percent-encoded.
    Cached: every document normalises the same feed, archive and home URLs,
    and articles repeat their links across formats.
    """
    if not value:
        return None
    raw = value.strip()
    if _in_normal_form(raw):
        return raw  # the common case, and cheap
    raw = _text(raw).strip()
    if not raw:
        return None
    try:
        if base:
            raw = _join(base, raw)
            if _in_normal_form(raw):
                return raw
        parts = urlsplit(unicodedata.normalize("NFC", raw))
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return None
    if scheme == "mailto":
        return "mailto:" + _normalise_escapes(parts.path, _PATH_SAFE)
    host = _host(parts.netloc, scheme)
    if not host:
        return None
    path = _remove_dot_segments(_normalise_escapes(parts.path, _PATH_SAFE)) or "/"
    query = _normalise_escapes(parts.query, _QUERY_SAFE)
    fragment = _normalise_escapes(parts.fragment, _QUERY_SAFE)
    return urlunsplit((scheme, host, path, query, fragment))


# A URI with nothing to escape (RFC 3986 characters only), e.g. tag: and urn: ids.
_PLAIN_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]+")


@lru_cache(maxsize=URL_CACHE_SIZE)
def _entry_id(article_id: str) -> str:
    """The article id as a URI: URLs normalised, ``tag:``/``urn:`` kept, anything else hashed."""
    cleaned = _text(article_id).strip()
    if cleaned.lower().startswith(("http:", "https:")):
        normalised = _url(cleaned)
        if normalised:
            return normalised
    elif _PLAIN_URI.fullmatch(cleaned):
        return cleaned
    digest = hashlib.sha256(cleaned.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"tag:feedsmith,2024:id/{digest}"


def _provider_home(provider: Provider | None) -> str | None:
    if provider is None or not provider.domain:
        return None
    domain = provider.domain.strip()
    return _url(domain if "://" in domain else f"https://{domain}/")


# --------------------------------------------------------------------------- dates

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _rfc822(moment: datetime) -> str:
    """RFC 822 date with English names, without touching the process locale."""
    moment = _utc(moment)
    return (f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
            f"{moment.year:04d} {moment:%H:%M:%S} +0000")


def _rfc3339(moment: datetime) -> str:
    return _utc(moment).isoformat()


# feedgen formats every RSS date by switching the process-wide locale to C and
# back around strftime: slow, and unsafe while other threads format dates. The
# replacement gives the same text. render is the only module that uses feedgen.
feedgen.entry.formatRFC2822 = _rfc822
feedgen.feed.formatRFC2822 = _rfc822


def _distinct_instant(moment: datetime, key: str) -> datetime:
    """``moment`` plus a stable sub-second offset derived from ``key``.

    Atom validators warn when two entries share an ``updated`` value, which
    happens all the time with minute-precision sources and files copied
    together. Timestamps without sub-second precision get microseconds from a
    hash of the entry id: never more than a second off, identical on every
    render, and independent of which other entries share the document.
    """
    if moment.microsecond:
        return moment
    digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).digest()
    return moment + timedelta(microseconds=int.from_bytes(digest[:4], "big") % 1_000_000)


# ---------------------------------------------------------------------------- HTML

_KEEP_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var",
})
# Dropped with everything inside; any other unknown tag is unwrapped (text kept).
_DROP_TAGS = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "noscript", "noembed", "noframes", "template", "head", "title", "meta", "link",
    "base", "form", "input", "button", "select", "option", "optgroup", "textarea",
    "svg", "math", "canvas", "audio", "video", "source", "track", "param", "col",
    "colgroup", "xmp", "plaintext", "dialog", "slot", "map", "area",
})
_VOID_TAGS = frozenset({"br", "hr", "img"})
_COMMON_ATTRS = frozenset({"title", "lang", "dir"})
_TAG_ATTRS = {
    "a": frozenset({"href"}), "img": frozenset({"src", "alt", "width", "height"}),
    "blockquote": frozenset({"cite"}), "q": frozenset({"cite"}), "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}), "time": frozenset({"datetime"}),
    "td": frozenset({"colspan", "rowspan"}), "th": frozenset({"colspan", "rowspan"}),
}
_URL_ATTRS = frozenset({"href", "src", "cite"})
_WEB_SCHEMES = ("http", "https")
_LINK_SCHEMES = ("http", "https", "mailto")
# Start tags that close an open <p> in an HTML5 parser; a <p> containing any
# of them would be re-parsed differently (and reported as invalid HTML).
_P_CLOSERS = frozenset({"blockquote", "div", "dl", "dd", "dt", "figcaption", "figure",
                        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre",
                        "table", "ul"})
# Every tag name HTML defines (kept or not): an end tag of one of these in
# plain text makes the text look like markup.
_HTML_TAG_NAMES = frozenset({
    "a", "abbr", "acronym", "address", "applet", "area", "article", "aside", "audio", "b",
    "base", "basefont", "bdi", "bdo", "big", "blockquote", "body", "br", "button", "canvas",
    "caption", "center", "cite", "code", "col", "colgroup", "data", "datalist", "dd", "del",
    "details", "dfn", "dialog", "dir", "div", "dl", "dt", "em", "embed", "fieldset",
    "figcaption", "figure", "font", "footer", "form", "frame", "frameset", "h1", "h2", "h3",
    "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "i", "iframe", "img", "input",
    "ins", "kbd", "label", "legend", "li", "link", "main", "map", "mark", "menu", "meta",
    "meter", "nav", "noframes", "noscript", "object", "ol", "optgroup", "option", "output",
    "p", "param", "picture", "pre", "progress", "q", "rp", "rt", "ruby", "s", "samp",
    "script", "section", "select", "slot", "small", "source", "span", "strike", "strong",
    "style", "sub", "summary", "sup", "table", "tbody", "td", "template", "textarea",
    "tfoot", "th", "thead", "time", "title", "tr", "track", "tt", "u", "ul", "var", "video",
    "wbr", "xmp", "plaintext", "listing", "comment",
})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TABLE_CHILDREN = {
    "table": frozenset({"caption", "thead", "tbody", "tfoot", "tr"}),
    "thead": frozenset({"tr"}), "tbody": frozenset({"tr"}), "tfoot": frozenset({"tr"}),
    "tr": frozenset({"td", "th"}),
}
_TABLE_PARENTS = {
    "caption": frozenset({"table"}), "thead": frozenset({"table"}),
    "tbody": frozenset({"table"}), "tfoot": frozenset({"table"}),
    "tr": frozenset({"table", "thead", "tbody", "tfoot"}),
    "td": frozenset({"tr"}), "th": frozenset({"tr"}),
}


def _blank(text: str | None) -> bool:
    return not text or text.isspace()


_PARSERS = threading.local()


def _parse_fragment(markup: str) -> etree._Element:
    """An HTML fragment under one container element (a ``<body>`` renamed ``div``)."""
    parser = getattr(_PARSERS, "html", None)
    if parser is None:  # lxml parsers must not be shared between threads
        parser = _PARSERS.html = etree.HTMLParser(
            remove_comments=True, remove_pis=True, no_network=True, default_doctype=False)
    document = etree.fromstring(f"<html><body>{markup}</body></html>", parser)
    body = document.find("body") if document is not None else None
    container = etree.Element("div")
    if body is not None:
        container.text = body.text
        container.extend(list(body))
    return container


def _add_text_before(element: etree._Element, text: str | None) -> None:
    """Put text where ``element`` starts, i.e. after its previous sibling or into its parent."""
    if not text:
        return
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent = element.getparent()
        parent.text = (parent.text or "") + text


def _remove(element: etree._Element) -> None:
    """Remove an element and everything in it, keeping the text that follows it."""
    _add_text_before(element, element.tail)
    element.getparent().remove(element)


def _unwrap(element: etree._Element) -> None:
    """Replace an element by its content."""
    parent = element.getparent()
    _add_text_before(element, element.text)
    children = list(element)
    at = parent.index(element)
    for offset, child in enumerate(children):
        parent.insert(at + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + (element.tail or "")
    else:
        _add_text_before(element, element.tail)
    parent.remove(element)


def _clean_attributes(element: etree._Element, base: str | None) -> None:
    allowed = _TAG_ATTRS.get(element.tag, frozenset())
    kept = []
    for name, value in element.items():
        name = name.lower()
        if name not in allowed and name not in _COMMON_ATTRS:
            continue
        if name in _URL_ATTRS:
            value = _url(value, base, _LINK_SCHEMES if name == "href" else _WEB_SCHEMES)
        if value:
            kept.append((name, value if name in _URL_ATTRS else _text(value)))
    element.attrib.clear()
    for name, value in kept:
        element.set(name, value)


def _clean_tree(root: etree._Element, base: str | None) -> None:
    """Whitelist elements and attributes; make every URL absolute or drop it.

    Elements are visited in reverse document order, so each is handled after
    everything inside it and removing or unwrapping it never skips a node.
    """
    for element in reversed(list(root.iterdescendants())):
        tag = element.tag
        if not isinstance(tag, str) or tag in _DROP_TAGS:
            _remove(element)
        elif tag not in _KEEP_TAGS:
            _unwrap(element)
        else:
            if element.attrib:
                _clean_attributes(element, base)
            if tag == "img" and element.get("src") is None:
                _remove(element)


def _table_ok(table: etree._Element) -> bool:
    stack = [table]
    while stack:
        node = stack.pop()
        allowed = _TABLE_CHILDREN[node.tag]
        if not _blank(node.text):
            return False
        for child in node:
            if child.tag not in allowed or not _blank(child.tail):
                return False
            if child.tag in _TABLE_CHILDREN:
                stack.append(child)
    return True


def _flatten_table(table: etree._Element) -> None:
    """A table an HTML5 parser would rearrange becomes plain blocks."""
    stack = [table]
    while stack:
        node = stack.pop()
        stack.extend(child for child in node if child.tag in _TABLE_PARENTS)
        node.tag = "div"


def _inside(element: etree._Element, tags: frozenset[str], stop: frozenset[str] = frozenset()) -> bool:
    """Whether an ancestor is one of ``tags`` before any of ``stop`` is reached."""
    for ancestor in element.iterancestors():
        if ancestor.tag in tags:
            return True
        if ancestor.tag in stop:
            return False
    return False


_A = frozenset({"a"})
_LI = frozenset({"li"})
_LISTS = frozenset({"ul", "ol"})
_DEFINITIONS = frozenset({"dd", "dt"})
_DL = frozenset({"dl"})


def _fix_structure(root: etree._Element) -> None:
    """Make the tree one that an HTML5 parser reads back without parse errors."""
    for table in reversed(list(root.iter("table"))):  # innermost first
        if not _table_ok(table):
            _flatten_table(table)
    for part in list(root.iter(*_TABLE_PARENTS)):  # document order: rows before their cells
        if part.getparent().tag not in _TABLE_PARENTS[part.tag]:
            _unwrap(part)
    unwrap = []
    for element in root.iterdescendants():
        tag = element.tag
        if tag == "a":
            if _inside(element, _A):
                unwrap.append(element)
        elif tag in _HEADINGS:
            if element.getparent().tag in _HEADINGS:
                unwrap.append(element)
        elif tag == "li":
            if _inside(element, _LI, _LISTS):
                element.tag = "div"
        elif tag in _DEFINITIONS:
            if _inside(element, _DEFINITIONS, _DL):
                element.tag = "div"
        elif tag == "p" and any(d.tag in _P_CLOSERS for d in element.iterdescendants()):
            element.tag = "div"
    for element in unwrap:
        _unwrap(element)


def _sanitize_html(markup: str, base: str | None) -> str:
    """Safe, self-contained HTML: no scripts or styles, absolute URLs, parser-stable."""
    markup = _text(markup)
    if not markup.strip():
        return ""
    try:
        root = _parse_fragment(markup)
        _clean_tree(root, base)
        _fix_structure(root)
    except (etree.ParserError, ValueError, RecursionError):
        return _text_to_html(_html_to_text(markup))
    return _serialise(root)


def _serialise(root: etree._Element) -> str:
    """The container's content as HTML with every end tag written out.

    libxml2's HTML serialiser leaves out end tags HTML calls optional, which an
    HTML5 parser may then close elsewhere. XML serialisation of a tree whose
    empty non-void elements hold an empty string writes ``<p></p>``, and void
    elements as ``<br/>``, both of which HTML5 reads back unchanged.
    """
    for element in root.iter():
        if element.tag in _VOID_TAGS:
            if element.text or len(element):  # a void element holds nothing
                _unwrap_content(element)
        elif element.text is None and not len(element):
            element.text = ""
    serialised = etree.tostring(root, method="xml", encoding="unicode")
    return serialised[len("<div>"):-len("</div>")].strip()


def _unwrap_content(element: etree._Element) -> None:
    """Move a (void) element's content out to just after it."""
    parent = element.getparent()
    at = parent.index(element) + 1
    children = list(element)
    text, element.text = element.text or "", None
    if children:
        children[-1].tail = (children[-1].tail or "") + (element.tail or "")
        element.tail = text
    else:
        element.tail = text + (element.tail or "")
    for offset, child in enumerate(children):
        parent.insert(at + offset, child)


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _text_to_html(text: str) -> str:
    paragraphs = (p.strip() for p in _PARAGRAPH_BREAK.split(_text(text)))
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs if p)


def _html_to_text(markup: str) -> str:
    try:
        return squash_spaces(" ".join(_parse_fragment(_text(markup)).itertext()))
    except (etree.ParserError, ValueError, RecursionError):
        return squash_spaces(re.sub(r"<[^>]*>", " ", _text(markup)))


def _related_html(related: Sequence[RelatedArticle], base: str | None) -> str:
    """The "Related" list: linked titles with their publications."""
    items = []
    for item in related:
        title = html.escape(_line(item.title))
        if not title:
            continue
        link = _url(item.link, base)
        text = f'<a href="{html.escape(link)}">{title}</a>' if link else title
        provider = _line(item.provider.name) if item.provider else ""
        if provider:
            text += f" ({html.escape(provider)})"
        items.append(f"<li>{text}</li>")
    return f"<h3>Related</h3><ul>{''.join(items)}</ul>" if items else ""


# --------------------------------------------------------------------- entry model

_IMAGE_TYPES = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg", "png": "image/png",
    "gif": "image/gif", "webp": "image/webp", "avif": "image/avif", "svg": "image/svg+xml",
    "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff", "ico": "image/x-icon",
}
_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")


@dataclass(frozen=True, slots=True)
class _Image:
    url: str
    type: str
    length: int
    width: int | None
    height: int | None


@dataclass(frozen=True, slots=True)
class _Source:
    name: str
    home: str | None  # https://domain/ when the domain is known


@dataclass(frozen=True, slots=True)
class _Entry:
    """One article as every format sees it: clean, absolute, sanitised."""

    id: str
    url: str
    title: str
    published: datetime
    updated: datetime
    summary: str  # plain text, never empty
    content_html: str | None  # None in summary mode or when there is nothing to show
    content_xml: bytes | None  # content_html escaped as XML element text (see _with_content)
    author: str | None
    tags: tuple[str, ...]
    source: _Source | None
    image: _Image | None
    language: str | None
    own_page: bool  # the url is feedsmith's page, not the source's

    @property
    def permalink(self) -> bool:
        return self.id == self.url


def _image(image: Image | None, base: str | None) -> _Image | None:
    if image is None:
        return None
    url = _url(image.url, base)
    if url is None:
        return None
    mime = (image.mime_type or "").strip().lower()
    if not _MIME.match(mime):
        extension = urlsplit(url).path.rpartition(".")[2].lower()
        mime = _IMAGE_TYPES.get(extension, "image/jpeg")

    def positive(value: int | None) -> int | None:
        return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None

    # Unknown size is length="0", which RSS validators accept as "unknown".
    return _Image(url, mime, positive(image.length) or 0, positive(image.width), positive(image.height))


def _tags(article: Article) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for tag in (*article.topics, article.category):
        cleaned = _line(tag)
        if cleaned:
            seen.setdefault(cleaned.casefold(), cleaned)
    return tuple(seen.values())


def _summary(article: Article) -> str:
    summary = _text(article.summary).strip()
    if summary:
        return summary
    body = _text(article.content_text).strip() or (_html_to_text(article.content) if article.content else "")
    if body:
        return truncate_words(body, SUMMARY_CHARS)
    return _line(article.title) or "Untitled"


def _content_html(article: Article) -> str:
    base = article.link
    if article.content:
        body = _sanitize_html(article.content, base)
    else:
        body = _text_to_html(article.content_text or "")
    return body + _related_html(article.related, base)


@lru_cache(maxsize=MODEL_CACHE_SIZE)
def _entry(candidate: _Candidate) -> _Entry:
    """The format-neutral entry; cached because sanitising HTML is the costly part."""
    article, url = candidate.article, candidate.url
    content = _content_html(article) if candidate.full else None
    provider = article.provider
    source = _Source(_line(provider.name) or provider.key, _provider_home(provider)) if provider else None
    entry_url = _url(url) or url
    return _Entry(
        id=_entry_id(article.id),
        url=entry_url,
        title=_line(article.title) or truncate_words(_summary(article), 110),
        published=_utc(article.date),
        updated=_utc(article.modified),
        summary=_summary(article),
        content_html=content or None,
        content_xml=_xml_text(content) if content else None,
        author=_line(article.author) or None,
        tags=_tags(article),
        source=source if source and source.name else None,
        image=_image(article.lead_image, article.link),
        language=_language(article.language),
        own_page=article.link is None,
    )


# ---------------------------------------------------------------------- feed model


@dataclass(frozen=True, slots=True)
class _Head:
    """Feed-level metadata, independent of which entries end up in the document."""

    fmt: str
    id: str
    title: str
    description: str
    self_url: str
    home_url: str
    language: str | None
    author: str
    links: tuple[tuple[str, str], ...]  # extra rel -> URL, including the WebSub hub
    archive: bool = False  # an RFC 5005 archive document (fh:archive)


def _head(feed: Feed, fmt: str, config: Config, self_path: str | None,
          links: Mapping[str, str] | None, archive: bool = False) -> _Head:
    self_url = _url(config.url(self_path or f"{feed.path}.{fmt}")) or config.url(f"{feed.path}.{fmt}")
    extra = [(rel, u) for rel, u in (links or {}).items() if rel not in ("self", "alternate")]
    # The hub is pinged for the feeds' own documents only: archives never change and
    # filtered views (another self_path) are never announced, so neither advertises it.
    if config.websub_hub and self_path is None and not archive:
        extra.append(("hub", config.websub_hub))
    normalised: list[tuple[str, str]] = []
    for rel, raw in extra:
        href = _url(raw)
        if href and _line(rel):
            normalised.append((_line(rel), href))
    current = dict(normalised).get("current")
    return _Head(
        fmt=fmt,
        # Archive documents of one logical feed share its id (RFC 5005).
        id=current or self_url,
        title=_line(feed.title(config.title)) or GENERATOR,
        description=_line(feed.description(config.title)) or GENERATOR,
        self_url=self_url,
        home_url=_url(config.url("index.html")) or config.url("index.html"),
        language=_language(config.language),
        author=_line(config.author) or GENERATOR,
        links=tuple(normalised),
        archive=archive,
    )


def canonical_url(url: str) -> str:
    """A URL as the feeds write it (normalised), e.g. for HTTP headers that must match them."""
    return _url(url) or url


# ----------------------------------------------------------------------- XML bytes


class _FeedExtras(BaseExtension):
    """Declares every namespace on the root and adds the links feedgen leaves out of RSS."""

    def __init__(self, head: _Head) -> None:
        self.head = head

    def extend_ns(self) -> dict[str, str]:
        return {**_NSMAPS[self.head.fmt], "fh": FH_NS} if self.head.archive else _NSMAPS[self.head.fmt]

    def extend_atom(self, feed: etree._Element) -> etree._Element:
        _declare_text(feed.find("title"))
        _declare_text(feed.find("subtitle"))
        if self.head.archive:
            etree.SubElement(feed, f"{{{FH_NS}}}archive")
        return feed

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        # feedgen writes only rel="self" as atom:link in RSS; hub and paging links go here.
        channel = feed.find("channel")
        for rel, href in self.head.links:
            link = etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=href, rel=rel)
            if rel in _FEED_RELS:
                link.set("type", MEDIA_TYPES["rss"])
        if self.head.archive:
            etree.SubElement(channel, f"{{{FH_NS}}}archive")
        return feed


class _AtomEntryExtras(BaseEntryExtension):
    """Finishes an Atom entry where feedgen 1.0 falls short.

    feedgen drops rel/type/length from entry links and writes ``<source>``
    without the id and updated an Atom source needs, so links and source are
    written here, along with the entry's language and text types.
    """

    def __init__(self, entry: _Entry, updated: datetime) -> None:
        self.entry = entry
        self.updated = updated

    def extend_atom(self, element: etree._Element) -> etree._Element:
        e = self.entry
        for link in element.findall("link"):
            element.remove(link)
        _sub(element, "link", rel="alternate", type="text/html", href=e.url)
        if e.image:
            _sub(element, "link", rel="enclosure", type=e.image.type,
                 length=str(e.image.length), href=e.image.url)
        if e.source:
            source = _sub(element, "source")
            _sub(source, "id").text = e.source.home or _provider_tag(e.source.name)
            _declare_text(_text_element(source, "title", e.source.name))
            if e.source.home:
                _sub(source, "link", rel="alternate", type="text/html", href=e.source.home)
            _sub(source, "updated").text = _rfc3339(self.updated)
        if e.language:
            element.set(XML_LANG, e.language)
        _declare_text(element.find("title"))
        _declare_text(element.find("summary"))
        return element


_END_TAG = re.compile(r"</(\w+)>")
_REFERENCE = re.compile(r"&(#?\w+)")


def _looks_like_markup(text: str) -> bool:
    """Whether plain text would pass for HTML: an end tag or a character reference.

    Mirrors the validators' heuristic (and readers that sniff). Such text goes
    into Atom as ``type="html"``, escaped: the same text, unambiguously.
    """
    if any(tag.lower() in _HTML_TAG_NAMES for tag in _END_TAG.findall(text)):
        return True
    return any(name in html.entities.name2codepoint or name == "apos" or not name.isalpha()
               for name in _REFERENCE.findall(text))


def _declare_text(element: etree._Element | None) -> None:
    if element is not None and element.text and _looks_like_markup(element.text):
        element.text = html.escape(element.text, quote=False)
        element.set("type", "html")


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v})


def _text_element(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = _sub(parent, tag)
    element.text = text
    return element


def _provider_tag(name: str) -> str:
    """A stable id for a publication known only by name."""
    return f"tag:feedsmith,2024:provider/{slugify(name, 'provider')}"


def _fragment(element: etree._Element, fmt: str) -> bytes:
    """An element's bytes without namespace declarations (the root declares them)."""
    wrapper = etree.Element("w", nsmap=_NSMAPS[fmt])
    wrapper.append(element)
    data = etree.tostring(wrapper, encoding="utf-8", xml_declaration=False)
    return data[data.index(b">") + 1:data.rindex(b"</w>")]


def _plain_elements(*tags: str) -> re.Pattern[bytes]:
    return re.compile(rb"(<(" + "|".join(tags).encode() + rb")\b[^>]*>)([^<]*)(</\2>)")


# The RSS Best Practices Profile asks for "&" and "<" in plain-text elements
# as hexadecimal references; the validator otherwise suspects escaped HTML
# (in Atom too, for the person names that have no type attribute).
_ITEM_PLAIN = _plain_elements("title", "category", "source", "dc:creator")
_CHANNEL_PLAIN = _plain_elements("title", "description")
_ATOM_NAMES = _plain_elements("name")


def _plain_text(data: bytes, elements: re.Pattern[bytes]) -> bytes:
    def encode(match: re.Match[bytes]) -> bytes:
        text = match.group(3).replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
        return match.group(1) + text + match.group(4)

    return elements.sub(encode, data)


def _has_markup_chars(*texts: str | None) -> bool:
    return any(t and ("&" in t or "<" in t) for t in texts)


# Stands in for the content while feedgen builds an entry (see _with_content). A
# noncharacter, which _text removes from article text, so it occurs nowhere else.
_CONTENT_MARK = "\ufdd0content\ufdd0"
_CONTENT_MARK_BYTES = _CONTENT_MARK.encode()


def _xml_text(text: str) -> bytes:
    """``text`` as libxml2 serialises element text in UTF-8 (tests compare the two)."""
    return (text.encode("utf-8").replace(b"&", b"&amp;").replace(b"<", b"&lt;")
            .replace(b">", b"&gt;").replace(b"\r", b"&#13;"))


def _with_content(data: bytes, e: _Entry) -> bytes:
    """The entry's bytes with the content mark replaced by the escaped content.

    Serialising the content is most of an entry's cost and the same in RSS
    and Atom, so it is escaped once per article (:attr:`_Entry.content_xml`)
    and spliced in. The mark's first occurrence is the content: every element
    before it holds cleaned text or a URL.
    """
    if e.content_xml is None:
        return data
    before, mark, after = data.partition(_CONTENT_MARK_BYTES)
    if not mark:
        raise AssertionError("content mark missing from a rendered entry")
    return before + e.content_xml + after


def _feedgen_entry(e: _Entry) -> FeedEntry:
    """The fields RSS and Atom share."""
    fe = FeedEntry()
    fe.title(e.title)
    fe.guid(e.id, permalink=e.permalink)
    fe.link(href=e.url)
    fe.published(e.published)
    for tag in e.tags:
        fe.category(term=tag)
    return fe


def _media(fe: FeedEntry, image: _Image) -> None:
    size = {k: str(v) for k, v in (("width", image.width), ("height", image.height)) if v}
    fe.register_extension("media", MediaEntryExtension, atom=True, rss=True)
    fe.media.content(url=image.url, type=image.type, medium="image", group=None, **size)
    fe.media.thumbnail(url=image.url, group=None, **size)


def _rss_item(e: _Entry) -> bytes:
    fe = _feedgen_entry(e)
    # RSS descriptions are HTML; the summary is plain text, so it is escaped.
    fe.description(html.escape(e.summary, quote=False))
    if e.content_html:
        fe.content(_CONTENT_MARK)  # content:encoded, since a description is set
    if e.image:
        fe.enclosure(e.image.url, str(e.image.length), e.image.type)
        _media(fe, e.image)
    if e.source and e.source.home:
        fe.source(url=e.source.home, title=e.source.name)
    if e.author:
        # RSS <author> must be an e-mail address; dc:creator takes a name.
        fe.register_extension("dc", DcEntryExtension, atom=False, rss=True)
        fe.dc.dc_creator(e.author)
    data = _fragment(fe.rss_entry(), "rss")
    source = e.source.name if e.source else None
    if _has_markup_chars(e.title, e.author, source, *e.tags):
        data = _plain_text(data, _ITEM_PLAIN)
    return _with_content(data, e)


def _atom_entry(e: _Entry) -> bytes:
    fe = _feedgen_entry(e)
    updated = _distinct_instant(e.updated, e.id)
    fe.updated(updated)
    fe.summary(e.summary)
    if e.content_html:
        fe.content(_CONTENT_MARK, type="html")
    if e.author:
        fe.author(name=e.author)
    if e.image:
        _media(fe, e.image)
    fe.register_extension("feedsmith", partial(_AtomEntryExtras, e, updated), atom=True, rss=False)
    data = _fragment(fe.atom_entry(), "atom")
    return _with_content(_plain_text(data, _ATOM_NAMES) if _has_markup_chars(e.author) else data, e)


def _feed_generator(head: _Head, updated: datetime) -> FeedGenerator:
    """The feed-level fields; RSS gets its extra links from :class:`_FeedExtras`."""
    fg = FeedGenerator()
    fg.register_extension("feedsmith", partial(_FeedExtras, head), None, atom=True, rss=True)
    fg.id(head.id)
    fg.title(head.title)
    fg.description(head.description)
    fg.author(name=head.author)
    fg.generator(GENERATOR)
    fg.updated(updated)
    if head.language:
        fg.language(head.language)
    fg.link(href=head.self_url, rel="self", type=MEDIA_TYPES[head.fmt])
    if head.fmt == "atom":
        for rel, href in head.links:
            fg.link(href=href, rel=rel, **({"type": MEDIA_TYPES["atom"]} if rel in _FEED_RELS else {}))
    # feedgen makes the last link added the RSS channel <link>: the home page.
    fg.link(href=head.home_url, rel="alternate", type="text/html")
    return fg


def _rss_frame(head: _Head, updated: datetime) -> tuple[bytes, bytes]:
    fg = _feed_generator(head, updated)
    fg.pubDate(updated)
    return _split(_styled(head, _plain_text(fg.rss_str(pretty=False), _CHANNEL_PLAIN)), b"</channel>")


def _atom_frame(head: _Head, updated: datetime) -> tuple[bytes, bytes]:
    return _split(_styled(head, _plain_text(_feed_generator(head, updated).atom_str(pretty=False), _ATOM_NAMES)),
                  b"</feed>")


# What a browser that opens an RSS or Atom document uses to show it (see static/feed.xsl).
STYLESHEET_PATH = "feed.xsl"
_XML_DECLARATION = re.compile(rb"^<\?xml [^>]*\?>\n?")


def _styled(head: _Head, document: bytes) -> bytes:
    """The document with ``<?xml-stylesheet?>`` right after its XML declaration.

    The one place RSS and Atom get it. The stylesheet sits at the root of the
    tree next to the home page, so its absolute URL is the home page's sibling.
    Feed readers and validators ignore the instruction.
    """
    instruction = _stylesheet_instruction(head.home_url)
    declaration = _XML_DECLARATION.match(document)
    at = declaration.end() if declaration else 0
    if declaration and not declaration.group().endswith(b"\n"):
        instruction = b"\n" + instruction
    return document[:at] + instruction + document[at:]


@lru_cache(maxsize=16)
def _stylesheet_instruction(home_url: str) -> bytes:
    """The ``<?xml-stylesheet?>`` line for a tree whose home page is ``home_url``."""
    href = _url(urljoin(home_url, STYLESHEET_PATH)) or STYLESHEET_PATH
    href = href.replace("&", "&amp;").replace('"', "&quot;")
    return f'<?xml-stylesheet type="text/xsl" href="{href}"?>\n'.encode()


def _split(document: bytes, closing: bytes) -> tuple[bytes, bytes]:
    at = document.rindex(closing)
    return document[:at], document[at:] + b"\n"


# ---------------------------------------------------------------------- JSON bytes


def _json_item(e: _Entry) -> bytes:
    item: dict[str, Any] = {"id": e.id, "url": e.url}
    if e.own_page and e.source and e.source.home:
        item["external_url"] = e.source.home
    item["title"] = e.title
    if e.content_html:
        item["content_html"] = e.content_html
    else:
        item["content_text"] = e.summary
    item["summary"] = e.summary
    if e.image:
        item["image"] = e.image.url
    item["date_published"] = _rfc3339(e.published)
    item["date_modified"] = _rfc3339(e.updated)
    if e.author:
        item["authors"] = [{"name": e.author}]
    if e.tags:
        item["tags"] = list(e.tags)
    if e.language:
        item["language"] = e.language
    if e.source:
        item["_feedsmith"] = {"provider": {"name": e.source.name, **({"url": e.source.home} if e.source.home else {})}}
    return _json_bytes(item)


def _json_frame(head: _Head, updated: datetime) -> tuple[bytes, bytes]:
    """The document around the items (JSON Feed has no feed-level date, so ``updated`` is unused)."""
    links = dict(head.links)
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": head.title,
        "home_page_url": head.home_url,
        "feed_url": head.self_url,
        "description": head.description,
        "authors": [{"name": head.author}],
    }
    if head.language:
        document["language"] = head.language
    older = links.get("prev-archive") or links.get("next")
    if older:
        document["next_url"] = older  # JSON Feed's next_url leads to older items
    if "hub" in links:
        document["hubs"] = [{"type": "WebSub", "url": links["hub"]}]
    if head.archive:
        # JSON Feed has no archive marker; this extension mirrors RFC 5005's fh:archive.
        history: dict[str, Any] = {"archive": True}
        if "current" in links:
            history["current_url"] = links["current"]
        if "next-archive" in links:
            history["newer_url"] = links["next-archive"]
        document["_feedsmith"] = history
    opening = _json_bytes(document)
    return opening[:-1] + b', "items": [', b"]}\n"


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


# ------------------------------------------------------------------------ writers


@dataclass(frozen=True, slots=True)
class _Writer:
    entry: Callable[[_Entry], bytes]
    frame: Callable[[_Head, datetime], tuple[bytes, bytes]]
    separator: bytes
    # When the document's "updated" is taken from an entry, the format's own
    # idea of that entry's update time (Atom's is made distinct per entry).
    updated: Callable[[_Entry], datetime]


_WRITERS = {
    "rss": _Writer(_rss_item, _rss_frame, b"\n", lambda e: e.updated),
    "atom": _Writer(_atom_entry, _atom_frame, b"\n", lambda e: _distinct_instant(e.updated, e.id)),
    "json": _Writer(_json_item, _json_frame, b",\n", lambda e: e.updated),
}


_Rendered = tuple[bytes, datetime]  # an entry's bytes and the instant it counts as updated
_Key = tuple[str, int, str, bool]  # article id, hash of the whole article, entry URL, full content


class _EntryCache:
    """Rendered entries, the formats of one article in one slot, least recently used out first.

    Bounded by the bytes it holds rather than by a count, since entries range
    from a few hundred bytes to megabytes. Keys carry a hash of every field of
    the article, so an edited article is a new key and is rendered anew; they
    do not hold the article itself, so articles of a replaced catalog are not
    kept alive. Thread-safe (the web app renders concurrently).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._slots: OrderedDict[_Key, dict[str, _Rendered]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: _Key, fmt: str) -> _Rendered | None:
        with self._lock:
            slot = self._slots.get(key)
            if slot is None:
                return None
            self._slots.move_to_end(key)
            return slot.get(fmt)

    def put(self, key: _Key, fmt: str, value: _Rendered) -> None:
        with self._lock:
            slot = self._slots.setdefault(key, {})
            self._slots.move_to_end(key)
            if fmt not in slot:
                slot[fmt] = value
                self._size += len(value[0]) + _SLOT_OVERHEAD
            while self._size > self.max_bytes and len(self._slots) > 1:
                _, evicted = self._slots.popitem(last=False)
                self._size -= sum(len(body) + _SLOT_OVERHEAD for body, _ in evicted.values())

    def clear(self) -> None:
        with self._lock:
            self._slots.clear()
            self._size = 0


_SLOT_OVERHEAD = 256  # bytes of bookkeeping per cached entry, roughly
_CACHE = _EntryCache(ENTRY_CACHE_BYTES)


class _ArticleHashes:
    """``hash(article)`` of the article objects seen last, remembered by identity.

    A frozen article hashes every field (body, images and related articles
    included) on each call, and an article is looked up once per document and
    format that holds it. The objects are referenced while remembered, so an
    ``id()`` cannot be reused by another article in the meantime. Thread-safe.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._known: dict[int, tuple[Article, int]] = {}
        self._lock = threading.Lock()

    def __call__(self, article: Article) -> int:
        found = self._known.get(id(article))
        if found is not None and found[0] is article:
            return found[1]
        value = hash(article)
        with self._lock:
            self._known[id(article)] = (article, value)
            while len(self._known) > self.size:
                del self._known[next(iter(self._known))]  # the oldest
        return value

    def clear(self) -> None:
        with self._lock:
            self._known.clear()


_article_hash = _ArticleHashes(ARTICLE_HASHES)


# What a caller may know of its articles' content: a key that changes whenever the
# article's entry may (None: unknown), and a way to read stubs in full.
ContentKey = Callable[[Article], Any]
Hydrate = Callable[[Sequence[Article]], list[Article]]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """An article as a document would show it, compared and hashed by its cache key alone.

    The article may be a stub (no body) when its key came from the caller's
    content key: it is read in full only if its entry has to be rendered.
    """

    article: Article = field(compare=False)
    key: _Key
    hydrate: Hydrate | None = field(default=None, compare=False)

    @property
    def url(self) -> str:
        return self.key[2]

    @property
    def full(self) -> bool:
        return self.key[3]

    def summary_only(self) -> _Candidate:
        return _Candidate(self.article, (*self.key[:3], False), self.hydrate)

    def with_body(self) -> _Candidate:
        if not isinstance(self.article, ArticleStub):
            return self
        return _Candidate(_in_full(self.article, self.hydrate), self.key, self.hydrate)


def _in_full(article: Article, hydrate: Hydrate | None) -> Article:
    if not isinstance(article, ArticleStub):
        return article
    if hydrate is None:
        raise ValueError(f"article {article.id} is a stub and nothing was given to read it in full")
    return hydrate([article])[0]


def _candidate(article: Article, url: str, full: bool, content_key: ContentKey | None = None,
               hydrate: Hydrate | None = None) -> _Candidate:
    key = content_key(article) if content_key is not None else None
    if key is None:
        article = _in_full(article, hydrate)  # a stub's own hash would not cover its body
        key = _article_hash(article)
    return _Candidate(article, (article.id, key, url, full), hydrate)


def _entry_bytes(fmt: str, candidate: _Candidate) -> _Rendered:
    """One article's fragment in one format; the key covers everything it depends on."""
    cached = _CACHE.get(candidate.key, fmt)
    if cached is None:
        e = _entry(candidate.with_body())
        writer = _WRITERS[fmt]
        cached = writer.entry(e), writer.updated(e)
        _CACHE.put(candidate.key, fmt, cached)
    return cached


def _candidates(articles: Iterable[Article], catalog: Catalog, config: Config, full: bool,
                content_key: ContentKey | None = None, hydrate: Hydrate | None = None) -> list[_Candidate]:
    """The feed's entries in order, each id once (ids are compared as rendered)."""
    seen: set[str] = set()
    out = []
    for article in articles:
        url = catalog.entry_url(article, config)
        entry_id = _entry_id(article.id)
        if entry_id not in seen:
            seen.add(entry_id)
            out.append(_candidate(article, url, full, content_key, hydrate))
    return out


def _bodies_for_missing(fmt: str, candidates: list[_Candidate], hydrate: Hydrate | None) -> list[_Candidate]:
    """Stubs whose entries are not cached, read in full in one go rather than one by one."""
    missing = [c for c in candidates if isinstance(c.article, ArticleStub) and _CACHE.get(c.key, fmt) is None]
    if not missing or hydrate is None:
        return candidates
    read = {c.key: article for c, article in zip(missing, hydrate([c.article for c in missing]))}
    return [_Candidate(read[c.key], c.key, hydrate) if c.key in read else c for c in candidates]


# How a document meets its byte budget (see _select).
FIT_MODES = ("drop", "shrink", "keep")


def _select(fmt: str, candidates: list[_Candidate], room: int, fit: str = "drop") -> list[_Rendered]:
    """Entries in order while they fit in ``room`` bytes.

    An entry too large for its share of the budget falls back to its summary.
    Then, by ``fit``: ``drop`` - the first entry that does not fit ends the
    list (older ones are dropped); ``shrink`` - an entry that does not fit in
    full is tried with its summary only before the list ends; ``keep`` - like
    ``shrink``, but nothing is ever dropped, even past the budget (archives).
    """
    separator = len(_WRITERS[fmt].separator)
    share = room // HUGE_ENTRY_SHARE
    chosen: list[_Rendered] = []
    for candidate in candidates:
        rendered = _entry_bytes(fmt, candidate)
        if candidate.full and (len(rendered[0]) > share
                               or fit != "drop" and len(rendered[0]) + separator > room):
            rendered = _entry_bytes(fmt, candidate.summary_only())
        cost = len(rendered[0]) + separator
        if cost > room and fit != "keep":
            break
        chosen.append(rendered)
        room -= cost
    return chosen


def _assemble(fmt: str, head: _Head, candidates: list[_Candidate], budget: int, fit: str = "drop") -> bytes:
    """The document, newest entries first, within ``budget`` bytes when at all possible."""
    writer = _WRITERS[fmt]
    frames: dict[datetime, tuple[bytes, bytes]] = {}

    def frame(entries: list[_Rendered]) -> tuple[bytes, bytes]:
        newest = max((updated for _, updated in entries), default=EMPTY_FEED_DATE)
        if newest not in frames:
            frames[newest] = writer.frame(head, newest)
        return frames[newest]

    # Size the frame as if the newest candidate stays (it almost always does).
    first = [_entry_bytes(fmt, c) for c in candidates[:1]]
    prefix, suffix = frame(first)
    chosen = _select(fmt, candidates, budget - len(prefix) - len(suffix) - 2, fit)  # 2: the newlines
    while True:
        prefix, suffix = frame(chosen)
        document = prefix + b"\n" + writer.separator.join(body for body, _ in chosen) + b"\n" + suffix
        if len(document) <= budget or not chosen or fit == "keep":
            return document
        chosen.pop()  # a different newest date changed the frame's size


def render_feed(
    feed: Feed,
    fmt: str,
    catalog: Catalog,
    config: Config,
    *,
    limit: int | None = None,
    self_path: str | None = None,
    links: Mapping[str, str] | None = None,
    articles: Sequence[Article] | None = None,
    archive: bool = False,
    fit: str = "drop",
    content_key: ContentKey | None = None,
    hydrate: Hydrate | None = None,
) -> bytes:
    """One feed document as UTF-8 bytes.

    ``limit`` overrides ``config.item_limit``; ``self_path`` the document's own
    path (default ``{feed.path}.{fmt}``); ``links`` adds feed-level links by
    relation (``prev-archive``, ``next-archive``, ``current`` … as absolute
    URLs) for RFC 5005 paging. ``articles`` replaces the feed's own (before
    ``limit``); ``archive`` marks an RFC 5005 archive document (``fh:archive``
    in RSS and Atom, ``_feedsmith.archive`` in JSON Feed; no hub link); ``fit``
    is how the byte budget is met (:data:`FIT_MODES`, see :func:`_select`).
    ``content_key`` gives a key that changes whenever an article's entry may
    (the article's own hash otherwise); with it, articles may be stubs, which
    ``hydrate`` reads in full when an entry is not in the cache of rendered ones.
    The WebSub hub is advertised only on the feed's own document (no
    ``self_path``). Same input, same bytes.
    """
    if fmt not in _WRITERS:
        raise ValueError(f"unknown feed format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fit not in FIT_MODES:
        raise ValueError(f"unknown fit {fit!r}; use one of {', '.join(FIT_MODES)}")
    count = config.item_limit if limit is None else limit
    full = config.content_mode(fmt) == "full"
    head = _head(feed, fmt, config, self_path, links, archive)
    shown = feed.articles if articles is None else articles
    candidates = _candidates(shown[:max(count, 0)], catalog, config, full, content_key, hydrate)
    return _assemble(fmt, head, _bodies_for_missing(fmt, candidates, hydrate), config.feed_max_bytes, fit)


def clear_cache() -> None:
    """Forget rendered entries (tests, or after a reload when memory matters)."""
    _entry.cache_clear()
    _CACHE.clear()
    _article_hash.clear()

