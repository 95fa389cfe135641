"""One exception hierarchy; the shells turn these into messages and exit codes."""

from __future__ import annotations

from pathlib import Path


class FeedsmithError(Exception):
    """Base of every error feedsmith raises on purpose."""


class ConfigError(FeedsmithError):
    """The configuration file is missing, malformed or has invalid values."""


class ParseError(FeedsmithError):
    """An article file could not be turned into an article."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
