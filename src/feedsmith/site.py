"""The feed tree as a mapping of paths to bytes: the one rendering path.

The web app serves ``Site.get(path)`` and the static build writes every
``Site.paths()`` entry, so a URL served and a file written are byte-identical.
That includes each feed's RFC 5005 archives (``<feed>/archive/YYYY-MM.<fmt>``,
planned by :mod:`feedsmith.archives`).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from . import archives as archives_module
from . import catalog as catalog_module
from . import pages, render
from .archives import Archive, ArticleFacts
from .catalog import Catalog, Feed
from .config import Config
from .load import LoadResult
from .model import Article, ArticleStub, line_weight, source_line

FEED_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
PAGE_TYPES = {
    "html": "text/html; charset=utf-8",
    "opml": "text/x-opml; charset=utf-8",
}
# Files shipped in the package (feedsmith/static/) and served as they are.
STATIC_TYPES = {
    render.STYLESHEET_PATH: "text/xsl; charset=utf-8",  # what browsers accept for XSLT (also with nosniff)
}
# Full articles a site keeps after reading them for rendering (stubs stay stubs): more
# than one month's articles across feeds at 100k, which is what archives reuse.
FULL_ARTICLES_KEPT = 1_000
_WEIGHT_MASK = (1 << 64) - 1


@cache
def static_file(name: str) -> bytes:
    """The bytes of a file in ``feedsmith/static``."""
    return resources.files("feedsmith").joinpath("static", name).read_bytes()


@dataclass(frozen=True, slots=True)
class Resource:
    body: bytes
    content_type: str


class Site:
    def __init__(self, catalog: Catalog, config: Config, load: LoadResult | None = None) -> None:
        self.catalog = catalog
        self.config = config
        self.load = load or LoadResult(list(catalog.articles))
        # Per-feed archive plans and per-article fingerprint lines, filled on first use
        # (the live app only ever plans the feeds it is asked about).
        self._plans: dict[str, tuple[Archive, ...]] = {}
        self._plan_keys: dict[str, dict[str, Archive]] = {}
        self._lines: dict[str, bytes | None] = {}
        self._group_digests: dict[tuple[str, str], bytes | None] = {}
        self._facts: dict[str, ArticleFacts] = {}  # per article, filled as archives are planned
        self._recorded_keys: dict[str, tuple[str, ...]] = {}  # see assume_archive_keys
        self._full: OrderedDict[str, Article] = OrderedDict()  # recently hydrated, by article id
        self._full_lock = threading.Lock()

    def full(self, articles: Sequence[Article]) -> list[Article]:
        """The full articles (with bodies) for what the catalog holds, which may be stubs.

        Recently used ones are kept: an article is rendered in several feeds and formats.
        """
        with self._full_lock:
            known = {a.id: self._full[a.id] for a in articles if a.id in self._full}
        missing = [a for a in articles if a.id not in known]
        if missing:
            fetched = self.load.hydrate(missing, self.config)
            with self._full_lock:
                for article in fetched:
                    known[article.id] = self._full[article.id] = article
                    self._full.move_to_end(article.id)
                while len(self._full) > FULL_ARTICLES_KEPT:
                    self._full.popitem(last=False)
        return [known[a.id] for a in articles]

    def for_view(self, feed: Feed, count: int | None = None) -> Feed:
        """``feed`` with what its HTML view shows of its newest ``count`` (default: item_limit)
        articles: a stub has all of it but the text shown for an article without a summary,
        so only those are read in full."""
        count = self.config.item_limit if count is None else count
        shown = feed.articles[:max(count, 0)]
        lacking = [a for a in shown if isinstance(a, ArticleStub) and pages.view_needs_body(a)]
        if not lacking:
            return feed
        full = {a.id: a for a in self.full(lacking)}
        return replace(feed, articles=(*(full.get(a.id, a) for a in shown), *feed.articles[len(shown):]))

    @cached_property
    def _feed_paths(self) -> dict[str, tuple[Feed, str]]:
        return {
            f"{feed.path}.{fmt}": (feed, fmt)
            for feed in self.catalog.feeds.values()
            for fmt in self.config.formats
        }

    @cached_property
    def _view_paths(self) -> dict[str, Feed]:
        """Each feed's HTML view, ``topics/ai.html``: what a browser gets for ``topics/ai.atom``."""
        return {pages.view_path(feed): feed for feed in self.catalog.feeds.values()}

    @cached_property
    def _page_paths(self) -> dict[str, str]:
        return {f"articles/{slug}.html": slug for slug in self.catalog.article_slugs.values()}

    def archives(self, feed: Feed) -> tuple[Archive, ...]:
        """The feed's archives, newest first (empty when ``archives: false``)."""
        found = self._plans.get(feed.path)
        if found is None:
            found = archives_module.plan(feed, self.config, self._facts)
            self._plan_keys[feed.path] = {a.key: a for a in found}
            self._plans[feed.path] = found
        return found

    def archive(self, path: str) -> Archive | None:
        """The archive a path of the tree names, or None when it is not an archive."""
        parsed = archives_module.parse_path(path)
        if parsed is None or not self.config.archives or parsed[2] not in self.config.formats:
            return None
        feed = self.catalog.feed(parsed[0])
        if feed is None:
            return None
        self.archives(feed)
        return self._plan_keys[feed.path].get(parsed[1])

    def archive_keys(self, feed: Feed) -> tuple[str, ...]:
        """The keys of the feed's archives, newest first: recorded ones (see
        :meth:`assume_archive_keys`) without planning, else from its plan."""
        recorded = self._recorded_keys.get(feed.path)
        return recorded if recorded is not None else tuple(a.key for a in self.archives(feed))

    def assume_archive_keys(self, feed: Feed, keys: tuple[str, ...]) -> None:
        """Take ``keys`` as the feed's archive keys when listing paths, instead of planning.

        For a feed whose :meth:`feed_state` is the one an earlier build recorded
        with these keys: its plan would give the same ones.
        """
        assert "_paths" not in self.__dict__, "paths already listed"
        self._recorded_keys[feed.path] = keys

    def documents(self, feed: Feed, archive_keys: tuple[str, ...]) -> list[str]:
        """The paths of a feed's documents: current ones, its HTML view, its archives."""
        return [*(f"{feed.path}.{fmt}" for fmt in self.config.formats), pages.view_path(feed),
                *(path for key in archive_keys for path in self._archive_documents(feed, key))]

    def _archive_documents(self, feed: Feed, key: str) -> list[str]:
        """The paths of one archive of a feed, one per published format."""
        return [archives_module.archive_path(feed, key, fmt) for fmt in self.config.formats]

    def _archive_paths(self) -> list[str]:
        """Month by month, newest first, across feeds: an article is in several feeds'
        archives of the same month, so rendering them together reads it in full once."""
        found = [(key, feed) for feed in self.catalog.feeds.values() for key in self.archive_keys(feed)]
        found.sort(key=lambda found: found[0], reverse=True)
        return [path for key, feed in found for path in self._archive_documents(feed, key)]

    @cached_property
    def _code_and_config(self) -> bytes:
        """Everything besides the articles that rendered bytes depend on."""
        digest = hashlib.sha256(self.config.output_settings().encode())
        for module in (render, pages, catalog_module, archives_module):
            digest.update(Path(module.__file__).read_bytes())  # type: ignore[arg-type]
        return digest.digest()

    def fingerprint(self, path: str) -> str | None:
        """A key that changes whenever the bytes for ``path`` may change (None: unknown).

        Lets the static build skip rendering a feed whose entries are the same
        as last time; it hashes what the feed shows, never the rendered bytes.
        """
        digests = self.load.digests
        if not digests:
            return None
        newest_archive = ""
        if path in self._feed_paths:
            feed, fmt = self._feed_paths[path]
            shown = feed.articles[: self.config.item_limit]
            plan = self.archives(feed)
            newest_archive = plan[0].key if plan else ""
        elif (archive := self.archive(path)) is not None:
            return self._archive_fingerprint(path, archive)
        elif path in ("index.html", "feeds.opml"):
            return self._listing_fingerprint(path)
        elif path in self._view_paths:
            feed = self._view_paths[path]
            shown = feed.articles[: self.config.item_limit]
            path += "|" + repr((feed.name, feed.provider, len(feed.articles)))
        elif path in self._page_paths:
            article = self.catalog.pages()[self._page_paths[path]]
            shown = (article,)
            # The page links to these feeds by name, which follows their articles' spellings.
            path += "|" + repr([(f.path, f.name) for f in self.catalog.feeds_containing(article)])
        else:
            return None
        digest = hashlib.sha256(self._code_and_config)
        digest.update(path.encode())
        if path in self._feed_paths:
            digest.update(repr((feed.name, feed.provider, newest_archive)).encode())
        for article in shown:
            line = self._line(article)
            if line is None:
                return None
            digest.update(line)
        return digest.hexdigest()

    def feed_state(self, feed: Feed) -> str | None:
        """A key that changes whenever any document of ``feed`` may change: its current
        documents, HTML view and archives (None: unknown).

        All of them are made from the feed's name, its articles and the code and
        settings. A build that finds a feed in the state it recorded keeps the
        feed's documents and their fingerprints without planning its archives or
        hashing them one by one, which is what made a one-file rebuild grow with
        the corpus. The articles' order follows from the articles themselves
        (date, then id), so their set is what counts: a sum of per-article
        64-bit hashes, one addition per article and feed.
        """
        articles = self._set_digest(feed.articles)
        if articles is None:
            return None
        digest = hashlib.sha256(self._code_and_config)
        digest.update(repr((feed.path, feed.name, feed.provider)).encode())
        digest.update(articles)
        return digest.hexdigest()

    def _set_digest(self, articles: Sequence[Article]) -> bytes | None:
        """Stands for a set of the catalog's articles (their order follows from the articles
        themselves): their number and the sum of their weights (None: a weight is unknown)."""
        weights = self._weights
        if weights is None:
            return None
        return b"%d %d" % (len(articles), sum([weights[article.id] for article in articles]) & _WEIGHT_MASK)

    @cached_property
    def _weights(self) -> dict[str, int] | None:
        """The :func:`~feedsmith.model.line_weight` of every article the catalog keeps (None: some
        source digest is unknown), taken from the load where known: hashing 100,000 lines
        took 0.3 s of a one-file rebuild."""
        known = self.load.weights
        weights: dict[str, int] = {}
        for article in self.catalog.articles:
            weight = known.get(article.source_path)
            if weight is None:
                line = self._line(article)
                if line is None:
                    return None
                weight = line_weight(line)
            weights[article.id] = weight
        return weights

    def _content_key(self, article: Article) -> tuple[bytes, bytes] | None:
        """How rendered entries are cached instead of by hashing whole articles: the source
        file's digest, first-seen time and id (:meth:`_line`) with the code and settings,
        so an entry rendered already needs neither the article's body nor its hash."""
        line = self._line(article)
        return None if line is None else (line, self._code_and_config)

    def _line(self, article: Article) -> bytes | None:
        """What an article contributes to a fingerprint (None: its source digest is unknown)."""
        line = self._lines.get(article.id, b"")
        if line == b"":
            source = self.load.digests.get(article.source_path)
            line = None if source is None else source_line(source, article)
            self._lines[article.id] = line
        return line

    def _listing_fingerprint(self, path: str) -> str | None:
        """The index and the OPML list show every feed's name, size and newest article,
        and the number of articles, those with reader warnings and the newest change."""
        listed = self._listed
        return None if listed is None else hashlib.sha256(listed + path.encode()).hexdigest()

    @cached_property
    def _listed(self) -> bytes | None:
        """What :meth:`_listing_fingerprint` covers, hashed once for both documents."""
        digest = hashlib.sha256(self._code_and_config)
        for feed in self.catalog.feeds.values():
            newest = self._line(feed.articles[0]) if feed.articles else b""
            if newest is None:
                return None
            digest.update(repr((feed.path, feed.name, feed.provider, len(feed.articles))).encode())
            digest.update(newest)
        articles = self.catalog.articles
        latest = max((a.modified for a in articles), default=None)
        digest.update(repr((len(articles), sum(1 for a in articles if a.warnings),
                            latest.isoformat() if latest else None)).encode())
        return digest.digest()

    def _archive_fingerprint(self, path: str, archive: Archive) -> str | None:
        """Depends on the archive's own articles and its neighbours only, never on newer articles."""
        group = (archive.feed.path, archive.key)
        if group not in self._group_digests:  # shared by the three formats
            self._group_digests[group] = self._set_digest(archive.articles)
        articles = self._group_digests[group]
        if articles is None:
            return None
        digest = hashlib.sha256(self._code_and_config)
        feed = archive.feed
        digest.update(repr((path, feed.name, feed.provider, archive.newer, archive.older)).encode())
        digest.update(articles)
        return digest.hexdigest()

    def feed_paths(self) -> list[str]:
        """The feeds' current documents: what readers subscribe to and a WebSub hub announces."""
        return list(self._feed_paths)

    def paths(self) -> list[str]:
        """Every path of the tree (planned once: a build asks for them several times)."""
        return list(self._paths)

    @cached_property
    def _paths(self) -> tuple[str, ...]:
        return ("index.html", "feeds.opml", *STATIC_TYPES, *self._feed_paths, *self._view_paths,
                *self._archive_paths(), *self._page_paths)

    def get(self, path: str) -> Resource | None:
        """The bytes for a path of the tree, or None when there is no such path."""
        if path in ("", "index.html"):
            return Resource(pages.render_index(self.catalog, self.config), PAGE_TYPES["html"])
        if path == "feeds.opml":
            return Resource(pages.render_opml(self.catalog, self.config), PAGE_TYPES["opml"])
        if path in self._feed_paths:
            feed, fmt = self._feed_paths[path]
            plan = self.archives(feed)
            links = {"prev-archive": self.config.url(plan[0].path(fmt))} if plan else None
            # With archives, the current document never drops entries it should hold
            # (they would be in no document at all): they shrink to their summaries.
            fit = "shrink" if self.config.archives else "drop"
            return Resource(self.render_feed(feed, fmt, links=links, fit=fit), FEED_TYPES[fmt])
        archive = self.archive(path)
        if archive is not None:
            fmt = path.rpartition(".")[2]
            return Resource(self._render_archive(archive, fmt), FEED_TYPES[fmt])
        if path in self._view_paths:
            return self.view(f"{self._view_paths[path].path}.{self.config.main_format}")
        if path in STATIC_TYPES:
            return Resource(static_file(path), STATIC_TYPES[path])
        if path in self._page_paths:
            article = self.catalog.pages()[self._page_paths[path]]
            return Resource(pages.render_article(self.full([article])[0], self.catalog, self.config),
                            PAGE_TYPES["html"])
        return None

    def view(self, path: str) -> Resource | None:
        """The HTML view of the feed document at ``path`` (``topics/ai.rss``), None for other paths.

        What the live app answers a browser asking for a feed URL; the view of
        the ``config.main_format`` document is also the static ``<feed>.html``.
        """
        found = self._feed_paths.get(path)
        if found is None:
            return None
        feed, fmt = found
        return Resource(pages.render_feed_view(self.for_view(feed), fmt, self.catalog, self.config),
                        PAGE_TYPES["html"])

    def _render_archive(self, archive: Archive, fmt: str) -> bytes:
        url = self.config.url
        links = {"current": url(f"{archive.feed.path}.{fmt}")}
        if archive.older:
            links["prev-archive"] = url(archives_module.archive_path(archive.feed, archive.older, fmt))
        if archive.newer:
            links["next-archive"] = url(archives_module.archive_path(archive.feed, archive.newer, fmt))
        return self.render_feed(archive.feed, fmt, limit=len(archive.articles), self_path=archive.path(fmt),
                                links=links, articles=archive.articles, archive=True, fit="keep")

    def render_feed(self, feed: Feed, fmt: str, **options: Any) -> bytes:
        """:func:`render.render_feed` for this site's feeds, whose articles may be stubs: rendered
        entries are reused by content key and only the others are read in full."""
        return render.render_feed(feed, fmt, self.catalog, self.config, content_key=self._content_key,
                                  hydrate=self.full, **options)
