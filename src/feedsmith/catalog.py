"""Pure: articles in, feeds out (all, per topic, per provider, per category).

Duplicates (same canonical link) are merged keeping the richest record;
every feed is newest first; slugs are unique and stable.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timedelta, timezone
from typing import Any

from .config import Config
from .model import Article, Provider
from .text import slugify

KINDS = ("all", "topic", "provider", "category")
FOLDERS = {"topic": "topics", "provider": "providers", "category": "categories"}


@dataclass(frozen=True, slots=True)
class Feed:
    kind: str  # one of KINDS
    slug: str
    name: str
    articles: tuple[Article, ...]  # newest first, before any item limit
    provider: Provider | None = None

    @property
    def path(self) -> str:
        """Path in the feed tree without extension: ``all``, ``topics/ai`` …"""
        return "all" if self.kind == "all" else f"{FOLDERS[self.kind]}/{self.slug}"

    @property
    def updated(self) -> datetime | None:
        return max((a.modified for a in self.articles), default=None)

    def title(self, site_title: str) -> str:
        return site_title if self.kind == "all" else f"{site_title}: {self.name}"

    def description(self, site_title: str) -> str:
        return {
            "all": f"Every article in {site_title}",
            "topic": f"Articles about {self.name}",
            "provider": f"Articles from {self.name}",
            "category": f"Articles in the category {self.name}",
        }[self.kind]


@dataclass(frozen=True)
class Catalog:
    articles: tuple[Article, ...]
    feeds: dict[str, Feed]  # by path
    article_slugs: dict[str, str] = field(default_factory=dict)  # article id -> page slug
    feed_paths: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, group key) -> path

    def feeds_of(self, kind: str) -> list[Feed]:
        return [f for f in self.feeds.values() if f.kind == kind]

    def feed(self, path: str) -> Feed | None:
        return self.feeds.get(path)

    def page_slug(self, article: Article) -> str | None:
        return self.article_slugs.get(article.id)

    def page_path(self, article: Article) -> str | None:
        slug = self.article_slugs.get(article.id)
        return f"articles/{slug}.html" if slug else None

    def entry_url(self, article: Article, config: Config) -> str:
        """Where a reader's "open" goes: the source link, else the article's own page."""
        if article.link:
            return article.link
        return config.url(self.page_path(article) or "")

    @cached_property
    def _pages(self) -> dict[str, Article]:
        by_id = {a.id: a for a in self.articles}
        return {slug: by_id[aid] for aid, slug in self.article_slugs.items()}

    def pages(self) -> dict[str, Article]:
        return self._pages

    @cached_property
    def _kept_by_id(self) -> dict[str, Article]:
        return {a.id: a for a in self.articles}

    @cached_property
    def _rank(self) -> dict[str, int]:
        return {path: rank for rank, path in enumerate(self.feeds)}

    def feeds_containing(self, article: Article) -> list[Feed]:
        """The topic, provider and category feeds an article appears in (those of the
        record kept for its id), found from its own fields rather than an index of
        every feed's members, which would cost more than a one-file rebuild."""
        kept = self._kept_by_id.get(article.id)
        if kept is None:
            return []
        fields = (kept.topics, kept.provider, kept.category)  # all that group keys come from
        found = self._containing.get(fields)
        if found is None:  # articles share a few hundred combinations: each is worked out once
            paths = {self.feed_paths[kind, key] for kind in GROUPED for key in group_keys(kind, kept)}
            found = [self.feeds[path] for path in sorted(paths, key=self._rank.__getitem__)]
            self._containing[fields] = found
        return list(found)

    @cached_property
    def _containing(self) -> dict[tuple[Any, ...], list[Feed]]:
        return {}


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def newest_first(articles: Iterable[Article]) -> tuple[Article, ...]:
    # Exact instants as integers: comparing aware datetimes asks their time zones for the
    # offset on every comparison, which dominated sorting 100,000 articles.
    return tuple(sorted(articles, key=lambda a: ((a.date - _EPOCH) // _MICROSECOND, a.id), reverse=True))


def dedupe(articles: Iterable[Article]) -> list[Article]:
    """One article per id (the canonical link, or the content tag), the richest kept."""
    best: dict[str, Article] = {}
    for article in articles:
        current = best.get(article.id)
        if current is None or _preference(article) > _preference(current):
            best[article.id] = article
    return list(best.values())


def _preference(article: Article) -> tuple[int, datetime, str]:
    # Ties go to the lexically smaller path, so the choice never depends on read order.
    return (article.richness(), article.date, _invert(article.source_path))


def _invert(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in text[:200])


def unique_slugs(names: Iterable[str], fallback: str) -> dict[str, str]:
    """A slug per name, unique and independent of the order names arrive in.

    When names collide (``C++`` and ``C``), the one closest to its slug keeps
    the plain slug and the others get a suffix from a hash of their own name.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for name in sorted(set(names)):
        groups[slugify(name, fallback)].append(name)
    slugs: dict[str, str] = {}
    for slug, members in groups.items():
        members.sort(key=lambda n: (_distance(n, slug), n))
        slugs[members[0]] = slug
        for name in members[1:]:
            digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:6]
            slugs[name] = f"{slug}-{digest}"
    return slugs


def _distance(name: str, slug: str) -> int:
    return abs(len(name) - len(slug)) + sum(1 for c in name if not c.isascii())


GROUPED = ("topic", "provider", "category")  # the kinds of feed an article files itself under


def _names(kind: str, article: Article) -> tuple[str, ...]:
    """What ``article`` names for a kind of feed, as written (providers: domain or name)."""
    if kind == "topic":
        return article.topics
    if kind == "category":
        return (article.category,) if article.category else ()
    return (article.provider.key,) if article.provider else ()


def group_keys(kind: str, article: Article) -> list[str]:
    """The keys of the ``kind`` feeds ``article`` belongs to: its names, case-insensitively."""
    return list(dict.fromkeys(name.casefold() for name in _names(kind, article)))


def _group(articles: tuple[Article, ...], kind: str) -> tuple[dict[str, list[Article]], dict[str, dict[str, int]]]:
    """Members per group key (in the order given) and how often each spelling of the key occurs.

    One tight pass: at 100,000 articles this is a good part of a warm start.
    """
    groups: dict[str, list[Article]] = {}
    spellings: dict[str, dict[str, int]] = {}
    for article in articles:
        for name in _names(kind, article):
            key = name.casefold()
            counts = spellings.get(key)
            if counts is None:
                spellings[key] = {name: 1}
                groups[key] = [article]
                continue
            counts[name] = counts.get(name, 0) + 1
            members = groups[key]
            if members[-1] is not article:  # a name repeated in one article counts once as membership
                members.append(article)
    return groups, spellings


def _most_used(counts: dict[str, int]) -> str:
    """The spelling used most often (ties: alphabetical)."""
    return min(counts, key=lambda v: (-counts[v], v))


def _feeds_by_name(kind: str, articles: tuple[Article, ...]) -> list[tuple[str, Feed]]:
    groups, spellings = _group(articles, kind)
    names = {key: _most_used(counts) for key, counts in spellings.items()}
    slugs = unique_slugs(names.values(), kind)
    return [(key, Feed(kind, slugs[names[key]], names[key], tuple(members))) for key, members in groups.items()]


def _provider_feeds(articles: tuple[Article, ...]) -> list[tuple[str, Feed]]:
    groups, _ = _group(articles, "provider")
    providers: dict[str, Provider] = {}
    for key, members in groups.items():
        named: dict[str, int] = {}
        domain = None
        for article in members:
            provider = article.provider
            named[provider.name] = named.get(provider.name, 0) + 1  # type: ignore[union-attr]
            domain = domain or provider.domain  # type: ignore[union-attr]
        providers[key] = Provider(_most_used(named), domain)
    slugs = unique_slugs((p.key for p in providers.values()), "provider")
    return [(key, Feed("provider", slugs[providers[key].key], providers[key].name, tuple(members), providers[key]))
            for key, members in groups.items()]


def _article_slugs(articles: tuple[Article, ...]) -> dict[str, str]:
    """Pages for articles without a source link, so every entry has somewhere to open."""
    slugs: dict[str, str] = {}
    for article in articles:
        if article.link is None:
            digest = hashlib.sha256(article.id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            slugs[article.id] = f"{slugify(article.title, 'article')[:60].rstrip('-')}-{digest}"
    return slugs


def build_catalog(articles: Iterable[Article], config: Config | None = None) -> Catalog:
    kept = newest_first(dedupe(articles))
    grouped = [*_feeds_by_name("topic", kept), *_provider_feeds(kept), *_feeds_by_name("category", kept)]
    feeds = [Feed("all", "all", "All articles", kept), *(feed for _, feed in grouped)]
    ordered = sorted(feeds, key=lambda f: (KINDS.index(f.kind), f.slug))
    return Catalog(kept, {f.path: f for f in ordered}, _article_slugs(kept),
                   {(feed.kind, key): feed.path for key, feed in grouped})
