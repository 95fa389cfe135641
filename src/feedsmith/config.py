"""Configuration: one loader, one place for defaults, helpful errors.

Every setting has its default on :class:`Config`; ``config.yaml`` overrides
what it names. Unknown keys and wrong types are reported with the key's
path and, for typos, the closest known key.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from dateutil import tz

from . import yamlsafe
from .errors import ConfigError
from .model import Provider
from .text import bare_host

FORMATS = ("rss", "atom", "json")


@dataclass(frozen=True, slots=True)
class ProviderEntry:
    """A publication in the registry, with the names it goes by in text."""

    name: str
    domain: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def provider(self) -> Provider:
        return Provider(self.name, self.domain)


@dataclass(frozen=True, slots=True)
class TopicRule:
    """A topic and the whole words that assign it to an article without topics."""

    name: str
    keywords: tuple[str, ...] = ()


def _norm(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key: ``Süddeutsche`` == ``suddeutsche``.

    Letters of every script are kept (``新华社`` stays a key of its own), so
    non-Latin names never collapse into one empty key.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return re.sub(r"[\W_]+", " ", bare).strip()


class ProviderRegistry:
    """Turns names, abbreviations and domains found in text into publications."""

    def __init__(self, entries: tuple[ProviderEntry, ...] = ()) -> None:
        self.entries = entries
        self._by_alias: dict[str, ProviderEntry] = {}
        self._by_domain: dict[str, ProviderEntry] = {}
        for entry in entries:
            if entry.domain and bare_host(entry.domain):
                self._by_domain.setdefault(bare_host(entry.domain), entry)
            for alias in (entry.name, *entry.aliases):
                key = _norm(alias)
                if key:
                    self._by_alias.setdefault(key, entry)

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        # Stable across processes (no object address): the static build's fingerprints
        # include repr(config), and must match from one build to the next.
        return f"ProviderRegistry({self.entries!r})"

    def lookup(self, mention: str) -> ProviderEntry | None:
        """The entry a mention (name, alias or domain) refers to, if any."""
        mention = mention.strip()
        if not mention:
            return None
        hit = self._by_alias.get(_norm(mention))
        if hit:
            return hit
        return self.by_domain(mention)

    def by_domain(self, domain_or_url: str) -> ProviderEntry | None:
        host = bare_host(domain_or_url)
        while host:
            if host in self._by_domain:
                return self._by_domain[host]
            if "." not in host:
                return None
            host = host.split(".", 1)[1]
        return None

    def resolve(self, mention: str) -> Provider:
        """A registry publication when known, else a provider under the name as found."""
        entry = self.lookup(mention)
        return entry.provider if entry else Provider(mention.strip())

    def aliases(self) -> list[tuple[str, ProviderEntry]]:
        """Every (alias, entry) pair, longest alias first, for scanning text."""
        pairs = [(a, e) for e in self.entries for a in (e.name, *e.aliases)]
        return sorted(pairs, key=lambda p: -len(p[0]))


@dataclass(frozen=True, slots=True)
class Config:
    title: str = "feedsmith"
    description: str = "News feeds built by feedsmith"
    base_url: str = "http://127.0.0.1:8000/"
    language: str = "en"
    author: str = "feedsmith"
    seeds_dir: Path = Path("seeds")
    out_dir: Path = Path("feeds")
    state_dir: Path = Path(".feedsmith")
    host: str = "127.0.0.1"
    port: int = 8000
    item_limit: int = 50
    feed_max_bytes: int = 1_000_000
    undated: Literal["mtime", "skip"] = "mtime"
    timezone: str = "UTC"
    max_file_bytes: int = 5 * 1024 * 1024
    follow_symlinks: bool = False
    formats: tuple[str, ...] = FORMATS  # the feed formats published (documents, links, routes)
    content: tuple[tuple[str, str], ...] = (("rss", "full"), ("atom", "full"), ("json", "full"))
    gzip: bool = True  # a precompressed .gz twin beside each static file (for gzip_static and the like)
    cache_max_age: int = 300
    archive_max_age: int = 31_536_000
    archives: bool = True  # RFC 5005 monthly archives of what falls out of each feed (see archives.py)
    reload_interval: float = 2.0
    websub_hub: str | None = None
    providers: ProviderRegistry = field(default_factory=ProviderRegistry)
    topics: tuple[TopicRule, ...] = ()
    root: Path = Path(".")

    @property
    def tz(self) -> tzinfo:
        return tz.gettz(self.timezone) or tz.UTC

    @property
    def main_format(self) -> str:
        """The format offered first (the URL to copy, the static HTML view): Atom when published."""
        return "atom" if "atom" in self.formats else self.formats[0]

    def content_mode(self, fmt: str) -> str:
        return dict(self.content).get(fmt, "full")

    def url(self, path: str = "") -> str:
        """An absolute URL for a path of the feed tree."""
        return self.base_url + path.lstrip("/")

    def output_settings(self) -> str:
        """Every setting a rendered byte may depend on, as text.

        Folders and the live server's own settings are left out: serving on
        another port, or naming the same config file by another path, neither
        re-renders the tree nor makes the last build look out of date.
        """
        return repr(replace(self, **{name: getattr(_DEFAULTS, name) for name in NOT_RENDERED}))


# No rendered byte depends on these: where things are (the seeds folder counts on its own
# in the build signature), whether a build adds .gz twins (also in the build signature:
# switching it writes or removes twins, never re-renders) and what only the live server reads.
NOT_RENDERED = ("root", "seeds_dir", "out_dir", "state_dir", "gzip",
                "host", "port", "cache_max_age", "archive_max_age", "reload_interval")
_DEFAULTS = Config()


_SCALARS: dict[str, type | tuple[type, ...]] = {
    "title": str, "description": str, "base_url": str, "language": str, "author": str,
    "seeds_dir": str, "out_dir": str, "state_dir": str, "host": str, "port": int,
    "item_limit": int, "feed_max_bytes": int, "undated": str, "timezone": str,
    "max_file_bytes": int, "follow_symlinks": bool, "cache_max_age": int,
    "archive_max_age": int, "archives": bool, "reload_interval": (int, float), "gzip": bool,
}
_KNOWN = {*_SCALARS, "formats", "content", "websub", "providers", "topics"}


def _fail(key: str, message: str) -> ConfigError:
    return ConfigError(f"config key '{key}': {message}")


def _check_scalar(key: str, value: Any) -> Any:
    expected = _SCALARS[key]
    if isinstance(value, bool) and expected is not bool:
        raise _fail(key, f"expected {getattr(expected, '__name__', 'a number')}, got a boolean")
    if not isinstance(value, expected):
        name = expected.__name__ if isinstance(expected, type) else "a number"
        raise _fail(key, f"expected {name}, got {type(value).__name__} {value!r}")
    return value


def _check_values(cfg: Config) -> None:
    parts = urlsplit(cfg.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _fail("base_url", f"must be an absolute http(s) URL, got {cfg.base_url!r}")
    if cfg.undated not in ("mtime", "skip"):
        raise _fail("undated", f"must be 'mtime' or 'skip', got {cfg.undated!r}")
    if tz.gettz(cfg.timezone) is None:
        raise _fail("timezone", f"unknown time zone {cfg.timezone!r} (use e.g. 'UTC' or 'Asia/Singapore')")
    for key in ("item_limit", "feed_max_bytes", "max_file_bytes", "port"):
        if getattr(cfg, key) <= 0:
            raise _fail(key, "must be a positive number")
    if not 0 < cfg.port < 65536:
        raise _fail("port", "must be between 1 and 65535")


def _parse_content(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise _fail("content", "expected a mapping of format to 'full' or 'summary'")
    modes = dict(Config().content)  # slots=True: Config.content is a descriptor, not the default
    for fmt, mode in value.items():
        if fmt not in FORMATS:
            raise _fail(f"content.{fmt}", f"unknown format; use one of {', '.join(FORMATS)}")
        if mode not in ("full", "summary"):
            raise _fail(f"content.{fmt}", f"must be 'full' or 'summary', got {mode!r}")
        modes[fmt] = mode
    return tuple(modes.items())


def _parse_formats(value: Any) -> tuple[str, ...]:
    """The formats to publish, in their usual order (rss, atom, json) whatever order they are listed in."""
    listed = _str_list("formats", value)
    unknown = [fmt for fmt in listed if fmt not in FORMATS]
    if unknown:
        raise _fail("formats", f"unknown format {unknown[0]!r}; use some of {', '.join(FORMATS)}")
    if not listed:
        raise _fail("formats", f"list at least one of {', '.join(FORMATS)}")
    return tuple(fmt for fmt in FORMATS if fmt in listed)


def _str_list(key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise _fail(key, "expected a list of strings")
    if any(isinstance(v, bool) for v in value):
        # YAML reads bare yes/no/on/off as booleans; str(True) would silently become "True".
        raise _fail(key, "expected a list of strings; quote yes/no/on/off/true/false")
    return tuple(str(v) for v in value)


def _quote_hint(item: Any) -> str:
    """For ``name: Off`` or ``name: 1843``, which YAML reads as a boolean or number."""
    if isinstance(item, dict) and item.get("name") is not None:
        return f" (got {item['name']!r}; put the name in quotes)"
    return ""


def _parse_providers(value: Any) -> ProviderRegistry:
    if not isinstance(value, list):
        raise _fail("providers", "expected a list of {name, domain, aliases}")
    entries = []
    for i, item in enumerate(value):
        key = f"providers[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _fail(key, "each provider needs at least a 'name' string" + _quote_hint(item))
        unknown = set(item) - {"name", "domain", "aliases"}
        if unknown:
            raise _fail(key, f"unknown field(s) {', '.join(sorted(unknown))}")
        domain = item.get("domain")
        if domain is not None and not isinstance(domain, str):
            raise _fail(f"{key}.domain", "expected a string such as 'scmp.com'")
        entries.append(
            ProviderEntry(item["name"], (bare_host(domain) or None) if domain else None,
                          _str_list(f"{key}.aliases", item.get("aliases")))
        )
    return ProviderRegistry(tuple(entries))


def _parse_topics(value: Any) -> tuple[TopicRule, ...]:
    if not isinstance(value, list):
        raise _fail("topics", "expected a list of {name, keywords}")
    rules = []
    for i, item in enumerate(value):
        key = f"topics[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _fail(key, "each topic needs a 'name' string" + _quote_hint(item))
        rules.append(TopicRule(item["name"], _str_list(f"{key}.keywords", item.get("keywords"))))
    return tuple(rules)


def config_from_mapping(data: dict[str, Any], root: Path = Path(".")) -> Config:
    """Validate a mapping (as read from YAML) into a :class:`Config`."""
    if not isinstance(data, dict):
        raise ConfigError("the configuration must be a mapping of keys to values")
    changes: dict[str, Any] = {"root": root}
    for key, value in data.items():
        if key not in _KNOWN:
            close = difflib.get_close_matches(str(key), sorted(_KNOWN), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise _fail(str(key), f"unknown setting{hint}")
        if value is None:
            continue
        if key in _SCALARS:
            value = _check_scalar(key, value)
            if key.endswith("_dir"):
                value = Path(value)
            changes[key] = value
        elif key == "formats":
            changes["formats"] = _parse_formats(value)
        elif key == "content":
            changes["content"] = _parse_content(value)
        elif key == "websub":
            if not isinstance(value, dict) or not isinstance(value.get("hub") or "", str):
                raise _fail("websub", "expected a mapping with a 'hub' URL")
            unknown = set(value) - {"hub"}
            if unknown:
                raise _fail("websub", f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
            hub = value.get("hub") or None
            if hub is not None:
                parts = urlsplit(hub)
                if parts.scheme not in ("http", "https") or not parts.netloc:
                    raise _fail("websub.hub", f"must be an absolute http(s) URL, got {hub!r}")
            changes["websub_hub"] = hub
        elif key == "providers":
            changes["providers"] = _parse_providers(value)
        elif key == "topics":
            changes["topics"] = _parse_topics(value)
    base = changes.get("base_url")
    if base and not base.endswith("/"):
        changes["base_url"] = base + "/"
    cfg = replace(Config(), **changes)
    _check_values(cfg)
    return cfg


def load_config(path: str | Path | None = None, **overrides: Any) -> Config:
    """Read and validate ``config.yaml``; relative folders resolve against its directory.

    ``overrides`` (e.g. ``seeds_dir`` from the command line) replace file values.
    """
    data: dict[str, Any] = {}
    root = Path(".")
    if path is not None:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{path}: configuration file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
        try:
            loaded = yamlsafe.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: invalid YAML: {exc}") from exc
        except RecursionError:
            raise ConfigError(f"{path}: invalid YAML: lists or mappings nested too deeply") from None
        data = loaded or {}
        root = Path(os.path.abspath(path.parent))  # the same folders (and cache keys) from any working directory
        try:
            cfg = config_from_mapping(data, root)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    else:
        cfg = Config()
    cfg = replace(
        cfg,
        seeds_dir=_under(root, cfg.seeds_dir),
        out_dir=_under(root, cfg.out_dir),
        state_dir=_under(root, cfg.state_dir),
    )
    return _apply_overrides(cfg, overrides)


def _apply_overrides(cfg: Config, overrides: dict[str, Any]) -> Config:
    """Command-line style overrides; relative folders are taken from the working directory."""
    changes = {k: v for k, v in overrides.items() if v is not None}
    if not changes:
        return cfg
    fields = set(Config.__dataclass_fields__) - {"root"}
    unknown = sorted(set(changes) - fields)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(fields), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ConfigError(f"unknown override '{unknown[0]}'{hint}")
    for key in ("seeds_dir", "out_dir", "state_dir"):
        if key in changes:
            changes[key] = Path(os.path.abspath(changes[key]))
    base = changes.get("base_url")
    if isinstance(base, str) and not base.endswith("/"):
        changes["base_url"] = base + "/"
    cfg = replace(cfg, **changes)
    _check_values(cfg)
    return cfg


def _under(root: Path, path: Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else Path(os.path.normpath(root / path))


