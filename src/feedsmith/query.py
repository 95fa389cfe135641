"""Feed query parameters: ``?limit=&q=&topic=&provider=&since=``. Pure.

:func:`parse_query` validates a request's parameters into a :class:`FeedQuery`
(or raises :class:`QueryError` with a one-line reason for a 400), and
:func:`apply` narrows a feed to the articles that match every given parameter.
The item limit is not applied here: it is passed on to the renderer, which
also enforces the byte budget.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from urllib.parse import quote

from .catalog import Catalog, Feed

PARAMS = ("limit", "q", "topic", "provider", "since")
LIMIT_MAX = 1000
VALUE_MAX = 200  # characters in any one value
_DIGITS = re.compile(r"[0-9]{1,7}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# "2024-05-01T08:00:00 08:00": a "+" of an offset that arrived unencoded became a space.
_SPACED_OFFSET = re.compile(r"^(.*[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?) (\d\d(?::?\d\d)?)$")


class QueryError(ValueError):
    """A parameter the feed URLs do not accept; the message is the reason."""


@dataclass(frozen=True, slots=True)
class FeedQuery:
    limit: int | None = None
    q: str | None = None  # casefolded
    topic: str | None = None  # casefolded slug or name
    provider: str | None = None  # casefolded slug, domain or name
    since: datetime | None = None  # aware, UTC

    def __bool__(self) -> bool:
        return any(getattr(self, name) is not None for name in PARAMS)

    @property
    def filters(self) -> bool:
        """True when some parameter narrows the articles (anything but ``limit``)."""
        return any(v is not None for v in (self.q, self.topic, self.provider, self.since))

    def canonical(self) -> str:
        """The normalised query string (sorted, no leading ``?``); equal queries give equal strings."""
        parts = []
        for name in sorted(PARAMS):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, datetime):
                value = value.isoformat().replace("+00:00", "Z")
            parts.append(f"{name}={quote(str(value), safe='-._~:')}")
        return "&".join(parts)


def _values(args: Mapping[str, str], name: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    return list(getlist(name)) if getlist is not None else [args[name]]


def _text(name: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise QueryError(f"parameter '{name}' is empty")
    if len(value) > VALUE_MAX:
        raise QueryError(f"parameter '{name}' is longer than {VALUE_MAX} characters")
    if _CONTROL.search(value):
        raise QueryError(f"parameter '{name}' contains control characters")
    return value


def _limit(value: str) -> int:
    value = value.strip()
    if not _DIGITS.fullmatch(value):
        raise QueryError(f"limit must be a whole number from 1 to {LIMIT_MAX}, got {value[:40]!r}")
    limit = int(value)
    if not 1 <= limit <= LIMIT_MAX:
        raise QueryError(f"limit must be a whole number from 1 to {LIMIT_MAX}, got {limit}")
    return limit


def parse_since(value: str) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is UTC."""
    text = value.strip()
    spaced = _SPACED_OFFSET.match(text)
    if spaced:
        text = f"{spaced.group(1)}+{spaced.group(2)}"
    try:
        when = datetime.fromisoformat(text) if len(text) <= 40 else None
    except ValueError:
        when = None
    if when is None:
        raise QueryError(
            f"since must be an ISO 8601 date or date-time such as 2024-05-01 or "
            f"2024-05-01T08:00:00Z, got {value[:40]!r}"
        )
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def parse_query(args: Mapping[str, str]) -> FeedQuery:
    """Validate request parameters (a dict or a werkzeug ``MultiDict``).

    Raises :class:`QueryError` for an unknown or repeated parameter and for a
    value out of range: ``limit`` 1..1000, ``since`` ISO 8601, text values
    non-empty, at most 200 characters, no control characters.
    """
    unknown = sorted(str(k) for k in args if k not in PARAMS)
    if unknown:
        raise QueryError(f"unknown parameter {unknown[0][:40]!r}; feeds accept {', '.join(PARAMS)}")
    found: dict[str, object] = {}
    for name in PARAMS:
        if name not in args:
            continue
        values = _values(args, name)
        if len(values) != 1:
            raise QueryError(f"parameter '{name}' is given more than once")
        value = values[0]
        if name == "limit":
            found[name] = _limit(value)
        elif name == "since":
            found[name] = parse_since(_text(name, value))
        else:
            found[name] = _text(name, value).casefold()
    return FeedQuery(**found)  # type: ignore[arg-type]


def _ids(feeds: list[Feed]) -> set[str]:
    return {a.id for feed in feeds for a in feed.articles}


def _topic_ids(catalog: Catalog, wanted: str) -> set[str]:
    return _ids([f for f in catalog.feeds_of("topic") if wanted in (f.slug.casefold(), f.name.casefold())])


def _provider_ids(catalog: Catalog, wanted: str) -> set[str]:
    # "www.scmp.com", "scmp.com", "www-scmp-com" and "scmp-com" all name the same site.
    bare = wanted.removeprefix("www.").removeprefix("www-")
    feeds = []
    for feed in catalog.feeds_of("provider"):
        slug = feed.slug.casefold()
        names = {slug, slug.removeprefix("www-"), feed.name.casefold()}
        if feed.provider is not None:
            names.add(feed.provider.name.casefold())
            if feed.provider.domain:
                names.add(feed.provider.domain.casefold().removeprefix("www."))
        if wanted in names or bare in names:
            feeds.append(feed)
    return _ids(feeds)


def apply(feed: Feed, query: FeedQuery, catalog: Catalog) -> Feed:
    """The feed with only the articles matching every filter of ``query`` (newest first kept).

    ``topic`` matches a topic's slug or name, ``provider`` a publication's
    slug, domain or name (case-insensitively); one that does not exist
    matches nothing, so the feed is empty rather than an error.
    """
    if not query.filters:
        return feed
    articles = feed.articles
    if query.topic is not None:
        ids = _topic_ids(catalog, query.topic)
        articles = tuple(a for a in articles if a.id in ids)
    if query.provider is not None:
        ids = _provider_ids(catalog, query.provider)
        articles = tuple(a for a in articles if a.id in ids)
    if query.since is not None:
        since = query.since
        articles = tuple(a for a in articles if a.date >= since)
    if query.q is not None:
        needle = query.q
        articles = tuple(
            a for a in articles
            if needle in a.title.casefold() or (a.summary is not None and needle in a.summary.casefold())
        )
    return replace(feed, articles=articles)
