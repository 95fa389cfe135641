"""Reader for Markdown articles (being written)."""
from __future__ import annotations

from .base import Extracted, ReadContext


class _Reader:
    name = "markdown"

    def sniff(self, text: str) -> bool:
        return False

    def read(self, text: str, ctx: ReadContext) -> Extracted:
        return read_body(text, ctx)


def read_body(text: str, ctx: ReadContext) -> Extracted:
    return Extracted(content_text=text)


def render_markdown(text: str) -> str:
    from html import escape
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip())


READER = _Reader()
