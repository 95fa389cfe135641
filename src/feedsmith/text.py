"""Small text helpers shared by readers and writers."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

_XML_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]"
)


def xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (controls, lone surrogates, non-characters)."""
    if text.isprintable() and text.isascii():  # checked in C, far faster than a search
        return text
    return _XML_ILLEGAL.sub("", text)


def plural(n: int, word: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def squash_spaces(text: str) -> str:
    """Runs of whitespace as single spaces, none at the ends.

    ``str.split`` and the regex ``\\s`` agree on what whitespace is (every
    code point), and splitting is several times faster than substituting.
    """
    return " ".join(text.split())


def clean_inline(text: str | None) -> str | None:
    """Single-line, XML-safe text, or None when nothing is left."""
    if text is None:
        return None
    cleaned = squash_spaces(xml_safe(str(text)))
    return cleaned or None


def bare_host(domain_or_url: str) -> str:
    """``https://www.Example.com:443/x`` -> ``example.com`` ('' when there is no host)."""
    host = domain_or_url.lower().strip()
    if "://" in host:
        host = urlsplit(host).hostname or ""
    host = host.split("/", 1)[0].split(":", 1)[0]
    return host.rstrip(".").removeprefix("www.")


def slugify(value: str, fallback: str = "item") -> str:
    """Lowercase ASCII, URL-safe slug: ``AI in Autos`` -> ``ai-in-autos``."""
    ascii_text = (
        unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or fallback


def truncate_words(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut at a word boundary so the result is at most ``limit`` characters."""
    text = squash_spaces(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis) + 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    else:
        cut = cut[: limit - len(ellipsis)]
    return cut.rstrip(" ,;:-–—") + ellipsis
