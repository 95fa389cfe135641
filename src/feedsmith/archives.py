"""RFC 5005 archives: which older articles of a feed go into which archive document.

Pure: a feed and the config in, a list of :class:`Archive` out. The feed's
current document holds its newest ``item_limit`` articles; every older one is
in exactly one archive, one per calendar month (UTC) of its date::

    topics/ai.atom                      current: newest item_limit entries, prev-archive ->
    topics/ai/archive/2024-04.atom      the rest of April 2024 (newest archive), prev-archive ->
    topics/ai/archive/2024-03.atom      all of March 2024 ...

So a reader that follows ``prev-archive`` from the current document sees every
article of the feed exactly once. An archive's entries (and therefore its
bytes) only change when an article in it changes; the one exception is the
newest archive, which the current document's window moves into as new
articles arrive (and which gains a ``next-archive`` link when a newer archive
appears), so only that one is not served as immutable.

A month whose articles would clearly not fit the byte budget
(``feed_max_bytes``, estimated from the article text) is split into halves,
``YYYY-MM-1`` (days 1-15) and ``YYYY-MM-2`` (16th to the end). The decision
looks at all of the feed's articles of that month, so it only changes when
one of them does. Archives are never truncated: an entry that does not fit in
full is written with its summary only, and a document whose summaries alone
exceed the budget is written larger than the budget rather than incomplete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timezone
from typing import NamedTuple

from .catalog import Feed
from .config import Config
from .model import Article

FOLDER = "archive"
# Rough bytes an entry adds besides its text (ids, links, dates, markup), per format.
ENTRY_OVERHEAD = 1_200
_PATH = re.compile(r"^(?P<feed>.+)/" + FOLDER + r"/(?P<key>\d{4}-\d{2}(?:-[12])?)\.(?P<fmt>rss|atom|json)$")


class ArticleFacts(NamedTuple):
    """What archive planning needs of an article, computed once per article (a named tuple:
    planning a feed of 100,000 articles makes one for each)."""

    month: str  # "2024-03" (UTC)
    second_half: bool  # on or after the 16th (UTC)
    size: int  # rough bytes of one rendered entry


@dataclass(frozen=True, slots=True)
class Archive:
    feed: Feed
    key: str  # "2024-03", or "2024-03-1" / "2024-03-2" for a split month
    articles: tuple[Article, ...]  # newest first
    newer: str | None  # key of the next newer archive (None: this is the newest)
    older: str | None  # key of the next older archive (None: this is the oldest)

    def path(self, fmt: str) -> str:
        return archive_path(self.feed, self.key, fmt)

    @property
    def newest(self) -> bool:
        return self.newer is None


def archive_path(feed: Feed, key: str, fmt: str) -> str:
    return f"{feed.path}/{FOLDER}/{key}.{fmt}"


def parse_path(path: str) -> tuple[str, str, str] | None:
    """``topics/ai/archive/2024-03.atom`` -> ``("topics/ai", "2024-03", "atom")``; else None."""
    found = _PATH.match(path)
    return (found["feed"], found["key"], found["fmt"]) if found else None


def facts(article: Article, config: Config, full: bool | None = None) -> ArticleFacts:
    """``full``: whether any format carries full content (looked up when not given)."""
    when = article.date.astimezone(timezone.utc)
    size = ENTRY_OVERHEAD + len(article.title or "") + len(article.summary or "")
    if full is None:
        full = _any_full(config)
    if full:
        size += article.text_size()
    month = _MONTHS.get((when.year, when.month))
    if month is None:
        month = _MONTHS[when.year, when.month] = f"{when.year:04d}-{when.month:02d}"
    return ArticleFacts(month, when.day > 15, size)


_MONTHS: dict[tuple[int, int], str] = {}  # (year, month) -> "YYYY-MM", made once each


def _any_full(config: Config) -> bool:
    """Whether a published format carries full content (archive sizes are estimated for it)."""
    return any(config.content_mode(fmt) == "full" for fmt in config.formats)


def plan(feed: Feed, config: Config, known: dict[str, ArticleFacts] | None = None) -> tuple[Archive, ...]:
    """The feed's archives, newest first; empty when archives are off or nothing is older.

    ``known`` maps article ids to their :func:`facts`; the ones computed here are added
    (shared by the feeds of a site, so each article's facts are computed once).
    """
    older = feed.articles[config.item_limit:] if config.archives else ()
    if not older:
        return ()

    full = _any_full(config)
    memo = known if known is not None else {}

    def fact(article: Article) -> ArticleFacts:
        found = memo.get(article.id)
        if found is None:
            found = memo[article.id] = facts(article, config, full)
        return found

    older_facts = [fact(a) for a in older]
    # The month the current document reaches into counts in full for the split decision.
    sizes: dict[str, int] = {}
    boundary = older_facts[0].month
    for article in reversed(feed.articles[:config.item_limit]):
        f = fact(article)
        if f.month != boundary:
            break
        sizes[boundary] = sizes.get(boundary, 0) + f.size
    for f in older_facts:
        sizes[f.month] = sizes.get(f.month, 0) + f.size
    groups: dict[str, list[Article]] = {}
    for article, f in zip(older, older_facts):
        key = f.month
        if sizes[f.month] > config.feed_max_bytes:
            key += "-2" if f.second_half else "-1"
        groups.setdefault(key, []).append(article)
    keys = list(groups)  # newest first: the feed is sorted by date
    return tuple(
        Archive(feed, key, tuple(groups[key]), keys[i - 1] if i else None,
                keys[i + 1] if i + 1 < len(keys) else None)
        for i, key in enumerate(keys)
    )
