"""The live app: the same tree the static build writes, over HTTP.

Every path of the tree is rendered once per loaded site (by ``Site.get``, the
one rendering path shared with the static build) and kept with its strong
ETag, its gzip variant and complete header lists, so serving it again is a
dictionary lookup. Those cached answers are served by a small WSGI layer in
front of Flask (:class:`_CachedPaths`); everything else - the first request
for a path, filtered feeds (``?limit=&q=&topic=&provider=&since=``, see
:mod:`feedsmith.query`), ``/healthz``, errors - goes through the Flask
blueprint, which answers from the same cache entries with the same headers.

HTTP behaviour:

* ``ETag`` is a strong tag of the exact body bytes (``"…-gz"`` for the gzip
  variant); ``Last-Modified`` is the newest entry date (never later than the
  moment the site was loaded). ``If-None-Match`` is evaluated first and
  ``If-Modified-Since`` only without it (RFC 9110 §13.2.2); a match gives a
  304 with ``ETag``, ``Last-Modified``, ``Cache-Control`` and ``Vary``.
* gzip is used when ``Accept-Encoding`` allows it (``q=0`` refuses it);
  ``Vary: Accept-Encoding`` is on every feed and page response.
* ``Cache-Control: public, max-age=<cache_max_age>``, except on RFC 5005
  archives other than each feed's newest (:mod:`feedsmith.archives`), which
  never change: ``max-age=<archive_max_age>, immutable``.
* With a WebSub hub configured, a feed's own documents carry
  ``Link: <hub>; rel="hub", <self>; rel="self"`` (:mod:`feedsmith.websub`).
* A feed URL (``.rss``, ``.atom``, ``.json``) asked for by a browser - an
  ``Accept`` that ranks ``text/html`` above every feed and XML type, see
  :func:`prefers_html` - answers the feed's HTML view (``Site.view``; for
  ``.atom`` the same bytes as the static ``<feed>.html``) with its own ETag;
  feed readers and scripts (feed types, ``*/*`` or no ``Accept``) get the
  feed document. Both answers carry ``Vary: Accept, Accept-Encoding``.
* Every response carries ``X-Content-Type-Options: nosniff``, a
  ``Content-Security-Policy`` (HTML pages: nothing but the pages' one style
  block and images; RSS and Atom: nothing runs - ``sandbox`` without
  ``allow-scripts`` - but a browser may apply ``feed.xsl`` and its style
  block; everything else: ``default-src 'none'; sandbox``),
  ``Referrer-Policy``, ``X-Frame-Options`` and ``Server: feedsmith``.
* Only GET and HEAD (and OPTIONS) are allowed; errors are short plain text.
  A feed that fails to render answers 503 and is logged; the rest are served.

With ``create_app(..., warm_start=True)`` (``feedsmith serve``, the gunicorn
entry point) and a static tree in ``out_dir`` that is current for these seeds,
that tree's files are served while the site loads in the background (see
:class:`StaticTree`).

Debug mode is never switched on here: :func:`create_app` sets ``app.debug``
to False (even with ``FLASK_DEBUG`` set); only ``feedsmith serve --debug``
turns it on, through ``app.run(debug=True)``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date, parse_date
from werkzeug.serving import WSGIRequestHandler

from . import archives, pages, render, uptodate, websub
from .build import build_summary, gzip_twin, load_cached_site, tree_files
from .catalog import Feed
from .config import Config
from .load import Listing, article_files
from .query import FeedQuery, QueryError, apply, parse_query
from .site import FEED_TYPES, PAGE_TYPES, STATIC_TYPES, Site

log = logging.getLogger(__name__)
bp = Blueprint("feeds", __name__)

SERVER = "feedsmith"
_STYLE_SRC = getattr(pages, "STYLE_CSP_SOURCE", "'unsafe-inline'")  # the hash of the pages' one style block
HTML_CSP = (
    "default-src 'none'; "
    f"style-src {_STYLE_SRC}; "
    "img-src https: http: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
OTHER_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
# RSS and Atom name feed.xsl in an <?xml-stylesheet?>; browsers load XSLT under script-src
# and only from the document's own origin (so the sandbox keeps it: allow-same-origin,
# still without allow-scripts, so nothing runs). The transformed page has the pages' style block.
_XML_FEED_TYPES = ("application/rss+xml", "application/atom+xml")
_CSP_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+/[A-Za-z0-9\-._~!$&()*+=:@%/]*")
NEGOTIATED_VARY = "Accept, Accept-Encoding"  # feed URLs: an HTML view for browsers, the feed for readers
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Server", SERVER),
)
FILTERED_CACHE_SIZE = 256  # filtered feed documents kept per loaded site
# Archives (every article once per feed and format) are many and rarely asked for twice
# (their Cache-Control lets clients keep them), so only this many bytes of them are kept.
ARCHIVE_CACHE_BYTES = 32 * 1024 * 1024
GZIP_MIN_BYTES = 200  # smaller bodies are always sent as they are
MAX_PATH_CHARS = 1024
MAX_SEGMENT_CHARS = 200
RETRY_AFTER_SECONDS = 30
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ENTITY_TAG = re.compile(r'\s*(?:(\*)|(?:W/)?("[^"]*"))\s*(?:,|$)')
_QVALUE = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)")

Reply = tuple[str, list[tuple[str, str]], bytes]  # WSGI status line, headers, body


# ------------------------------------------------------------ negotiation


@lru_cache(maxsize=256)
def accepts_gzip(header: str) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``gzip;q=0`` refuses, ``*`` allows)."""
    gzip_q: float | None = None
    star_q: float | None = None
    for element in header.split(","):
        coding, _, params = element.partition(";")
        coding = coding.strip().lower()
        q = 1.0
        for param in params.split(";") if params else ():
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                q = float(value) if _QVALUE.fullmatch(value) else 0.0
        if coding in ("gzip", "x-gzip"):
            gzip_q = q if gzip_q is None else max(gzip_q, q)
        elif coding == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


def none_match(header: str, etag: str) -> bool:
    """``If-None-Match`` against our (strong) tag, with the weak comparison RFC 9110 §13.1.2 requires."""
    if header == etag:
        return True
    pos = 0
    while pos < len(header):
        found = _ENTITY_TAG.match(header, pos)
        if found is None or found.end() == pos:
            return False  # malformed: no match, so the full answer is sent
        if found.group(1) or found.group(2) == etag:
            return True
        pos = found.end()
    return False


def _modified_since(header: str, last_modified: int) -> bool:
    """True unless ``If-Modified-Since`` is a valid HTTP-date at or after ``last_modified``."""
    try:
        when = parse_date(header)
        return when is None or last_modified > int(when.timestamp())
    except (ValueError, OverflowError, TypeError, IndexError):  # malformed dates are ignored
        return True


def feed_csp(config: Config) -> str:
    """The Content-Security-Policy of RSS and Atom documents (see ``_XML_FEED_TYPES``)."""
    xsl = config.url(render.STYLESHEET_PATH)
    source = xsl if _CSP_URL.fullmatch(xsl) else "'self'"  # a base_url CSP can't spell: same origin
    return (f"default-src 'none'; script-src {source}; style-src {_STYLE_SRC}; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox allow-same-origin")


_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# What a feed URL may be answered with besides HTML; a browser ranks HTML above all of them.
_FEED_RIVALS = ("application/rss+xml", "application/atom+xml", "application/feed+json",
                "application/json", "application/xml", "text/xml")
MAX_ACCEPT_CHARS = 2000


@lru_cache(maxsize=512)
def prefers_html(header: str) -> bool:
    """Whether an ``Accept`` value asks for a web page rather than a feed document.

    True only when ``text/html`` (or XHTML) is named explicitly, with a q above
    the q every feed and XML type gets (from its own entry, ``type/*`` or
    ``*/*``, the most specific one counting). Browsers send ``text/html,…,
    application/xml;q=0.9,*/*;q=0.8``; readers name feed types, send ``*/*``
    or nothing, and so get the feed. Malformed entries are skipped.
    """
    header = header.lower()
    if "html" not in header or len(header) > MAX_ACCEPT_CHARS:
        return False
    ranges: dict[str, float] = {}
    for element in header.split(","):
        media, _, params = element.partition(";")
        media = media.strip()
        if media.count("/") != 1:
            continue
        q = 1.0
        for param in params.split(";") if params else ():
            name, _, value = param.partition("=")
            if name.strip() == "q":
                value = value.strip()
                q = float(value) if _QVALUE.fullmatch(value) else 0.0
        ranges[media] = max(q, ranges.get(media, 0.0))
    html_q = max((ranges[t] for t in _HTML_TYPES if t in ranges), default=0.0)
    if html_q <= 0:
        return False

    def quality(media: str) -> float:
        for candidate in (media, media.split("/")[0] + "/*", "*/*"):
            if candidate in ranges:
                return ranges[candidate]
        return 0.0

    return all(html_q > quality(rival) for rival in _FEED_RIVALS)


# ------------------------------------------------------------ cache entries


class Entry:
    """One resource as served: body, gzip variant, validators and final header lists."""

    __slots__ = ("body", "gz_body", "etag", "gz_etag", "last_modified", "lm_epoch",
                 "ok", "gz_ok", "not_modified", "gz_not_modified", "negotiated")

    def __init__(self, body: bytes, content_type: str, last_modified: datetime | None,
                 config: Config, not_after: float, *, cache_control: str | None = None,
                 link: str | None = None, negotiated: bool = False) -> None:
        self.body = body
        self.negotiated = negotiated  # a feed URL: browsers get its HTML view instead
        digest = hashlib.sha256(body).hexdigest()[:32]
        self.etag = f'"{digest}"'
        self.gz_etag = f'"{digest}-gz"'
        gz = gzip_twin(body) if len(body) >= GZIP_MIN_BYTES else None
        self.gz_body = gz if gz is not None and len(gz) < len(body) else None
        self.lm_epoch: int | None = None
        self.last_modified: str | None = None
        if last_modified is not None:
            self.lm_epoch = min(int(last_modified.timestamp()), int(not_after))
            self.last_modified = http_date(self.lm_epoch)
        if content_type.startswith("text/html"):
            csp = HTML_CSP
        elif content_type.startswith(_XML_FEED_TYPES):
            csp = feed_csp(config)
        else:
            csp = OTHER_CSP
        vary = NEGOTIATED_VARY if negotiated else "Accept-Encoding"

        def common(etag: str) -> list[tuple[str, str]]:
            headers = [("ETag", etag)]
            if self.last_modified is not None:
                headers.append(("Last-Modified", self.last_modified))
            headers += [
                ("Cache-Control", cache_control or f"public, max-age={config.cache_max_age}"),
                ("Vary", vary),
                ("Content-Security-Policy", csp),
                *SECURITY_HEADERS,
            ]
            return headers

        extra = [("Link", link)] if link else []  # full answers only; a 304 needs none
        self.ok = [("Content-Type", content_type), ("Content-Length", str(len(body))),
                   *common(self.etag), *extra]
        self.not_modified = common(self.etag)
        if self.gz_body is not None:
            self.gz_ok = [
                ("Content-Type", content_type), ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(self.gz_body))), *common(self.gz_etag), *extra,
            ]
            self.gz_not_modified = common(self.gz_etag)
        else:
            self.gz_ok, self.gz_not_modified = self.ok, self.not_modified

    def reply(self, environ: dict[str, Any]) -> Reply:
        """The answer to a GET or HEAD for this resource, conditional headers honoured."""
        if self.gz_body is not None and accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")):
            body, etag, ok, not_modified = self.gz_body, self.gz_etag, self.gz_ok, self.gz_not_modified
        else:
            body, etag, ok, not_modified = self.body, self.etag, self.ok, self.not_modified
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm is not None:  # RFC 9110 §13.2.2: If-Modified-Since only without If-None-Match
            if none_match(inm, etag):
                return "304 Not Modified", not_modified, b""
        elif self.lm_epoch is not None:
            ims = environ.get("HTTP_IF_MODIFIED_SINCE")
            if ims and (ims == self.last_modified or not _modified_since(ims, self.lm_epoch)):
                return "304 Not Modified", not_modified, b""
        return "200 OK", ok, body


class RenderFailed(Exception):
    """A resource of the tree could not be rendered (logged; answered with a 503)."""


class SiteCache:
    """The rendered answers of one loaded :class:`Site`; replaced whenever the site is."""

    def __init__(self, site: Site, loaded_at: float) -> None:
        self.site = site
        self.loaded_at = loaded_at
        self.entries: dict[str, Entry] = {}  # by WSGI PATH_INFO ("/all.atom")
        self.views: dict[str, Entry] = {}  # HTML views of feed URLs, by PATH_INFO ("/all.atom")
        self._filtered: OrderedDict[tuple[str, str, bool], Entry] = OrderedDict()
        self._archives: OrderedDict[str, Entry] = OrderedDict()  # bounded, see ARCHIVE_CACHE_BYTES
        self._archive_bytes = 0
        self._lock = threading.Lock()

    # Last-Modified sources
    @cached_property
    def newest(self) -> datetime | None:
        return max((a.modified for a in self.site.catalog.articles), default=None)

    def feed_for(self, path: str) -> tuple[Feed, str] | None:
        stem, dot, fmt = path.rpartition(".")
        if not dot or fmt not in self.site.config.formats:
            return None
        feed = self.site.catalog.feed(stem)
        return (feed, fmt) if feed is not None else None

    def _last_modified(self, path: str) -> datetime | None:
        found = self.feed_for(path)
        if found is not None:
            return found[0].updated
        if path in STATIC_TYPES:
            return None  # shipped with the code, not derived from the articles
        if path.endswith(".html") and (feed := self.site.catalog.feed(path[:-len(".html")])) is not None:
            return feed.updated  # a feed's HTML view
        archive = self.site.archive(path)
        if archive is not None:
            return max(a.modified for a in archive.articles)
        if path.startswith("articles/") and path.endswith(".html"):
            article = self.site.catalog.pages().get(path[len("articles/"):-len(".html")])
            if article is not None:
                return article.modified
        return self.newest

    def _entry(self, body: bytes, content_type: str, last_modified: datetime | None, **headers: Any) -> Entry:
        return Entry(body, content_type, last_modified, self.site.config, self.loaded_at, **headers)

    def _headers(self, path: str) -> dict[str, Any]:
        """Per-path headers: archives are cached for long, feeds advertise their WebSub hub."""
        config = self.site.config
        archive = self.site.archive(path)
        if archive is not None and not archive.newest:
            # The newest archive still gains the entries that leave the current document.
            return {"cache_control": f"public, max-age={config.archive_max_age}, immutable"}
        if config.websub_hub and self.feed_for(path) is not None:
            return {"link": websub.link_header(config, path)}
        return {}

    def get(self, path: str, html: bool = False) -> Entry | None:
        """The entry for a path of the tree (rendered on first use), None when there is none.

        ``html``: for a feed URL, its HTML view (what a browser gets) instead.
        """
        # PATH_INFO is the UTF-8 path as latin-1 text (PEP 3333); slugs are ASCII anyway.
        key = ("/" + path).encode("utf-8", "surrogateescape").decode("latin-1")
        html = html and self.feed_for(path) is not None
        store = self.views if html else self.entries
        entry = store.get(key)
        if entry is not None:
            return entry
        with self._lock:
            entry = self._archives.get(key)
            if entry is not None:
                self._archives.move_to_end(key)
                return entry
        try:
            resource = self.site.view(path) if html else self.site.get(path)
            if resource is None:
                return None
            negotiated = self.feed_for(path) is not None
            headers = {} if html else self._headers(path)
            entry = self._entry(resource.body, resource.content_type, self._last_modified(path),
                                negotiated=negotiated, **headers)
        except Exception as exc:
            log.exception("rendering /%s failed", path)
            raise RenderFailed(path) from exc
        if not html and self.site.archive(path) is not None:
            self._keep_archive(key, entry)
        else:
            store[key] = entry
        return entry

    def _keep_archive(self, key: str, entry: Entry) -> None:
        size = len(entry.body) + len(entry.gz_body or b"")
        with self._lock:
            if key in self._archives:
                return
            self._archives[key] = entry
            self._archive_bytes += size
            while self._archive_bytes > ARCHIVE_CACHE_BYTES and len(self._archives) > 1:
                _, evicted = self._archives.popitem(last=False)
                self._archive_bytes -= len(evicted.body) + len(evicted.gz_body or b"")

    def filtered(self, path: str, query: FeedQuery, html: bool = False) -> Entry | None:
        """A feed narrowed by query parameters (kept in a bounded LRU), None when no such feed.

        ``html``: the narrowed feed's HTML view (what a browser gets) instead.
        """
        found = self.feed_for(path)
        if found is None:
            return None
        canonical = query.canonical()
        key = (path, canonical, html)
        with self._lock:
            entry = self._filtered.get(key)
            if entry is not None:
                self._filtered.move_to_end(key)
                return entry
        feed, fmt = found
        site = self.site
        try:
            narrowed = apply(feed, query, site.catalog)
            if html:
                body = pages.render_feed_view(site.for_view(narrowed, query.limit), fmt, site.catalog,
                                              site.config, limit=query.limit, query=canonical)
                entry = self._entry(body, PAGE_TYPES["html"], narrowed.updated, negotiated=True)
            else:
                body = site.render_feed(narrowed, fmt, limit=query.limit, self_path=f"{path}?{canonical}")
                entry = self._entry(body, FEED_TYPES[fmt], narrowed.updated, negotiated=True)
        except Exception as exc:
            log.exception("rendering /%s?%s failed", path, canonical)
            raise RenderFailed(path) from exc
        with self._lock:
            self._filtered[key] = entry
            while len(self._filtered) > FILTERED_CACHE_SIZE:
                self._filtered.popitem(last=False)
        return entry

    @cached_property
    def listing(self) -> str:
        """What the 404 page lists: the topics, providers and categories that exist."""
        catalog = self.site.catalog
        lines = []
        for kind, label in (("topic", "Topics"), ("provider", "Providers"), ("category", "Categories")):
            slugs = [f.slug for f in catalog.feeds_of(kind)]
            lines.append(f"{label}: {', '.join(slugs) if slugs else '(none)'}")
        lines.append("Every feed is listed at / and in /feeds.opml.")
        return "\n".join(lines) + "\n"

    @cached_property
    def health(self) -> dict[str, Any]:
        return health_counts(build_summary(self.site))


def health_counts(summary: uptodate.LastBuild) -> dict[str, int]:
    """The counts ``/healthz`` reports, the same whether the site is loaded or still starting."""
    return {"articles": summary.articles, "feeds": summary.feeds,
            "warnings": len(summary.warnings), "problems": len(summary.problems)}


# ------------------------------------------------------------ warm start


class StaticTree:
    """The last static build's files, served while a warm start loads the site.

    Used only when the build record says the tree in ``out_dir`` is current
    for this configuration, code and seeds (:func:`uptodate.current`), so its
    files hold the bytes ``Site.get`` would render: same bodies, same ETags.
    It answers only what the tree holds exactly (every path of its manifest,
    and for a browser the HTML view of an ``.atom`` feed, which is the static
    ``<feed>.html``); everything else waits for the site. Until then answers
    carry no ``Last-Modified`` (it needs the catalog) and archives get the
    ordinary ``Cache-Control`` rather than ``immutable``.
    """

    def __init__(self, config: Config, out_dir: Path, paths: set[str], loaded_at: float) -> None:
        self.config = config
        self.out_dir = out_dir
        self.paths = paths
        self.loaded_at = loaded_at
        self._entries: dict[tuple[str, bool], Entry] = {}  # only paths of the tree: bounded by it

    def get(self, key: str, html: bool) -> Entry | None:
        """The answer for WSGI ``PATH_INFO`` ``key``, None when the site must give it."""
        found = self._entries.get((key, html))
        if found is None:
            found = self._read(key, html)
            if found is not None:
                self._entries[key, html] = found
        return found

    def _read(self, key: str, html: bool) -> Entry | None:
        path = key.encode("latin-1").decode("utf-8", "surrogateescape").lstrip("/") or "index.html"
        stem, _, fmt = path.rpartition(".")
        feed = fmt in FEED_TYPES and archives.parse_path(path) is None  # a feed's current document
        if html and feed:
            if fmt != self.config.main_format:
                return None  # only that format's view is in the tree
            path, fmt = f"{stem}.html", "html"
        content_type = FEED_TYPES.get(fmt) or PAGE_TYPES.get(fmt) or STATIC_TYPES.get(path)
        if content_type is None or path not in self.paths:
            return None
        try:
            body = (self.out_dir / path).read_bytes()
        except OSError:
            return None
        link = websub.link_header(self.config, path) if self.config.websub_hub and feed and not html else None
        return Entry(body, content_type, None, self.config, self.loaded_at, link=link, negotiated=feed)


# ------------------------------------------------------------ the live site


class _State:
    __slots__ = ("site", "cache")

    def __init__(self, site: Site, loaded_at: float) -> None:
        self.site = site
        self.cache = SiteCache(site, loaded_at)


class LiveSite:
    """Holds the current :class:`Site` and swaps in a new one when the seeds change.

    The swap is one reference assignment (the site together with its cache of
    rendered answers), so a request sees either the old or the new catalog,
    never a half-updated one. A reload that fails keeps the last good site.
    """

    def __init__(self, config: Config, seeds_dir: Path | None = None, *, warm_start: bool = False) -> None:
        self.config = config
        self.seeds_dir = seeds_dir or config.seeds_dir
        self._lock = threading.Lock()
        listing, self._signature = self._scan()
        self.loaded_at = time.time()
        self._checked_at = time.monotonic()
        self.reload_error: str | None = None
        self._state: _State | None = None
        self._loaded = threading.Event()
        #: With ``warm_start`` and a static tree current for these seeds: what that build
        #: reported, and the tree, served until the site is loaded in the background.
        self.last_build = self._current_build(listing) if warm_start else None
        self.bridge: StaticTree | None = None
        if self.last_build is None:
            self._state = _State(load_cached_site(config, self.seeds_dir, listing), self.loaded_at)
            self._loaded.set()
        else:
            self.bridge = StaticTree(config, config.out_dir, tree_files(config.out_dir), self.loaded_at)
            threading.Thread(target=self._load_in_background, args=(listing,), name="feedsmith-load",
                             daemon=True).start()

    def _current_build(self, listing: Listing | None) -> uptodate.LastBuild | None:
        if listing is None:
            return None
        return uptodate.current(self.config, self.config.out_dir, self._signature)

    def _load_in_background(self, listing: Listing | None) -> None:
        try:
            site = load_cached_site(self.config, self.seeds_dir, listing)
        except Exception as exc:  # state() tries once more and reports what fails
            self.reload_error = f"{type(exc).__name__}: {exc}"
            log.exception("loading the site failed; serving the static tree meanwhile")
        else:
            self.site = site
            self.bridge = None
        finally:
            self._loaded.set()

    @property
    def loading(self) -> bool:
        """True while a warm start still serves the static tree."""
        return not self._loaded.is_set()

    @property
    def site(self) -> Site:
        """The loaded site (after a warm start's background load)."""
        self._loaded.wait()
        return (self._state or self.state()).site

    @site.setter
    def site(self, site: Site) -> None:
        self.loaded_at = time.time()
        self._state = _State(site, self.loaded_at)

    def _scan(self) -> tuple[Listing | None, str]:
        """The seeds listing and a signature that changes with any file's size or time."""
        if not self.seeds_dir.is_dir():
            return None, "no seeds folder"
        listing = article_files(self.seeds_dir, self.config.follow_symlinks)
        return listing, uptodate.signature(self.config, self.seeds_dir, listing)

    def state(self) -> _State:
        """The site and its cache, reloaded first if the seeds changed since the last look
        (during a warm start: once the site is loaded)."""
        self._loaded.wait()
        if self._state is None:  # the background load failed: once more, here, errors raised
            with self._lock:
                if self._state is None:
                    self.site = load_cached_site(self.config, self.seeds_dir)
                    self.bridge = None
                    self.reload_error = None
        if time.monotonic() - self._checked_at >= self.config.reload_interval:
            if self._lock.acquire(blocking=False):
                try:
                    self._reload_if_changed()
                finally:
                    self._lock.release()
        return self._state  # type: ignore[return-value]

    def current(self) -> Site:
        """The site, reloaded first if the seeds changed since the last look."""
        return self.state().site

    def _reload_if_changed(self) -> None:
        self._checked_at = time.monotonic()
        try:
            listing, signature = self._scan()
            if signature == self._signature:
                return
            site = load_cached_site(self.config, self.seeds_dir, listing)
        except Exception as exc:  # keep serving the last good feeds
            self.reload_error = f"{type(exc).__name__}: {exc}"
            log.exception("reload failed; still serving the previous feeds")
            return
        self.site, self._signature = site, signature
        self.reload_error = None


def _live() -> LiveSite:
    return current_app.extensions["feedsmith"]


# ------------------------------------------------------------ responses


class _FinalResponse(Response):
    """A response whose header list is final.

    werkzeug drops ``Last-Modified`` from 304s (it counts it as an entity
    header), but caches use it to refresh what they hold, so it is kept.
    """

    def get_wsgi_headers(self, environ: dict[str, Any]) -> Headers:
        return self.headers


def _reply_response(reply: Reply) -> Response:
    status, headers, body = reply
    response = _FinalResponse(body, status)
    response.headers = Headers(headers)
    return response


def _plain(status: int, text: str, extra: Iterable[tuple[str, str]] = ()) -> Response:
    response = Response(text, status=status, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    for name, value in extra:
        response.headers[name] = value
    return response


def _shown(path: str) -> str:
    return path if len(path) <= 100 else path[:100] + "…"


def _not_found(cache: SiteCache, path: str) -> Response:
    return _plain(404, f"No feed at /{_shown(path)}.\n{cache.listing}")


def _unavailable() -> Response:
    return _plain(503, "Feed temporarily unavailable; try again shortly.\n",
                  [("Retry-After", str(RETRY_AFTER_SECONDS))])


@bp.route("/healthz")
def healthz() -> Response:
    live = _live()
    if live.loading and live.last_build is not None:
        body = {"status": "starting", **health_counts(live.last_build),
                "last_reload": None, "reload_error": live.reload_error}
    else:
        state = live.state()
        body = {
            "status": "ok",
            **state.cache.health,
            "last_reload": datetime.fromtimestamp(state.cache.loaded_at, timezone.utc).isoformat(),
            "reload_error": live.reload_error,
        }
    response = Response(json.dumps(body) + "\n", content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/", defaults={"path": ""})
@bp.route("/<path:path>")
def serve(path: str) -> Response:
    cache = _live().state().cache
    if _CONTROL.search(path):
        return _plain(400, "Bad request: the path contains control characters.\n")
    if len(path) > MAX_PATH_CHARS or any(len(part) > MAX_SEGMENT_CHARS for part in path.split("/")):
        return _not_found(cache, path)
    html = prefers_html(request.environ.get("HTTP_ACCEPT", ""))
    try:
        entry = None
        if request.query_string and cache.feed_for(path) is not None:
            try:
                query = parse_query(request.args)
            except QueryError as exc:
                return _plain(400, f"Bad request: {exc}\n")
            if query:
                entry = cache.filtered(path, query, html)
        if entry is None:
            entry = cache.get(path, html)
    except RenderFailed:
        return _unavailable()
    if entry is None:
        return _not_found(cache, path)
    return _reply_response(entry.reply(request.environ))


@bp.after_app_request
def _harden(response: Response) -> Response:
    """Security headers on every answer (cached answers carry them already)."""
    headers = response.headers
    if "X-Content-Type-Options" in headers:
        return response
    for name, value in SECURITY_HEADERS:
        headers[name] = value
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = HTML_CSP if response.mimetype == "text/html" else OTHER_CSP
    return response


@bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    """Short plain-text errors (405 keeps its ``Allow``) instead of werkzeug's HTML pages."""
    if exc.code is None or exc.code < 400:
        return exc.get_response()
    text = f"{exc.code} {exc.name}"
    if exc.code == 405:
        text += ": only GET and HEAD are allowed"
    extra = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return _plain(exc.code, text + "\n", extra)


# ------------------------------------------------------------ WSGI fast path


class _CachedPaths:
    """Serves already-rendered paths straight from the cache, before Flask.

    Only GET/HEAD without a query string whose path has a cache entry (for a
    feed URL asked for by a browser, its HTML view's); the answer is
    byte-for-byte and header-for-header what the Flask view gives for the
    same entry. Everything else goes to Flask.
    """

    def __init__(self, wsgi_app: Callable[..., Any], live: LiveSite) -> None:
        self.wsgi_app = wsgi_app
        self.live = live

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if (method == "GET" or method == "HEAD") and not environ.get("QUERY_STRING"):
            key = environ.get("PATH_INFO") or "/"
            accept = environ.get("HTTP_ACCEPT")
            bridge = self.live.bridge
            if bridge is not None:
                entry = bridge.get(key, bool(accept) and prefers_html(accept))
            else:
                cache = self.live.state().cache
                entry = cache.entries.get(key)
                if accept and (entry is None or entry.negotiated) and prefers_html(accept):
                    entry = cache.views.get(key)
            if entry is not None:
                status, headers, body = entry.reply(environ)
                start_response(status, list(headers))
                return (body,) if method == "GET" and body else ()
        return self.wsgi_app(environ, start_response)


class DevRequestHandler(WSGIRequestHandler):
    """The development server's handler without its ``Server: Werkzeug/… Python/…`` line."""

    def send_response(self, code: int, message: str | None = None) -> None:
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())


class FeedsmithFlask(Flask):
    def run(self, host: str | None = None, port: int | None = None, debug: bool | None = None,
            load_dotenv: bool = False, **options: Any) -> None:
        """``Flask.run`` with :class:`DevRequestHandler`, and debug only when asked for.

        ``debug`` is always passed on as a bool, so ``FLASK_DEBUG`` in the
        environment cannot switch the debugger on; ``.env`` files are not read.
        """
        options.setdefault("request_handler", DevRequestHandler)
        super().run(host, port, bool(debug), load_dotenv, **options)


def create_app(config: Config, seeds_dir: Path | None = None, *, warm_start: bool = False) -> Flask:
    """The app. With ``warm_start``, when the static tree in ``out_dir`` is current for these
    seeds, it serves that tree's files at once and loads the site in the background
    (see :class:`StaticTree`); without, it is ready with the site loaded when this returns."""
    app = FeedsmithFlask(__name__)
    app.debug = False  # never from the environment (FLASK_DEBUG); only `serve --debug` via app.run
    app.config["FEEDSMITH"] = config
    live = LiveSite(config, seeds_dir, warm_start=warm_start)
    app.extensions["feedsmith"] = live
    app.register_blueprint(bp)
    app.wsgi_app = _CachedPaths(app.wsgi_app, live)  # type: ignore[method-assign]
    return app
