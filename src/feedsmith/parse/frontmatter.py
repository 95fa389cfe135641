"""Reader for YAML front matter (``---`` block) with an optional Markdown/text body.

Covers the everyday-ai schema (``publishedDateTime``, ``originalUrl``,
``provider: {name, domain}``, ``related`` …) and the generic keys of static
site generators (``date``, ``url``, ``tags`` …). Values of the wrong type are
coerced where the intent is clear and always reported with the key's name.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from functools import cached_property
from typing import Any

import yaml

from ..errors import ParseError
from ..text import bare_host
from .. import yamlsafe
from ..yamlsafe import loader_for
from ..model import Image, Provider, RelatedArticle
from . import markdown
from .base import Extracted, ReadContext
from .dates import parse_date

_OPENING = re.compile(r"\A(?:\ufeff)?\s*---[ \t]*\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_CLOSING_AFTER_NEWLINE = re.compile(r"\n(?:---|\.\.\.)[ \t]*$", re.M)
_HTTP_URL = re.compile(r"https?://", re.I)
_KEY_LINE = re.compile(r"^\s*(?:#.*|[\w\"'][^:\n]*:(?:\s|$))", re.M)
MAX_NODES = 200_000
MAX_LIST_ITEMS = 1000
MAX_TOPICS = 50  # each topic is a feed (three files): one file must not add thousands
# A top-level key: at column 0, quoted or plain, then ':' and a space or the line's end.
# The plain form's characters are either not ':' or a ':' that does not end the key, so
# the scan stays linear even on long lines (trailing blanks are stripped afterwards).
_KEY_CHAR = r"(?:[^:\n]|:(?![ \t]|$))"
_TOP_KEY = re.compile(
    r"""^(?:"((?:[^"\\\n]|\\.)*)"[ \t]*|'((?:[^'\n]|'')*)'[ \t]*"""
    rf"""|([^\s#'"\[\]{{}},&*!|>%@`:-]{_KEY_CHAR}*|-(?![ \t]|$){_KEY_CHAR}+)):(?=[ \t]|$)""",
    re.M,
)
_TOP_KEY_AFTER_NEWLINE = re.compile("\n" + _TOP_KEY.pattern.removeprefix("^"), re.M)

TITLE_KEYS = ("title", "headline", "name")
SUMMARY_KEYS = ("excerpt", "summary", "description", "abstract")
PUBLISHED_KEYS = ("publishedDateTime", "date", "published", "pubDate", "datePublished", "published_at")
UPDATED_KEYS = ("updated", "updatedDateTime", "modified", "lastmod", "dateModified", "updated_at")
LINK_KEYS = ("originalUrl", "webUrl", "url", "link", "canonical", "canonical_url", "permalink")
AUTHOR_KEYS = ("author", "authors", "byline", "creator")
TOPIC_KEYS = ("topics", "tags", "keywords")
KNOWN_KEYS = {
    *TITLE_KEYS, *SUMMARY_KEYS, *PUBLISHED_KEYS, *UPDATED_KEYS, *LINK_KEYS, *AUTHOR_KEYS,
    *TOPIC_KEYS, "provider", "source", "category", "categories", "type", "quality", "images",
    "image", "related", "lang", "language",
}


class _FrontMatterReader:
    name = "frontmatter"

    def sniff(self, text: str) -> bool:
        """A ``---`` line first, then YAML keys or a closing ``---`` line.

        A block that never closes still counts when it starts with keys, so
        it is reported as broken front matter rather than read as text.
        """
        opening = _OPENING.match(text)
        if not opening:
            return False
        rest = text[opening.end():].lstrip("\n")
        return bool(_KEY_LINE.match(rest)) or _closing_line(text, opening.end()) is not None

    def read(self, text: str, ctx: ReadContext) -> Extracted:
        meta, body, block = _split(text, ctx)
        draft = Extracted()
        if body.strip():
            known = meta.get("title")
            draft = markdown.read_body(body, ctx, str(known) if isinstance(known, (str, int, float)) else None)
        draft.warnings.extend(_duplicate_keys(block))
        _Fields(meta, draft, ctx).apply()
        return draft


READER = _FrontMatterReader()


def split(text: str, ctx: ReadContext) -> tuple[dict[str, Any], str]:
    """The YAML mapping and the body after it; ParseError if the block is unusable."""
    meta, body, _ = _split(text, ctx)
    return meta, body


def _closing_line(text: str, start: int) -> re.Match[str] | None:
    """``_CLOSING.search(text, start)``, found by scanning for newlines (much faster).

    The match starts either at ``start`` itself or right after a newline.
    """
    closing = _CLOSING.match(text, start)
    if closing is not None:
        return closing
    after_newline = _CLOSING_AFTER_NEWLINE.search(text, start)
    return _CLOSING.match(text, after_newline.start() + 1) if after_newline else None


def _split(text: str, ctx: ReadContext) -> tuple[dict[str, Any], str, str]:
    """:func:`split`, and the YAML block itself."""
    opening = _OPENING.match(text)
    assert opening, "split() is only called on sniffed front matter"
    closing = _closing_line(text, opening.end())
    if closing is None:
        raise ParseError(ctx.path, "front matter starts with '---' but has no closing '---' line")
    block = text[opening.end():closing.start()]
    try:
        meta, size = yamlsafe.load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ParseError(ctx.path, f"invalid YAML in front matter{where}: {problem}") from exc
    except RecursionError as exc:
        raise ParseError(ctx.path, "front matter nests too deeply (lists or mappings inside each "
                                   "other hundreds of levels deep); refused") from exc
    except (ValueError, OverflowError) as exc:
        raise ParseError(ctx.path, f"unreadable YAML in front matter: {exc}") from exc
    if (size > MAX_NODES) if size is not None else _expanded_size_exceeds(meta, MAX_NODES):
        raise ParseError(ctx.path, f"front matter expands to more than {MAX_NODES:,} values "
                                   "(YAML aliases nested like a 'billion laughs' bomb); refused")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ParseError(ctx.path, f"front matter must be a mapping of keys to values, not a {_kind(meta)}")
    return meta, text[closing.end():].lstrip("\n"), block


def _top_key_groups(block: str) -> list[tuple[str, str, str]]:
    """``_TOP_KEY.findall(block)``, several times faster.

    A key never spans lines, so the keys after the first line are found as
    "newline, key", which the regex engine scans for quickly; trying ``^`` at
    every position is what makes the plain form slow.
    """
    first = _TOP_KEY.match(block)
    return ([first.groups("")] if first else []) + _TOP_KEY_AFTER_NEWLINE.findall(block)


def _duplicate_keys(block: str) -> list[str]:
    """Top-level keys given more than once (YAML keeps the last silently).

    A cheap regex scan finds candidates; only then is the block composed (no
    values constructed) to confirm them, so the common case stays at C speed.
    """
    # findall gives "" for the alternatives that did not match; a plain key is never empty and a
    # single-quoted one stays non-empty, so the first non-empty form is the key ("" if all are).
    keys = [quoted or single.replace("''", "'") or plain.rstrip(" \t")
            for quoted, single, plain in _top_key_groups(block)]
    if len(set(keys)) == len(keys):
        return []
    try:
        root = yaml.compose(block, Loader=loader_for(block))
    except (yaml.YAMLError, RecursionError, ValueError):
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    counts: dict[str, int] = {}
    for key_node, _ in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
            counts[key_node.value] = counts.get(key_node.value, 0) + 1
    return [f"front matter '{key}': given {n} times; only the last value is used"
            for key, n in counts.items() if n > 1]


def _expanded_size_exceeds(value: Any, budget: int) -> bool:
    """Count values as if every alias were copied out, stopping once over budget.

    That count is 1 + twice the size of every mapping + the length of every
    list; the quick loader adds it up while building (``expanded_size``).

    PyYAML shares aliased objects, so loading an alias bomb is cheap, but any
    later walk over it (rendering, JSON output) would not be.
    """
    stack = [value]
    while stack:
        budget -= 1
        if budget < 0:
            return True
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
            budget -= len(item)
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


class _Fields:
    """Maps one front-matter mapping onto a draft, warning about each bad value by key."""

    def __init__(self, meta: dict[str, Any], draft: Extracted, ctx: ReadContext) -> None:
        self.meta = {str(k): v for k, v in meta.items()}
        self.draft = draft
        self.ctx = ctx

    @cached_property
    def tz(self) -> tzinfo:
        """The configured zone, looked up once per article rather than once per date."""
        return self.ctx.config.tz

    def warn(self, key: str, message: str) -> None:
        self.draft.warnings.append(f"front matter '{key}': {message}")

    def first(self, keys: tuple[str, ...]) -> tuple[str, Any] | None:
        for key in keys:
            value = self.meta.get(key)
            if value not in (None, "", [], {}):
                return key, value
        return None

    def take(self, field: str, value: Any, key: str) -> None:
        """Front matter is explicit, so it overrides what the body extraction guessed."""
        if value in (None, "", [], ()):
            return
        setattr(self.draft, field, value)
        self.draft.sources[field] = f"front matter '{key}'"

    def apply(self) -> None:
        self.text_field("title", TITLE_KEYS)
        self.text_field("summary", SUMMARY_KEYS)
        self.date_field("published", PUBLISHED_KEYS)
        self.date_field("updated", UPDATED_KEYS)
        self.link()
        self.author()
        self.provider()
        self.topics()
        self.text_field("category", ("category",))
        if "category" not in self.meta and isinstance(self.meta.get("categories"), list):
            self.text_field("category", ("categories",))
        self.text_field("type", ("type",))
        self.text_field("language", ("lang", "language"))
        self.quality()
        self.images()
        self.related()
        self.draft.extra.update({k: v for k, v in self.meta.items() if k not in KNOWN_KEYS})

    def text_field(self, field: str, keys: tuple[str, ...]) -> None:
        found = self.first(keys)
        if found is None:
            return
        key, value = found
        if isinstance(value, list) and value and all(isinstance(v, (str, int, float)) for v in value):
            self.warn(key, "expected text, got a list; using its first item")
            value = value[0]
        if isinstance(value, (dict, list)):
            self.warn(key, f"expected text, got a {_kind(value)}; ignored")
            return
        if isinstance(value, bool):
            self.warn(key, "expected text, got a boolean; ignored")
            return
        self.take(field, str(value).strip(), key)

    def date_field(self, field: str, keys: tuple[str, ...]) -> None:
        for key in keys:
            value = self.meta.get(key)
            if value in (None, "") or isinstance(value, bool):
                continue  # everyday-ai uses `published: false` as a flag, not a date
            if not isinstance(value, (str, datetime, date, int, float)):
                self.warn(key, f"expected a date, got a {_kind(value)}; ignored")
                continue
            parsed = parse_date(value if not isinstance(value, (int, float)) else str(value), self.tz)
            if parsed is None:
                self.warn(key, f"{str(value)[:60]!r} is not a date with a year; ignored")
                continue
            self.take(field, parsed, key)
            return

    def link(self) -> None:
        for key in LINK_KEYS:
            value = self.meta.get(key)
            if value in (None, ""):
                continue
            if not isinstance(value, str):
                self.warn(key, f"expected a URL, got a {_kind(value)}; ignored")
                continue
            if not _HTTP_URL.match(value.strip()):
                self.warn(key, f"{value[:60]!r} is not an absolute http(s) URL; ignored")
                continue
            self.take("link", value.strip(), key)
            return

    def author(self) -> None:
        found = self.first(AUTHOR_KEYS)
        if found is None:
            return
        key, value = found
        names = [n for n in (_person_name(v) for v in _as_items(value)) if n]
        if not names:
            self.warn(key, f"no author name in a {_kind(value)}; ignored")
            return
        self.take("author", ", ".join(names), key)

    def provider(self) -> None:
        found = self.first(("provider", "source"))
        if found is None:
            return
        key, value = found
        if isinstance(value, dict):
            name, domain = value.get("name"), value.get("domain")
            if not isinstance(name, (str, int)) or not str(name).strip():
                if isinstance(domain, str) and domain.strip():
                    name = domain
                else:
                    self.warn(key, "provider needs a 'name' (and ideally a 'domain'); ignored")
                    return
            if domain is not None and not isinstance(domain, str):
                self.warn(f"{key}.domain", f"expected a domain such as 'cnn.com', got a {_kind(domain)}")
                domain = None
            self.take("provider", Provider(str(name).strip(), _domain(domain)), key)
        elif isinstance(value, (str, int)) and str(value).strip():
            self.warn(key, "expected a mapping {name, domain}; using the text as the provider's name")
            self.draft.provider = None
            self.draft.provider_mention = str(value).strip()
            self.draft.sources["provider"] = f"front matter '{key}'"
        else:
            self.warn(key, f"expected a mapping {{name, domain}}, got a {_kind(value)}; ignored")

    def topics(self) -> None:
        found = self.first(TOPIC_KEYS)
        if found is None:
            return
        key, value = found
        if isinstance(value, str):
            self.warn(key, "expected a list, got text; split at commas")
            value = [v for v in value.split(",")]
        elif not isinstance(value, list):
            self.warn(key, f"expected a list of names, got a {_kind(value)}; ignored")
            return
        names = [str(v).strip() for v in value if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
        if len(names) < len(value):
            self.warn(key, "entries that are not names were ignored")
        names = list(dict.fromkeys(n for n in names if n))
        if len(names) > MAX_TOPICS:
            self.warn(key, f"{len(names):,} topics; only the first {MAX_TOPICS} are used "
                           "(each topic is a feed of its own)")
            names = names[:MAX_TOPICS]
        self.take("topics", [n for n in names if n], key)

    def quality(self) -> None:
        value = self.meta.get("quality")
        if value is None:
            return
        try:
            self.take("quality", int(value), "quality")
        except (TypeError, ValueError, OverflowError):
            self.warn("quality", f"expected a number, got {str(value)[:40]!r}; ignored")

    def images(self) -> None:
        found = self.first(("images", "image"))
        if found is None:
            return
        key, value = found
        if isinstance(value, dict):
            self.warn(key, "expected a list of images, got a single mapping; used as one image")
        images = [img for img in (_image(v) for v in _as_items(value)[:MAX_LIST_ITEMS]) if img]
        if not images:
            self.warn(key, "no image with an absolute 'url'; ignored")
            return
        self.take("images", images, key)

    def related(self) -> None:
        value = self.meta.get("related")
        if value is None or value is True or value is False:
            return
        if not isinstance(value, list):
            self.warn("related", f"expected a list of articles, got a {_kind(value)}; ignored")
            return
        items = [r for r in (self._related_item(v) for v in value[:MAX_LIST_ITEMS]) if r]
        if len(items) < len(value):
            self.warn("related", f"{len(value) - len(items)} item(s) without a title were ignored")
        self.take("related", items, "related")

    def _related_item(self, value: Any) -> RelatedArticle | None:
        if not isinstance(value, dict) or not isinstance(value.get("title"), (str, int)):
            return None
        link = next((value[k] for k in LINK_KEYS if isinstance(value.get(k), str)), None)
        when = next((value[k] for k in PUBLISHED_KEYS if value.get(k) not in (None, "", True, False)), None)
        provider = value.get("provider")
        return RelatedArticle(
            title=str(value["title"]).strip(),
            link=link.strip() if link and _HTTP_URL.match(link.strip()) else None,
            summary=_text(next((value[k] for k in SUMMARY_KEYS if value.get(k)), None)),
            published=parse_date(when, self.tz) if isinstance(when, (str, datetime, date)) else None,
            provider=(Provider(str(provider["name"]), _domain(provider.get("domain")))
                      if isinstance(provider, dict) and isinstance(provider.get("name"), (str, int)) else None),
            images=tuple(img for img in (_image(v) for v in _as_items(value.get("images"))) if img),
        )


def _as_items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    return str(value).strip() if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def _person_name(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return _text(value)


def _domain(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return bare_host(value) or None


def _positive_int(value: Any, below: int) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number < below else None


def _image(value: Any) -> Image | None:
    if isinstance(value, str):
        value = {"url": value}
    if not isinstance(value, dict):
        return None
    url = value.get("url") or value.get("src")
    if not isinstance(url, str) or not _HTTP_URL.match(url.strip()):
        return None
    return Image(
        url=url.strip(),
        width=_positive_int(value.get("width"), 100_000),
        height=_positive_int(value.get("height"), 100_000),
        title=_text(value.get("title") or value.get("alt") or value.get("caption")),
        mime_type=_text(value.get("type")),
        length=_positive_int(value.get("length"), 2**63),
    )
