"""feedsmith: turn a folder of news-article files into RSS, Atom and JSON feeds.

The names below are imported on first use (PEP 562), so ``import feedsmith.cli``
does not pay for the readers and renderers a command may never need (a
rebuild with nothing to do finishes before they would have loaded).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Article": "model", "Image": "model", "Provider": "model", "RelatedArticle": "model",
    "Catalog": "catalog", "Feed": "catalog", "build_catalog": "catalog",
    "Config": "config", "load_config": "config",
    "ConfigError": "errors", "FeedsmithError": "errors", "ParseError": "errors",
    "LoadResult": "load", "load_folder": "load",
    "parse_file": "parse",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'feedsmith' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
