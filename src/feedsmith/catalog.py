"""Pure: articles in, feeds out (all, per topic, per provider, per category).

Duplicates (same canonical link) are merged keeping the richest record;
every feed is newest first; slugs are unique and stable.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timedelta, timezone

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
    def _membership(self) -> dict[str, list[Feed]]:
        index: dict[str, list[Feed]] = defaultdict(list)
        for feed in self.feeds.values():
            if feed.kind != "all":
                for article in feed.articles:
                    index[article.id].append(feed)
        return index

    def feeds_containing(self, article: Article) -> list[Feed]:
        """The topic, provider and category feeds an article appears in."""
        return self._membership.get(article.id, [])


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


def _group(
    articles: tuple[Article, ...], keys: Callable[[Article], Iterable[str]]
) -> dict[str, list[Article]]:
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        for key in dict.fromkeys(keys(article)):
            groups[key].append(article)
    return groups


def _display_names(articles: tuple[Article, ...], values: Callable[[Article], Iterable[str]]) -> dict[str, str]:
    """Case-insensitive key -> the spelling used most often (ties: alphabetical)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for value in values(article):
            counts[value.casefold()][value] += 1
    return {k: min(c, key=lambda v: (-c[v], v)) for k, c in counts.items()}


def _feeds_by_name(
    kind: str, articles: tuple[Article, ...], values: Callable[[Article], Iterable[str]]
) -> list[Feed]:
    names = _display_names(articles, values)
    slugs = unique_slugs(names.values(), kind)
    groups = _group(articles, lambda a: (v.casefold() for v in values(a)))
    return [
        Feed(kind, slugs[names[key]], names[key], tuple(members))
        for key, members in groups.items()
    ]


def _provider_feeds(articles: tuple[Article, ...]) -> list[Feed]:
    groups = _group(articles, lambda a: [a.provider.key.casefold()] if a.provider else [])
    providers: dict[str, Provider] = {}
    for key, members in groups.items():
        named = Counter(a.provider.name for a in members if a.provider)
        name = min(named, key=lambda n: (-named[n], n))
        domain = next((a.provider.domain for a in members if a.provider and a.provider.domain), None)
        providers[key] = Provider(name, domain)
    slugs = unique_slugs((p.key for p in providers.values()), "provider")
    return [
        Feed("provider", slugs[providers[key].key], providers[key].name, tuple(members), providers[key])
        for key, members in groups.items()
    ]


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
    feeds = [Feed("all", "all", "All articles", kept)]
    feeds += _feeds_by_name("topic", kept, lambda a: a.topics)
    feeds += _provider_feeds(kept)
    feeds += _feeds_by_name("category", kept, lambda a: [a.category] if a.category else [])
    ordered = sorted(feeds, key=lambda f: (KINDS.index(f.kind), f.slug))
    return Catalog(kept, {f.path: f for f in ordered}, _article_slugs(kept))
