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
import stat
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..config import Config, TopicRule
from ..errors import ParseError
from ..model import Article, Provider
from ..text import bare_host, clean_inline, squash_spaces, truncate_words, xml_safe
from . import frontmatter, html, markdown, plaintext
from .base import Extracted, ReadContext, Reader
from .signals import first_sentence

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


# Formats that are not articles, named in the message when such a file turns up in seeds/.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"\x1f\x8b", "gzip-compressed data"), (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"), (b"SQLite format 3\x00", "an SQLite database"),
)
# Controls XML 1.0 cannot carry: dropped (with a warning) before any reader sees the text;
# tab and newline stay, vertical tab and form feed become newlines.
_DROPPED_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


def decode(data: bytes, path: str | Path) -> tuple[str, list[str]]:
    """Bytes to text: BOMs honoured, UTF-8 preferred, cp1252 as a reported fallback.

    Binary files are refused, naming what they look like. A stray NUL or other
    control character in otherwise good text is removed with a warning, and a
    few bad bytes in UTF-8 text are replaced, so the article is kept.
    """
    warnings: list[str] = []
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                text = data.decode(encoding, errors="replace")
                warnings.append(f"invalid {encoding} text ({exc.reason} at byte {exc.start}); "
                                "undecodable bytes replaced")
            return _without_controls(text, warnings), warnings
    head = data[:8192]
    nuls = head.count(b"\x00")
    kind = next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)
    if kind and (nuls or not _utf8_prefix(head)):
        raise ParseError(path, f"binary file ({kind}), not an article")
    if nuls > max(2, len(head) // 100):
        raise ParseError(path, f"binary file ({nuls} NUL bytes in the first {len(head):,}), not an article")
    try:
        text = data.decode("utf-8")
        limit = 0.1
    except UnicodeDecodeError as exc:
        text = _decode_mostly_utf8(data, exc, warnings)
        limit = 0.05  # not even UTF-8: fewer control characters make it binary
    if _looks_binary(text, limit):
        raise ParseError(path, "binary file (mostly control characters), not an article")
    return _without_controls(text, warnings), warnings


def _utf8_prefix(head: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _decode_mostly_utf8(data: bytes, exc: UnicodeDecodeError, warnings: list[str]) -> str:
    """UTF-8 with a few bad bytes stays UTF-8 (those replaced by U+FFFD); otherwise cp1252."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(1 for c in text if ord(c) > 127) - text.count("\ufffd")
    if good > bad:
        warnings.append(f"{bad} byte(s) not valid UTF-8 ({exc.reason} at byte {exc.start}); "
                        "replaced with U+FFFD")
        return text
    warnings.append(f"not valid UTF-8 ({exc.reason} at byte {exc.start}); read as Windows-1252")
    return data.decode("cp1252", errors="replace")


def _without_controls(text: str, warnings: list[str]) -> str:
    """Newlines normalised (CRLF, CR); control characters XML cannot carry removed, with a warning."""
    text = _normalise_newlines(text).replace("\x0b", "\n").replace("\x0c", "\n")
    cleaned, count = _DROPPED_CONTROLS.subn("", text)
    if count:
        warnings.append(f"removed {count} control character(s) such as NUL or ESC, "
                        "which feeds cannot carry")
    return cleaned


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")


def _looks_binary(text: str, limit: float = 0.1) -> bool:
    sample = text[:4096]
    return bool(sample) and len(_CONTROL_CHARS.findall(sample)) / len(sample) > limit


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
                       if not _TRACKING_PARAMS.match(k)]) if parts.query else ""
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
    matcher = _topic_matcher(config.topics)
    scores: dict[str, int] = {}
    title = draft.title or ""
    body = "\n".join(filter(None, (draft.summary, (draft.content_text or "")[:20000])))
    for text, weight in ((title, 2), (body, 1)):
        for match in matcher.pattern.finditer(text):
            for topic in matcher.topics[match.group(0).casefold()]:
                scores[topic] = scores.get(topic, 0) + weight
    found = [rule.name for rule in config.topics if scores.get(rule.name, 0) >= MIN_TOPIC_SCORE]
    if found:
        draft.topics = found
        draft.sources["topics"] = "keyword rules in config"


@dataclass(frozen=True)
class _TopicMatcher:
    """All topic keywords in one regex, so a text is scanned once, not once per topic."""

    pattern: re.Pattern[str]
    topics: dict[str, list[str]]  # casefolded keyword -> topic names


@lru_cache(maxsize=8)
def _topic_matcher(rules: tuple[TopicRule, ...]) -> _TopicMatcher:
    topics: dict[str, list[str]] = {}
    for rule in rules:
        for keyword in rule.keywords:
            names = topics.setdefault(keyword.casefold(), [])
            if rule.name not in names:
                names.append(rule.name)
    alternatives = "|".join(re.escape(k) for k in sorted(topics, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if topics else re.compile(r"(?!x)x")
    return _TopicMatcher(pattern, topics)


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
        host = bare_host(link)
        draft.sources["provider"] = "the link's domain"
        return entry.provider if entry else Provider(host, host)
    return None


def finish(draft: Extracted, ctx: ReadContext, reader_name: str) -> Article:
    """Common steps after extraction; raises ParseError when nothing usable is left."""
    path = ctx.path
    title = clean_inline(draft.title)
    body_text = xml_safe(draft.content_text).strip() if draft.content_text else None
    if not title and body_text:
        title = truncate_words(first_sentence(body_text.split("\n", 1)[0]), TITLE_LIMIT)
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
        content_text=body_text or None,
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


def file_mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).replace(microsecond=0)


def parse_text(text: str, ctx: ReadContext, warnings: list[str] | None = None) -> Article:
    reader = sniff(text)
    try:
        draft = reader.read(text, ctx)
    except RecursionError as exc:
        raise ParseError(ctx.path, f"{reader.name}: input nests too deeply") from exc
    draft.warnings[:0] = warnings or []
    return finish(draft, ctx, reader.name)


def read_limited(path: Path, config: Config) -> bytes:
    """The file's bytes, refusing files over ``max_file_bytes`` without reading them whole."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ParseError(path, "not a regular file (a pipe, socket or device); not read")
        size = info.st_size
        if size > config.max_file_bytes:
            raise ParseError(path, f"file is {size:,} bytes, over the max_file_bytes limit "
                                   f"of {config.max_file_bytes:,}")
        with path.open("rb") as handle:
            data = handle.read(config.max_file_bytes + 1)
    except FileNotFoundError as exc:
        raise ParseError(path, "file not found (it does not exist, or was deleted or renamed before it could be read)") from exc
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


