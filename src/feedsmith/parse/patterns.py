"""Regexes compiled on first use.

The readers hold a few hundred regexes, many for rare cases (CJK bylines,
wire-service credits, date forms of one language). Compiling them all costs
about 0.06 s at import, which a rebuild that parses a single file (or a
server start with nothing new to parse) paid in full.
"""

from __future__ import annotations

import re
from typing import Any, cast

# What callers use of a compiled pattern; copied onto the lazy one at first use, so later
# calls cost what they cost on the compiled pattern itself.
_METHODS = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer",
            "flags", "groups", "groupindex")


class _LazyPattern:
    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern  # readable without compiling (patterns are built from patterns)
        self._flags = flags

    def __getattr__(self, name: str) -> Any:  # only for what is not set yet: the first use
        compiled = re.compile(self.pattern, self._flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_compile({self.pattern!r}, {self._flags})"


def lazy_compile(pattern: str, flags: int | re.RegexFlag = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, compiled when first used (a bad pattern fails then)."""
    return cast("re.Pattern[str]", _LazyPattern(pattern, int(flags)))
