"""Turn article files into :class:`~feedsmith.model.Article` records.

Readers are registered in :data:`READERS` in sniffing order; the first whose
``sniff`` accepts the text reads it. Everything every format needs (decoding,
size limits, ids, provider resolution, topic rules, the undated policy) happens
here once, so a reader only extracts.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..config import Config
from ..errors import ParseError
from ..model import Article, Provider
from ..text import clean_inline, squash_spaces, truncate_words, xml_safe
from . import frontmatter, html, markdown, plaintext
from .base import Extracted, ReadContext, Reader

READERS: tuple[Reader, ...] = (frontmatter.READER, html.READER, markdown.READER, plaintext.READER)

TITLE_LIMIT = 110
_TRACKING_PARAMS = re.compile(r"^(utm_|fbclid$|gclid$|mc_cid$|mc_eid$|ocid$|cmpid$)", re.I)


class SkippedArticle(ParseError):
    """The file was read but policy (e.g. ``undated: skip``) leaves it out."""


def sniff(text: str) -> Reader:
    for reader in READERS:
        if reader.sniff(text):
            return reader
    return plaintext.READER


def decode(data: bytes, path: str | Path) -> tuple[str, list[str]]:
    """Bytes to text: BOMs honoured, UTF-8 preferred, cp1252 as a reported fallback."""
    warnings: list[str] = []
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _normalise_newlines(data.decode(encoding)), warnings
            except UnicodeDecodeError as exc:
                raise ParseError(path, f"invalid {encoding} text: {exc.reason} at byte {exc.start}") from exc
    if b"\x00" in data[:8192]:
        raise ParseError(path, "binary file (contains NUL bytes), not an article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        warnings.append(
            f"not valid UTF-8 ({exc.reason} at byte {exc.start}); read as Windows-1252"
        )
    if _looks_binary(text):
        raise ParseError(path, "binary file (mostly control characters), not an article")
    return _normalise_newlines(text), warnings


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    return bool(sample) and len(_CONTROL_CHARS.findall(sample)) / len(sample) > 0.1


def canonical_link(url: str | None) -> str | None:
    """An absolute http(s) link without tracking parameters or fragment; None if not a link."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING_PARAMS.match(k)])
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def content_id(title: str, text: str | None) -> str:
    """A ``tag:`` URI from what the article says, so it survives renames and rebuilds."""
    basis = squash_spaces(f"{title}\n{(text or '')[:2000]}").casefold()
    digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
    return f"tag:feedsmith,2024:article/{digest}"


MIN_TOPIC_SCORE = 2


def assign_topics(draft: Extracted, config: Config) -> None:
    """Topics from keyword rules, for articles that name none.

    A topic needs two whole-word keyword mentions (one in the title counts
    twice): a single passing mention ("a chip supplier") is not what a story
    is about.
    """
    if draft.topics or not config.topics:
        return
    title = draft.title or ""
    body = "\n".join(filter(None, (draft.summary, (draft.content_text or "")[:20000])))
    found = [
        rule.name for rule in config.topics
        if 2 * _mentions(rule.keywords, title) + _mentions(rule.keywords, body) >= MIN_TOPIC_SCORE
    ]
    if found:
        draft.topics = found
        draft.sources["topics"] = "keyword rules in config"


_WORD_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def _mentions(keywords: tuple[str, ...], text: str) -> int:
    if not keywords or not text:
        return 0
    pattern = _WORD_PATTERNS.get(keywords)
    if pattern is None:
        alternatives = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        _WORD_PATTERNS[keywords] = pattern
    return sum(1 for _ in zip(range(MIN_TOPIC_SCORE), pattern.finditer(text)))


def resolve_provider(draft: Extracted, config: Config, link: str | None) -> Provider | None:
    registry = config.providers
    if draft.provider is not None:
        entry = (registry.by_domain(draft.provider.domain) if draft.provider.domain
                 else registry.lookup(draft.provider.name))
        if entry and not draft.provider.domain:
            return entry.provider
        return draft.provider
    if draft.provider_mention:
        entry = registry.lookup(draft.provider_mention)
        source = draft.sources.get("provider", "text")
        if entry:
            if entry.name.casefold() != draft.provider_mention.casefold():
                draft.sources["provider"] = f"{source} via registry alias '{draft.provider_mention}'"
            return entry.provider
        return Provider(draft.provider_mention.strip())
    if link:
        entry = registry.by_domain(link)
        host = (urlsplit(link).hostname or "").removeprefix("www.")
        draft.sources["provider"] = "the link's domain"
        return entry.provider if entry else Provider(host, host)
    return None


def finish(draft: Extracted, ctx: ReadContext, reader_name: str) -> Article:
    """Common steps after extraction; raises ParseError when nothing usable is left."""
    path = ctx.path
    title = clean_inline(draft.title)
    body_text = draft.content_text.strip() if draft.content_text else None
    if not title and body_text:
        title = truncate_words(_first_sentence(body_text), TITLE_LIMIT)
        draft.sources["title"] = "derived from the first sentence of the story"
    elif title and len(title) > 300:
        title = truncate_words(title, 300)
    if not title:
        raise ParseError(path, "no title found (neither a title field nor any story text)")
    link = canonical_link(draft.link)
    if draft.link and not link:
        draft.warnings.append(f"ignored link {str(draft.link)[:80]!r}: not an absolute http(s) URL")
    if not link and not body_text:
        raise ParseError(path, "article has a title but neither a link nor any body text")
    assign_topics(draft, ctx.config)
    provider = resolve_provider(draft, ctx.config, link)
    if draft.published is None:
        if ctx.config.undated == "skip":
            raise SkippedArticle(path, "no publication date found (undated: skip)")
        draft.warnings.append(
            "no publication date found; dated by when the file was first seen "
            "(its modification time)"
        )
        draft.sources.setdefault("published", "file modification time (first seen)")
    return Article(
        id=link or content_id(title, body_text),
        title=title,
        link=link,
        published=draft.published,
        observed=ctx.observed,
        source_path=str(path),
        updated=draft.updated,
        summary=_clean_block(draft.summary),
        content=xml_safe(draft.content) if draft.content else None,
        content_text=xml_safe(body_text) if body_text else None,
        author=clean_inline(draft.author),
        provider=provider,
        topics=tuple(dict.fromkeys(t for t in (clean_inline(t) for t in draft.topics) if t)),
        category=clean_inline(draft.category),
        type=clean_inline(draft.type),
        quality=draft.quality,
        images=tuple(draft.images),
        related=tuple(draft.related),
        language=draft.language,
        warnings=tuple(draft.warnings),
        sources=tuple(draft.sources.items()),
        dropped=tuple(draft.dropped),
        extra=tuple(draft.extra.items()),
        format=reader_name,
    )


def _clean_block(text: str | None) -> str | None:
    if not text:
        return None
    cleaned = xml_safe(text).strip()
    return cleaned or None


_SENTENCE_END = re.compile(r"(?<=[^A-Z.][.!?])[\"”’']?\s+(?=[\"“‘A-Z0-9])")


def _first_sentence(text: str) -> str:
    first_para = text.strip().split("\n", 1)[0]
    return _SENTENCE_END.split(first_para, maxsplit=1)[0]


def file_mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).replace(microsecond=0)


def parse_text(text: str, ctx: ReadContext, warnings: list[str] | None = None) -> Article:
    reader = sniff(text)
    try:
        draft = reader.read(text, ctx)
    except ParseError:
        raise
    except RecursionError as exc:
        raise ParseError(ctx.path, f"{reader.name}: input nests too deeply") from exc
    draft.warnings[:0] = warnings or []
    return finish(draft, ctx, reader.name)


def read_limited(path: Path, config: Config) -> bytes:
    """The file's bytes, refusing files over ``max_file_bytes`` without reading them whole."""
    try:
        size = path.stat().st_size
        if size > config.max_file_bytes:
            raise ParseError(path, f"file is {size:,} bytes, over the max_file_bytes limit "
                                   f"of {config.max_file_bytes:,}")
        with path.open("rb") as handle:
            data = handle.read(config.max_file_bytes + 1)
    except OSError as exc:
        raise ParseError(path, f"cannot read file: {exc.strerror or exc}") from exc
    if len(data) > config.max_file_bytes:
        raise ParseError(path, f"file grew over the max_file_bytes limit of {config.max_file_bytes:,}")
    return data


def parse_bytes(path: Path, data: bytes, config: Config, observed: datetime) -> Article:
    if not data.strip():
        raise ParseError(path, "empty file")
    text, warnings = decode(data, path)
    if not text.strip():
        raise ParseError(path, "file has only whitespace")
    return parse_text(text, ReadContext(path, config, observed), warnings)


def parse_file(path: str | Path, config: Config, observed: datetime | None = None) -> Article:
    """Read one file. Raises ParseError (with path and reason) when it can't be used."""
    path = Path(path)
    data = read_limited(path, config)
    try:
        stamp = observed or file_mtime(path)
    except OSError as exc:
        raise ParseError(path, f"cannot read file: {exc.strerror or exc}") from exc
    return parse_bytes(path, data, config, stamp)


