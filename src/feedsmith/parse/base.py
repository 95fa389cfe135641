"""What every reader shares: the draft it fills and the context it reads in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from ..config import Config
from ..model import Image, Provider, RelatedArticle


@dataclass(slots=True)
class ReadContext:
    path: Path
    config: Config
    observed: datetime  # file modification (or first-seen) time, timezone-aware


@dataclass(slots=True)
class Extracted:
    """A reader's findings before the common finishing steps.

    ``sources`` maps a field name to how it was found ("front matter key
    'title'", "byline line 4", ...), for ``feedsmith inspect``.
    ``provider_mention`` is a raw name found in text; the finisher resolves it
    through the registry when ``provider`` is not set.
    """

    title: str | None = None
    link: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    summary: str | None = None
    content: str | None = None  # HTML
    content_text: str | None = None
    author: str | None = None
    provider: Provider | None = None
    provider_mention: str | None = None
    topics: list[str] = field(default_factory=list)
    category: str | None = None
    type: str | None = None
    quality: int | None = None
    images: list[Image] = field(default_factory=list)
    related: list[RelatedArticle] = field(default_factory=list)
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)

    def found(self, name: str, value: Any, source: str) -> None:
        """Set a field once and remember where it came from; later finds don't override."""
        if value in (None, "", [], ()) or getattr(self, name) not in (None, "", [], ()):
            return
        setattr(self, name, value)
        self.sources[name] = source


class Reader(Protocol):
    """One input format. ``sniff`` looks at content only, never at the file name."""

    name: str

    def sniff(self, text: str) -> bool: ...

    def read(self, text: str, ctx: ReadContext) -> Extracted: ...
