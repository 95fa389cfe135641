"""feedsmith: turn a folder of news-article files into RSS, Atom and JSON feeds."""

from .catalog import Catalog, Feed, build_catalog
from .config import Config, load_config
from .errors import ConfigError, FeedsmithError, ParseError
from .model import Article, Image, Provider, RelatedArticle
from .load import LoadResult, load_folder
from .parse import parse_file

__all__ = [
    "Article", "Catalog", "Config", "ConfigError", "Feed", "FeedsmithError", "Image",
    "LoadResult", "ParseError", "Provider", "RelatedArticle", "build_catalog",
    "load_config", "load_folder", "parse_file",
]
