"""The feed tree as a mapping of paths to bytes: the one rendering path.

The web app serves ``Site.get(path)`` and the static build writes every
``Site.paths()`` entry, so a URL served and a file written are byte-identical.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from . import catalog as catalog_module
from . import pages, render
from .catalog import Catalog, Feed
from .config import Config
from .load import LoadResult

FEED_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
PAGE_TYPES = {
    "html": "text/html; charset=utf-8",
    "opml": "text/x-opml; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class Resource:
    body: bytes
    content_type: str


class Site:
    def __init__(self, catalog: Catalog, config: Config, load: LoadResult | None = None) -> None:
        self.catalog = catalog
        self.config = config
        self.load = load or LoadResult(list(catalog.articles))

    @cached_property
    def _feed_paths(self) -> dict[str, tuple[Feed, str]]:
        return {
            f"{feed.path}.{fmt}": (feed, fmt)
            for feed in self.catalog.feeds.values()
            for fmt in FEED_TYPES
        }

    @cached_property
    def _page_paths(self) -> dict[str, str]:
        return {f"articles/{slug}.html": slug for slug in self.catalog.article_slugs.values()}

    @cached_property
    def _code_and_config(self) -> bytes:
        """Everything besides the articles that rendered bytes depend on."""
        digest = hashlib.sha256(repr(self.config).encode())
        for module in (render, pages, catalog_module):
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
        if path in self._feed_paths:
            feed, fmt = self._feed_paths[path]
            shown = feed.articles[: self.config.item_limit]
        elif path in self._page_paths:
            article = self.catalog.pages()[self._page_paths[path]]
            shown = (article,)
            path += "|" + ",".join(f.path for f in self.catalog.feeds_containing(article))
        else:
            return None
        digest = hashlib.sha256(self._code_and_config)
        digest.update(path.encode())
        if path in self._feed_paths:
            digest.update(repr((feed.name, feed.provider)).encode())
        for article in shown:
            source = digests.get(article.source_path)
            if source is None:
                return None
            digest.update(f"{source}|{article.observed.isoformat()}|{article.id}\n".encode())
        return digest.hexdigest()

    def paths(self) -> list[str]:
        return ["index.html", "feeds.opml", *self._feed_paths, *self._page_paths]

    def get(self, path: str) -> Resource | None:
        """The bytes for a path of the tree, or None when there is no such path."""
        if path in ("", "index.html"):
            return Resource(pages.render_index(self.catalog, self.config), PAGE_TYPES["html"])
        if path == "feeds.opml":
            return Resource(pages.render_opml(self.catalog, self.config), PAGE_TYPES["opml"])
        if path in self._feed_paths:
            feed, fmt = self._feed_paths[path]
            return Resource(render.render_feed(feed, fmt, self.catalog, self.config), FEED_TYPES[fmt])
        if path in self._page_paths:
            article = self.catalog.pages()[self._page_paths[path]]
            return Resource(pages.render_article(article, self.catalog, self.config), PAGE_TYPES["html"])
        return None
