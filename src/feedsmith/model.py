"""The content model every reader produces and every writer consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Provider:
    """The publication an article comes from."""

    name: str
    domain: str | None = None

    @property
    def key(self) -> str:
        """Providers are identified by domain when known, else by name."""
        return self.domain or self.name


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    width: int | None = None
    height: int | None = None
    title: str | None = None
    mime_type: str | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class RelatedArticle:
    title: str
    link: str | None = None
    summary: str | None = None
    published: datetime | None = None
    provider: Provider | None = None
    images: tuple[Image, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """One parsed article.

    ``published`` is the date the source states (None when it states none);
    ``observed`` is when feedsmith first saw the file and stands in for an
    undated article's date, so ``date`` is always timezone-aware.
    """

    id: str
    title: str
    link: str | None
    published: datetime | None
    observed: datetime
    source_path: str
    updated: datetime | None = None
    summary: str | None = None
    content: str | None = None  # HTML
    content_text: str | None = None
    author: str | None = None
    provider: Provider | None = None
    topics: tuple[str, ...] = ()
    category: str | None = None
    type: str | None = None
    quality: int | None = None
    images: tuple[Image, ...] = ()
    related: tuple[RelatedArticle, ...] = ()
    language: str | None = None
    warnings: tuple[str, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()
    dropped: tuple[str, ...] = ()
    extra: tuple[tuple[str, Any], ...] = field(default=(), compare=False, hash=False)
    format: str = ""

    @property
    def date(self) -> datetime:
        return self.published or self.observed

    @property
    def modified(self) -> datetime:
        return max(d for d in (self.updated, self.date) if d is not None)

    @property
    def lead_image(self) -> Image | None:
        return self.images[0] if self.images else None

    def source_of(self, field_name: str) -> str | None:
        return dict(self.sources).get(field_name)

    def richness(self) -> int:
        """How much this record carries; used to pick the survivor among duplicates."""
        return sum(
            bool(v)
            for v in (
                self.published, self.updated, self.summary, self.content, self.author,
                self.provider, self.topics, self.category, self.images, self.related,
            )
        ) + len(self.related) + len(self.content_text or "") // 500
