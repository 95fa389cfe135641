"""Reader for plaintext (being written)."""
from __future__ import annotations

from .base import Extracted, ReadContext


class _Reader:
    name = "plaintext"

    def sniff(self, text: str) -> bool:
        return False

    def read(self, text: str, ctx: ReadContext) -> Extracted:
        return Extracted(content_text=text)


READER = _Reader()
