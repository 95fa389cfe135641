"""Reader for saved HTML pages.

The page's own metadata (Open Graph, ``article:*`` meta tags, JSON-LD, the
``<title>``) is trusted first, because publishers fill it in for exactly this
purpose. The story body comes from ``<article>``/``<main>``/the densest block,
cleaned down to a small, safe tag set. Whatever the metadata lacks (author,
date, provider, title) is looked for in the body text by the plain-text
reader, so HTML pages follow the same byline and boilerplate rules as text
files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from ..errors import ParseError
from ..model import Image, Provider
from ..text import clean_inline, squash_spaces, truncate_words, xml_safe
from .plaintext import apply_body_signals
from .base import Extracted, ReadContext
from .dates import parse_date
from .patterns import lazy_compile

_SNIFF_CHARS = 4096
_LEADING_JUNK = lazy_compile(r"(?:\s|\ufeff|<!--.*?-->|<\?xml[^>]*\?>)*", re.S)
_DOCUMENT_START = lazy_compile(r"<!doctype\s+html|<html[\s>]", re.I)
_STRUCTURE_TAG = lazy_compile(r"<(?:head|body|article)[\s>]", re.I)

# huge_tree: without it libxml2 silently drops everything nested deeper than 255 levels.
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)

# Elements that never carry story text a reader should see.
_JUNK_TAGS = (
    "script", "style", "noscript", "template", "iframe", "form", "object", "embed",
    "svg", "canvas", "button", "select", "input", "textarea", "dialog", "link", "meta",
)
_CODE_TAGS = frozenset({"script", "style", "template"})
_SILENT_TAGS = frozenset({"link", "meta"})
_NOISE_TAGS = frozenset({"nav", "aside", "figcaption"})
_FRAME_TAGS = frozenset({"header", "footer"})
_NOISE_ROLES = frozenset({"navigation", "complementary", "contentinfo", "banner", "search"})
# Matched against each class/id token; "-"/"_" count as word boundaries so that
# "ad-slot" and "top_ads" match while "header" and "commentary" do not.
_NOISE_CLASS = lazy_compile(
    r"(?:^|[-_])(?:share|sharing|social|related|newsletter|promo|advert|cookie|subscri"
    r"|comment(?!ary)|breadcrumb|sponsor|paywall|popup|outbrain|taboola)"
    r"|(?:^|[-_])ads?(?:$|[-_])"
)

_KEEP_TAGS = frozenset({
    "p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote",
    "em", "strong", "b", "i", "a", "code", "pre", "br",
})
_RENAME = {"h1": "h2", "h5": "h4", "h6": "h4", "dir": "ul", "menu": "ul",
           "tt": "code", "kbd": "code", "samp": "code"}
_OUT_BLOCKS = frozenset({"p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "pre"})
_TEXT_BLOCKS = frozenset({"p", "h2", "h3", "h4", "li", "blockquote", "pre"})
_SOURCE_BLOCKS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre",
    "div", "section", "article", "main", "header", "footer", "figure", "table",
    "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "dl", "dt", "dd",
    "address", "details", "summary", "hgroup", "center", "fieldset", "dir", "menu",
})
# Parents inside which a <div> may become a paragraph (elsewhere it is only unwrapped).
_BLOCK_CONTEXT = (_SOURCE_BLOCKS - {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}) | {"body", "html"}
_MEDIA_TAGS = frozenset({"img", "picture", "source", "video", "audio", "track", "map",
                         "area", "hr", "wbr", "head", "title", "base"})

_ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
    "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "Report",
    "TechArticle", "LiveBlogPosting", "SocialMediaPosting",
})
_TITLE_SEPARATOR = lazy_compile(r"\s+[|\-–—·•:»/]\s+|(?<=\w):\s+")
_BY_PREFIX = lazy_compile(r"^\s*by\s+", re.I)
_LINK_SCHEMES = ("http", "https", "mailto")
_STORY_SHARE = 0.5


class _Reader:
    name = "html"

    def sniff(self, text: str) -> bool:
        """An HTML document, judged by its first tags (never by the file name)."""
        head = text[:_SNIFF_CHARS]
        match = _LEADING_JUNK.match(head)
        rest = head[match.end():] if match else head
        if _DOCUMENT_START.match(rest):
            return True
        return rest.startswith("<") and _STRUCTURE_TAG.search(rest[:2048]) is not None

    def read(self, text: str, ctx: ReadContext) -> Extracted:
        root = _parse_document(text, ctx)
        page = _Page.collect(root)
        draft = Extracted()
        _apply_metadata(draft, page, ctx)
        _read_story(draft, root, page, ctx)
        return draft


READER = _Reader()


def _read_story(draft: Extracted, root: lxml.html.HtmlElement, page: _Page, ctx: ReadContext) -> None:
    """Find the story block, let the plain-text rules fill the gaps, then clean it."""
    _remove_junk(root, draft)
    noise = _Noise(root)
    container, where = _choose_container(root, noise)
    _find_time_element(draft, container, ctx)
    _drop_noise(container, draft, noise)
    blocks = _signal_blocks(container, draft.title or page.h1)
    dropped = apply_body_signals(draft, [b.text for b in blocks], ctx, lambda _: "in the body text")
    _drop_frames(container, draft, noise)
    _drop_title_heading(container, draft.title)
    _drop_boilerplate_blocks(blocks, dropped, draft, _top(container))
    content, content_text = _render_body(container, draft.link or page.base_href)
    draft.found("content", content, f"html body ({where})")
    draft.found("content_text", content_text, f"html body ({where})")
    if not content_text and page.ld:
        _article_body_fallback(draft, page.ld)


def _parse_document(text: str, ctx: ReadContext) -> lxml.html.HtmlElement:
    """Parse any text as HTML; libxml2 recovers from broken markup.

    The text is handed over as UTF-8 bytes so that a stale ``<meta charset>`` or
    XML declaration in an already-decoded file cannot re-decode it wrongly.
    """
    data = xml_safe(text).encode("utf-8", errors="replace")
    try:
        return lxml.html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(ctx.path, f"html: cannot parse the page: {exc}") from exc


# --------------------------------------------------------------------------
# Metadata


@dataclass
class _JsonLd:
    """The first article object found in the page's JSON-LD, with an @id index."""

    node: dict[str, Any]
    kind: str
    ids: dict[str, dict[str, Any]]

    def label(self, key: str) -> str:
        return f"JSON-LD {self.kind}.{key}"

    def deref(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in self.ids:
            return self.ids[value["@id"]]
        return value


@dataclass
class _Page:
    """Everything the page says about itself, before the body is touched."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    meta_order: list[tuple[str, str]] = field(default_factory=list)
    title_tag: str | None = None
    h1: str | None = None
    lang: str | None = None
    canonical: str | None = None
    base_href: str | None = None
    ld: _JsonLd | None = None

    @classmethod
    def collect(cls, root: lxml.html.HtmlElement) -> _Page:
        page = cls()
        for el in root.iter("meta"):
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
            value = el.get("content")
            if key and value is not None and value.strip():
                page.meta.setdefault(key, []).append(value.strip())
                page.meta_order.append((key, value.strip()))
            http_equiv = (el.get("http-equiv") or "").strip().lower()
            if http_equiv == "content-language" and el.get("content"):
                page.meta.setdefault("content-language", []).append(el.get("content", "").strip())
        page.title_tag = clean_inline(_first_text(root, "title"))
        page.h1 = clean_inline(_first_text(root, "h1"))
        page.lang = clean_inline(root.get("lang") or root.get("xml:lang"))
        for el in root.iter("link"):
            rels = (el.get("rel") or "").lower().split()
            if "canonical" in rels and el.get("href"):
                page.canonical = page.canonical or el.get("href", "").strip()
        for el in root.iter("base"):
            page.base_href = page.base_href or (el.get("href") or "").strip() or None
        page.ld = _find_jsonld_article(root)
        return page

    def first(self, *keys: str) -> tuple[str, str] | None:
        """The first present meta value among ``keys`` (in the given priority)."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if clean_inline(value):
                    return key, value
        return None

    def value(self, key: str) -> str | None:
        hit = self.first(key)
        return hit[1] if hit else None

    def all(self, key: str) -> list[str]:
        return self.meta.get(key, [])


def _first_text(root: lxml.html.HtmlElement, tag: str) -> str | None:
    for el in root.iter(tag):
        text = el.text_content()
        if text.strip():
            return text
    return None


def _apply_metadata(draft: Extracted, page: _Page, ctx: ReadContext) -> None:
    _find_link(draft, page)
    site_names = _site_names(page, draft.link)
    _find_title(draft, page, site_names)
    _find_provider(draft, page, ctx)
    _find_dates(draft, page, ctx)
    _find_author(draft, page)
    _find_summary(draft, page)
    _find_topics(draft, page)
    _find_images(draft, page)
    _find_language(draft, page)


def _find_link(draft: Extracted, page: _Page) -> None:
    for key in ("og:url", "twitter:url"):
        draft.found("link", _absolute(page.value(key), None), f"meta {key}")
    if page.canonical:
        draft.found("link", _absolute(page.canonical, page.base_href), "<link rel=canonical>")
    if page.ld:
        node = page.ld.node
        draft.found("link", _absolute(_ld_url(node.get("url")), None), page.ld.label("url"))
        draft.found("link", _absolute(_ld_url(node.get("mainEntityOfPage")), None),
                    page.ld.label("mainEntityOfPage"))


def _site_names(page: _Page, link: str | None) -> set[str]:
    """Normalised names a ``<title>`` suffix may repeat: site name, publisher, domain."""
    names = [v for key in ("og:site_name", "application-name", "twitter:site")
             for v in page.all(key)]
    if page.ld:
        names.append(_ld_name(page.ld.deref(page.ld.node.get("publisher"))) or "")
    host = _host(link)
    if host:
        names += [host, host.rsplit(".", 1)[0]]
    out = {_name_key(n) for n in names if n}
    out |= {k.removeprefix("the") for k in out}
    return {k for k in out if k}


def _name_key(name: str) -> str:
    return re.sub(r"\W+", "", name.lstrip("@").casefold())


def strip_site_name(title: str, site_names: set[str]) -> str:
    """``"Story | The Ledger"`` -> ``"Story"`` when "The Ledger" is the site's name."""
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    seps = _TITLE_SEPARATOR.findall(title)
    if _name_key(parts[-1]) in site_names or _name_key(parts[-1]).removeprefix("the") in site_names:
        return title[: len(title) - len(parts[-1]) - len(seps[-1])].strip()
    if _name_key(parts[0]) in site_names:
        return title[len(parts[0]) + len(seps[0]):].strip()
    return title


def _find_title(draft: Extracted, page: _Page, site_names: set[str]) -> None:
    def offer(value: str | None, source: str) -> None:
        value = clean_inline(value)
        if value:
            stripped = strip_site_name(value, site_names)
            draft.found("title", stripped, source + (", site name removed" if stripped != value else ""))

    offer(page.value("og:title"), "meta og:title")
    if page.ld:
        offer(_ld_text(page.ld.node.get("headline")) or _ld_text(page.ld.node.get("name")),
              page.ld.label("headline"))
    offer(page.value("twitter:title"), "meta twitter:title")
    if page.title_tag:
        stripped = strip_site_name(page.title_tag, site_names)
        h1 = page.h1 or ""
        if stripped == page.title_tag and h1 and len(h1) < len(stripped) \
                and h1.casefold() in stripped.casefold():
            # "Story - Some Site" with a matching <h1>: the heading is the story's own title.
            draft.found("title", h1, "first <h1> heading (part of the <title>)")
        offer(page.title_tag, "<title> element")
    draft.found("title", page.h1, "first <h1> heading")


def _find_provider(draft: Extracted, page: _Page, ctx: ReadContext) -> None:
    hit = page.first("og:site_name", "application-name")
    name, source = (hit[1], f"meta {hit[0]}") if hit else (None, "")
    if not name and page.ld:
        name = _ld_name(page.ld.deref(page.ld.node.get("publisher")))
        source = page.ld.label("publisher.name")
    name = clean_inline(name)
    if name:
        draft.found("provider", _site_provider(name, draft.link, ctx), source)


def _site_provider(name: str, link: str | None, ctx: ReadContext) -> Provider:
    """The registry's publication for a site name or the link's domain, else name + domain."""
    registry = ctx.config.providers
    entry = registry.lookup(name) or (registry.by_domain(link) if link else None)
    if entry:
        return entry.provider
    return Provider(name, _host(link))


def _find_dates(draft: Extracted, page: _Page, ctx: ReadContext) -> None:
    tz = ctx.config.tz
    ld = page.ld

    def offer(name: str, value: Any, source: str) -> None:
        if isinstance(value, str) and value.strip():
            draft.found(name, parse_date(value, tz), source)

    for key in ("article:published_time", "og:article:published_time"):
        offer("published", page.value(key), f"meta {key}")
    if ld:
        offer("published", ld.node.get("datePublished"), ld.label("datePublished"))
    for key in ("datepublished", "date", "pubdate", "publishdate", "publish-date",
                "dc.date", "dc.date.issued", "dcterms.created", "parsely-pub-date",
                "sailthru.date", "article.published"):
        offer("published", page.value(key), f"meta {key}")
    for key in ("article:modified_time", "og:updated_time", "datemodified"):
        offer("updated", page.value(key), f"meta {key}")
    if ld:
        offer("updated", ld.node.get("dateModified"), ld.label("dateModified"))


def _find_author(draft: Extracted, page: _Page) -> None:
    for key in ("author", "article:author", "byl", "parsely-author", "sailthru.author",
                "dc.creator"):
        for value in page.all(key):
            if "://" not in value:
                draft.found("author", _clean_author(value), f"meta {key}")
    if page.ld:
        names = _ld_names(page.ld.node.get("author"), page.ld)
        draft.found("author", _clean_author(", ".join(names)), page.ld.label("author"))


def _clean_author(value: str | None) -> str | None:
    """Authors as people write them, without a leading "By"."""
    value = clean_inline(value)
    return clean_inline(_BY_PREFIX.sub("", value)) if value else None


def _find_summary(draft: Extracted, page: _Page) -> None:
    for key in ("description", "og:description", "twitter:description"):
        draft.found("summary", page.value(key), f"meta {key}")
    if page.ld:
        draft.found("summary", _ld_text(page.ld.node.get("description")), page.ld.label("description"))


def _find_topics(draft: Extracted, page: _Page) -> None:
    tags = _split_keywords(page.all("article:tag"))
    draft.found("topics", tags, "meta article:tag")
    ld = page.ld
    if ld:
        draft.found("topics", _split_keywords(_ld_list(ld.node.get("keywords"))), ld.label("keywords"))
    draft.found("topics", _split_keywords(page.all("keywords") + page.all("news_keywords")),
                "meta keywords")
    draft.found("category", clean_inline(page.value("article:section")), "meta article:section")
    if ld:
        sections = _ld_list(ld.node.get("articleSection"))
        draft.found("category", clean_inline(sections[0]) if sections else None,
                    ld.label("articleSection"))


def _split_keywords(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            cleaned = clean_inline(part)
            if cleaned and cleaned not in out:
                out.append(cleaned)
    return out


def _find_images(draft: Extracted, page: _Page) -> None:
    """og:image (each followed by its own width/height/type), else JSON-LD, else twitter:image."""
    base = draft.link or page.base_href
    images: list[Image] = []
    for key, value in page.meta_order:
        if key in ("og:image", "og:image:url"):
            url = _absolute(value, base)
            if url and not (images and images[-1].url == url):
                images.append(Image(url))
        elif key.startswith("og:image:") and images:
            images[-1] = _with_image_detail(images[-1], key.removeprefix("og:image:"), value)
    draft.found("images", _dedupe_images(images), "meta og:image")
    if page.ld:
        draft.found("images", _dedupe_images(_ld_images(page.ld.node.get("image"), base)),
                    page.ld.label("image"))
    for key in ("twitter:image", "twitter:image:src"):
        url = _absolute(page.value(key), base)
        draft.found("images", [Image(url)] if url else None, f"meta {key}")


def _with_image_detail(image: Image, detail: str, value: str) -> Image:
    if detail in ("width", "height"):
        return replace(image, **{detail: _to_int(value)})
    if detail == "type":
        return replace(image, mime_type=clean_inline(value))
    if detail == "alt":
        return replace(image, title=clean_inline(value))
    return image


def _dedupe_images(images: list[Image]) -> list[Image]:
    seen: set[str] = set()
    out = []
    for image in images:
        if image.url not in seen:
            seen.add(image.url)
            out.append(image)
    return out


def _find_language(draft: Extracted, page: _Page) -> None:
    draft.found("language", _lang_tag(page.lang), "<html lang>")
    for key in ("og:locale", "content-language", "language", "dc.language"):
        draft.found("language", _lang_tag(page.value(key)), f"meta {key}")
    if page.ld:
        draft.found("language", _lang_tag(_ld_text(page.ld.node.get("inLanguage"))),
                    page.ld.label("inLanguage"))


def _lang_tag(value: str | None) -> str | None:
    value = clean_inline(value)
    if not value:
        return None
    value = value.split(",")[0].strip().replace("_", "-")
    return value if re.fullmatch(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*", value) else None


def _to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value > 0 else None
    if isinstance(value, dict):
        return _to_int(value.get("value"))
    match = re.match(r"\s*(\d{1,6})", str(value))
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def _host(link: str | None) -> str | None:
    if not link:
        return None
    try:
        host = urlsplit(link).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _absolute(url: str | None, base: str | None,
              schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """An absolute URL in one of ``schemes``, resolving against ``base``; else None."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        resolved = urljoin(base, url) if base else url
        parts = urlsplit(resolved)
    except ValueError:
        return None
    if parts.scheme.lower() not in schemes:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return resolved


# --------------------------------------------------------------------------
# JSON-LD


def _find_jsonld_article(root: lxml.html.HtmlElement) -> _JsonLd | None:
    nodes = list(_jsonld_nodes(root))
    ids = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    for node in nodes:
        kind = _article_type(node)
        if kind:
            return _JsonLd(node, kind, ids)
    return None


def _jsonld_nodes(root: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    for script in root.iter("script"):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        if kind != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        for junk in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
            raw = raw.replace(junk, "")
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        yield from _flatten_jsonld(data, 0)


def _flatten_jsonld(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Objects of a JSON-LD block: top level, lists, ``@graph`` and ``mainEntity``."""
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten_jsonld(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity"):
            if isinstance(data.get(key), (list, dict)):
                yield from _flatten_jsonld(data[key], depth + 1)


def _article_type(node: dict[str, Any]) -> str | None:
    types = node.get("@type")
    for kind in types if isinstance(types, list) else [types]:
        if isinstance(kind, str):
            short = kind.rsplit("/", 1)[-1]
            if short in _ARTICLE_TYPES or short.endswith("NewsArticle"):
                return short
    return None


def _ld_text(value: Any) -> str | None:
    if isinstance(value, str):
        return clean_inline(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return _ld_text(value.get("@value") or value.get("name"))
    if isinstance(value, list) and value:
        return _ld_text(value[0])
    return None


def _ld_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [t for t in (_ld_text(v) for v in value) if t]
    text = _ld_text(value)
    return [text] if text else []


def _ld_name(value: Any) -> str | None:
    if isinstance(value, str):
        return clean_inline(value)
    if isinstance(value, dict):
        return _ld_text(value.get("name"))
    if isinstance(value, list) and value:
        return _ld_name(value[0])
    return None


def _ld_names(value: Any, ld: _JsonLd) -> list[str]:
    """Author names from a string, a Person/Organization object, a reference or a list."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = _ld_name(ld.deref(item))
        if name and "://" not in name and name not in names:
            names.append(name)
    return names


def _ld_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        url = value.get("url") or value.get("@id")
        return url if isinstance(url, str) else None
    if isinstance(value, list) and value:
        return _ld_url(value[0])
    return None


def _ld_images(value: Any, base: str | None) -> list[Image]:
    items = value if isinstance(value, list) else [value]
    images = []
    for item in items[:10]:
        if isinstance(item, dict):
            url = _absolute(_ld_text(item.get("url") or item.get("contentUrl")), base)
            if url:
                images.append(Image(url, _to_int(item.get("width")), _to_int(item.get("height")),
                                    _ld_text(item.get("caption")), _ld_text(item.get("encodingFormat"))))
        else:
            url = _absolute(_ld_text(item), base)
            if url:
                images.append(Image(url))
    return images


# --------------------------------------------------------------------------
# Body: choosing and cleaning the story block


def _remove_junk(root: lxml.html.HtmlElement, draft: Extracted) -> None:
    """Scripts, forms, embeds and hidden elements: never part of what a reader sees."""
    code_blocks = 0
    for el in list(root.iter(*_JUNK_TAGS)):
        if not _attached(el, root):
            continue
        if el.tag in _CODE_TAGS:
            code_blocks += 1
        elif el.tag not in _SILENT_TAGS:
            _record(draft, f"<{el.tag}>", el)
        el.drop_tree()
    for el in list(root.iter()):
        if isinstance(el.tag, str) and _attached(el, root) and _is_hidden(el):
            _record(draft, "hidden element", el)
            el.drop_tree()
    if code_blocks:
        draft.dropped.append(f"{code_blocks} <script>/<style>/<template> block(s)")


def _attached(el: lxml.html.HtmlElement, root: lxml.html.HtmlElement) -> bool:
    """Still in the tree under ``root`` (not inside an element removed earlier).

    lxml keeps removed subtrees in the same document, so ``getroottree()``
    cannot tell; the topmost ancestor can.
    """
    return el is not root and _top(el) is root


def _top(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    top = el
    for top in el.iterancestors():
        pass
    return top


def _is_hidden(el: lxml.html.HtmlElement) -> bool:
    if el.tag in ("html", "body"):
        return False
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _record(draft: Extracted, reason: str, el: lxml.html.HtmlElement) -> None:
    text = " ".join(block_lines(el))
    if text:
        draft.dropped.append(f"{reason}: {truncate_words(text, 100)}")


class _Noise:
    """Tells page furniture from story, once per page.

    Elements that wrap the page's first <h1>, a <main> or a [role=main] are
    never furniture, whatever their class says ("page has-ads"), and a
    header or footer only counts as furniture where ``frames`` asks for it.
    """

    def __init__(self, root: lxml.html.HtmlElement) -> None:
        self.protected: set[lxml.html.HtmlElement] = set()
        anchors = [next(root.iter("h1"), None), *root.iter("main"),
                   *(el for el in root.iter() if isinstance(el.tag, str)
                     and (el.get("role") or "").strip().lower() == "main")]
        for anchor in anchors:
            if anchor is not None:
                self.protected.add(anchor)
                self.protected.update(anchor.iterancestors())
        self._inside: dict[tuple[lxml.html.HtmlElement, bool], bool] = {}

    def reason(self, el: lxml.html.HtmlElement, frames: bool = False) -> str | None:
        """Why an element is page furniture rather than story, or None."""
        if not isinstance(el.tag, str) or el.tag in ("html", "body") or el in self.protected:
            return None
        if el.tag in _NOISE_TAGS or (frames and el.tag in _FRAME_TAGS):
            return f"<{el.tag}>"
        role = (el.get("role") or "").strip().lower()
        if role in _NOISE_ROLES:
            return f"role={role}"
        for attr in ("class", "id"):
            for token in (el.get(attr) or "").lower().split():
                if _NOISE_CLASS.search(token):
                    return f"{attr} '{token}'"
        return None

    def inside(self, el: lxml.html.HtmlElement, frames: bool = True) -> bool:
        """``el`` or one of its ancestors is furniture (memoised: pages are walked often)."""
        chain: list[lxml.html.HtmlElement] = []
        node: lxml.html.HtmlElement | None = el
        answer = False
        while node is not None:
            if (node, frames) in self._inside:
                answer = self._inside[(node, frames)]
                break
            chain.append(node)
            node = node.getparent()
        for node in reversed(chain):  # from the outermost unknown ancestor down
            answer = answer or bool(self.reason(node, frames))
            self._inside[(node, frames)] = answer
        return answer

    def weight(self, el: lxml.html.HtmlElement, frames: bool = True) -> int:
        """Characters of paragraph text under ``el`` that is not furniture."""
        return sum(len(squash_spaces(p.text_content())) for p in el.iter("p", "pre")
                   if not self.inside(p, frames))


def _choose_container(root: lxml.html.HtmlElement, noise: _Noise) -> tuple[lxml.html.HtmlElement, str]:
    """The element holding the story: <article>, <main>, [role=main] or the densest block.

    A candidate must hold a fair share (30 %) of the page's paragraph text, so a
    teaser ``<article>`` or an empty ``<main>`` does not win over the real story.
    Headers and footers count as furniture unless nothing else has text.
    """
    body = root.find("body")
    if body is None:
        body = root
    frames = noise.weight(body, frames=True) > 0
    total = noise.weight(body, frames)
    threshold = total * 0.3
    articles = [a for a in body.iter("article") if not noise.inside(a, frames)]
    ranked = sorted(((noise.weight(a, frames), i, a) for i, a in enumerate(articles)),
                    key=lambda t: (-t[0], t[1]))
    if ranked and ranked[0][0] > 0 and ranked[0][0] >= threshold:
        return ranked[0][2], "<article> element"
    mains = [(m, "<main> element") for m in body.iter("main")]
    mains += [(m, "[role=main] element") for m in body.iter()
              if isinstance(m.tag, str) and (m.get("role") or "").strip().lower() == "main"]
    for el, label in mains:
        weight = noise.weight(el, frames)
        if weight > 0 and weight >= threshold:
            return el, label
    densest = _densest(body, noise, frames)
    if densest is not None:
        return _adopt_stray_blocks(densest, body, noise), "the block with the most paragraph text"
    return body, "<body>"


def _densest(body: lxml.html.HtmlElement, noise: _Noise, frames: bool) -> lxml.html.HtmlElement | None:
    """The parent of most paragraph text (a grandparent earns half, joining split columns)."""
    scores: dict[lxml.html.HtmlElement, float] = {}
    for p in body.iter("p", "pre"):
        length = len(squash_spaces(p.text_content()))
        parent = p.getparent()
        if not length or parent is None or noise.inside(p, frames):
            continue
        scores[parent] = scores.get(parent, 0) + length
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + length / 2
    if not scores:
        return None
    return max(scores, key=lambda el: scores[el])


def _find_time_element(draft: Extracted, container: lxml.html.HtmlElement,
                       ctx: ReadContext) -> None:
    """A machine-readable ``<time datetime>`` in the story block (a ``pubdate`` one first)."""
    stamps = [t for t in container.iter("time") if (t.get("datetime") or "").strip()]
    stamps.sort(key=lambda t: t.get("pubdate") is None and (t.get("itemprop") or "") != "datePublished")
    for stamp in stamps[:1]:
        draft.found("published", parse_date(stamp.get("datetime", ""), ctx.config.tz),
                    "<time datetime> in the story")


_STRAY_TAGS = frozenset({"p", "ul", "ol", "blockquote", "pre"})


def _adopt_stray_blocks(best: lxml.html.HtmlElement, body: lxml.html.HtmlElement,
                        noise: _Noise) -> lxml.html.HtmlElement:
    """Join paragraphs that follow the block at an outer level to it.

    Stray closing tags (``</div></div>`` in the middle of a story) push the rest
    of the story out of its block; browsers show it right after, so it is
    still story when it is a plain paragraph or list that is mostly not links.
    """
    strays: list[lxml.html.HtmlElement] = []
    node = best
    while node is not body and node.getparent() is not None:
        strays += [sib for sib in node.itersiblings()
                   if sib.tag in _STRAY_TAGS and not noise.inside(sib) and _is_prose(sib)]
        node = node.getparent()
    if not strays:
        return best
    wrapper = lxml.html.Element("div")
    best.addnext(wrapper)
    wrapper.append(best)
    wrapper.extend(strays)
    return wrapper


def _is_prose(el: lxml.html.HtmlElement) -> bool:
    """Has text, and less than half of it is link text (menus are mostly links)."""
    text = len(squash_spaces(el.text_content()))
    links = sum(len(squash_spaces(a.text_content())) for a in el.iter("a"))
    return text > 0 and links * 2 < text


def _drop_noise(container: lxml.html.HtmlElement, draft: Extracted, noise: _Noise) -> None:
    """Remove navigation, asides, captions and share/related/newsletter/... blocks."""
    root = _top(container)
    for el in list(container.iterdescendants()):
        if not _attached(el, root):
            continue
        reason = noise.reason(el)
        if reason:
            _record(draft, reason, el)
            el.drop_tree()


def _drop_frames(container: lxml.html.HtmlElement, draft: Extracted, noise: _Noise) -> None:
    """Header and footer go unless they hold most of the story (some CMSs wrap it so)."""
    total = noise.weight(container, frames=False)
    root = _top(container)
    for el in list(container.iterdescendants("header", "footer")):
        if not _attached(el, root):
            continue
        if total and noise.weight(el, frames=False) > total * _STORY_SHARE:
            continue
        _record(draft, f"<{el.tag}>", el)
        el.drop_tree()


def _drop_title_heading(container: lxml.html.HtmlElement, title: str | None) -> None:
    """The story's own <h1> repeats the title, which feeds carry separately."""
    if not title:
        return
    key = squash_spaces(title).casefold()
    for heading in container.iter("h1"):
        if squash_spaces(heading.text_content()).casefold() == key:
            heading.drop_tree()
        return


def _signal_blocks(container: lxml.html.HtmlElement, title: str | None) -> list[_Block]:
    """The story area's blocks for the plain-text rules, led by the title when known.

    With the title on top, the plain-text rules take it as the headline instead
    of mistaking a short first paragraph for one.
    """
    blocks = _text_blocks(container)
    if title and title not in [b.text for b in blocks[:3]]:
        blocks.insert(0, _Block(None, title))
    return blocks


@dataclass(slots=True)
class _Block:
    element: lxml.html.HtmlElement | None
    text: str


def _text_blocks(el: lxml.html.HtmlElement) -> list[_Block]:
    """Every block under ``el`` with its own text (nested blocks apart), in document order."""
    blocks: list[_Block] = []
    for node in el.iter():
        if node is not el and not (isinstance(node.tag, str) and node.tag in _SOURCE_BLOCKS):
            continue
        text = squash_spaces(_own_text(node, _SOURCE_BLOCKS))
        if text:
            blocks.append(_Block(node, text))
    return blocks


def block_lines(el: lxml.html.HtmlElement) -> list[str]:
    """The text of every block under ``el``, one string a block."""
    return [block.text for block in _text_blocks(el)]


def _own_text(el: lxml.html.HtmlElement, blocks: frozenset[str]) -> str:
    """Text of ``el`` without the text of nested blocks (they are lines of their own).

    Walks the tree without recursion: saved pages can nest thousands deep.
    """
    parts: list[str] = []
    walker = etree.iterwalk(el, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        if event in ("comment", "pi"):
            parts.append(" " + (node.tail or ""))
        elif node is el:
            if event == "start" and isinstance(el.tag, str):
                parts.append(el.text or "")
        elif event == "end":
            parts.append(node.tail or "")
        elif node.tag == "br":
            parts.append("\n")
        elif isinstance(node.tag, str) and node.tag not in blocks:
            parts.append(node.text or "")
        else:
            parts.append(" ")
            walker.skip_subtree()
    return "".join(parts)


def _drop_boilerplate_blocks(blocks: list[_Block], dropped: dict[int, str],
                             draft: Extracted, root: lxml.html.HtmlElement) -> None:
    """Remove the blocks the plain-text rules dropped (bylines, date lines, promos...)."""
    for index, reason in sorted(dropped.items()):
        el = blocks[index].element
        if el is None or not _attached(el, root):
            continue
        if any(isinstance(d.tag, str) and d.tag in _SOURCE_BLOCKS for d in el.iterdescendants()):
            continue  # its own text is a line, but it holds other blocks too
        draft.dropped.append(f"<{el.tag}> {reason}: {truncate_words(blocks[index].text, 100)}")
        el.drop_tree()


# --------------------------------------------------------------------------
# Body: safe HTML and plain text


def _render_body(container: lxml.html.HtmlElement, base: str | None) -> tuple[str | None, str | None]:
    """Clean HTML (a small allow-list of tags, only absolute links) and its paragraph text."""
    for el in reversed(list(container.iterdescendants())):
        _clean_element(el, base)
    wrapper = _wrap_loose_text(container)
    _drop_empty(wrapper)
    _tidy_whitespace(wrapper)
    html_parts = [lxml.html.tostring(child, encoding="unicode", with_tail=False) for child in wrapper]
    content = "\n".join(html_parts).strip() or None
    paragraphs = [p for p in (_block_text(el) for el in wrapper.iter(*_TEXT_BLOCKS)) if p]
    return content, "\n\n".join(paragraphs) or None


def _clean_element(el: lxml.html.HtmlElement, base: str | None) -> None:
    """Rename, keep, turn into a paragraph or unwrap one element (children come first)."""
    if not isinstance(el.tag, str):
        el.drop_tree()
        return
    tag = _RENAME.get(el.tag.lower(), el.tag.lower())
    if tag in _MEDIA_TAGS:
        el.drop_tree()
    elif tag in _KEEP_TAGS:
        el.tag = tag
        _keep_only_href(el, base)
    elif tag in _SOURCE_BLOCKS:
        parent = el.getparent()
        inline_context = parent is not None and parent.tag not in _BLOCK_CONTEXT
        if inline_context or any(isinstance(c.tag, str) and c.tag in _OUT_BLOCKS for c in el):
            _unwrap(el, block=True)
        else:
            el.tag = "p"
            el.attrib.clear()
    else:
        _unwrap(el, block=False)


def _keep_only_href(el: lxml.html.HtmlElement, base: str | None) -> None:
    href = _absolute(el.get("href"), base, _LINK_SCHEMES) if el.tag == "a" else None
    el.attrib.clear()
    if el.tag == "a":
        if href:
            el.set("href", href)
        else:
            _unwrap(el, block=False)


def _unwrap(el: lxml.html.HtmlElement, block: bool) -> None:
    """Replace an element by its content; a block keeps its text apart from its neighbours."""
    if block:
        el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")
    el.drop_tag()


def _wrap_loose_text(container: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A new root whose children are blocks only: loose text and inline runs become <p>.

    Two <br> in a row end a paragraph, as they do on the page.
    """
    wrapper = lxml.html.Element("div")
    current: lxml.html.HtmlElement | None = None

    def loose(text: str | None) -> None:
        nonlocal current
        if not text or not text.strip() and current is None:
            return
        if current is None:
            current = etree.SubElement(wrapper, "p")
        last = current[-1] if len(current) else None
        if last is None:
            current.text = (current.text or "") + text
        else:
            last.tail = (last.tail or "") + text

    loose(container.text)
    for child in list(container):
        tail, child.tail = child.tail, None
        if child.tag in _OUT_BLOCKS:
            current = None
            wrapper.append(child)
        elif child.tag == "br" and current is not None and len(current) and current[-1].tag == "br" \
                and not (current[-1].tail or "").strip():
            current.remove(current[-1])
            current = None
        else:
            if current is None:
                if child.tag == "br":
                    loose(tail)
                    continue
                current = etree.SubElement(wrapper, "p")
            current.append(child)
        loose(tail)
    return wrapper


def _drop_empty(wrapper: lxml.html.HtmlElement) -> None:
    for el in reversed(list(wrapper.iterdescendants())):
        if el.tag == "br":
            continue
        if not el.text_content().strip():
            el.drop_tree()
    for el in wrapper.iter("p", "li", "h2", "h3", "h4"):
        _trim_breaks(el)


def _trim_breaks(el: lxml.html.HtmlElement) -> None:
    """Drop <br> at the very start or end of a block."""
    while len(el) and el[-1].tag == "br" and not (el[-1].tail or "").strip():
        el[-1].drop_tree()
    while len(el) and el[0].tag == "br" and not (el.text or "").strip():
        el[0].drop_tree()


_HTML_SPACE = lazy_compile(r"[ \t\n\r\f]+")


def _tidy_whitespace(wrapper: lxml.html.HtmlElement) -> None:
    """Collapse source indentation (HTML whitespace only: no-break spaces stay); not in <pre>."""
    for el in wrapper.iterdescendants():
        if el.tag == "pre" or any(a.tag == "pre" for a in el.iterancestors()):
            continue
        if el.text:
            el.text = _HTML_SPACE.sub(" ", el.text)
        if el.tail:
            el.tail = _HTML_SPACE.sub(" ", el.tail)
        if el.tag in _OUT_BLOCKS:
            el.text = (el.text or "").lstrip(" ") or None
            last = el[-1] if len(el) else None
            if last is None:
                el.text = (el.text or "").rstrip(" ") or None
            else:
                last.tail = (last.tail or "").rstrip(" ") or None


def _block_text(el: lxml.html.HtmlElement) -> str:
    text = _own_text(el, _OUT_BLOCKS)
    if el.tag == "pre":
        return text.strip("\n")
    return squash_spaces(text)


def _article_body_fallback(draft: Extracted, ld: _JsonLd) -> None:
    """A page whose body is empty but whose JSON-LD carries ``articleBody``."""
    body = ld.node.get("articleBody")
    if not isinstance(body, str) or not body.strip():
        return
    paragraphs = [squash_spaces(p) for p in re.split(r"\n\s*\n|\n", body) if p.strip()]
    draft.found("content_text", "\n\n".join(paragraphs), ld.label("articleBody"))
    draft.found("content", "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs),
                ld.label("articleBody"))
