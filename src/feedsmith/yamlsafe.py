"""YAML at libyaml speed without libyaml's crash, with PyYAML's safe results.

Used for front matter (thousands of blocks per build) and for ``config.yaml``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"
_PLAIN_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                               ("null", "bool", "int", "float", "binary", "timestamp"))
_RESOLVE_CACHE_LIMIT = 20_000
_RESOLVE_CACHED_LENGTH = 64


class _Unusual(Exception):
    """A node the quick constructor leaves to PyYAML's own (aliases, merge keys, tags ...)."""


class _QuickConstruction:
    """PyYAML's safe loading with a cheaper constructor and resolver, same results.

    PyYAML builds every value through generators and per-node bookkeeping that
    only aliases and recursive structures need, and resolves every plain
    scalar with a list of regexes. Front matter is mostly plain mappings,
    lists and strings: those are built directly and plain scalars' tags are
    memoised. Anything else (an alias of a list or mapping, merge keys,
    explicit tags, a repeated key, a constructor error) makes the whole
    document go through PyYAML's constructor, which then gives its usual
    result or error.
    """

    _resolved: dict[str, str] = {}

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode and not self.yaml_path_resolvers:
            if not implicit[0]:
                return self.DEFAULT_SCALAR_TAG
            tag = self._resolved.get(value)
            if tag is not None:
                return tag
            tag = super().resolve(kind, value, implicit)
            if len(value) <= _RESOLVE_CACHED_LENGTH:
                if len(self._resolved) >= _RESOLVE_CACHE_LIMIT:
                    self._resolved.clear()
                self._resolved[value] = tag
            return tag
        return super().resolve(kind, value, implicit)

    #: What :func:`_expanded_size_exceeds` counts for the last document built quickly (its values
    #: are a tree, nothing shared), or None when PyYAML's constructor built it.
    expanded_size: int | None = None

    def get_single_data(self) -> Any:
        self.expanded_size = None
        node = self.get_single_node()
        if node is None:
            return None
        self._size = 1
        try:
            data = self._quick(node, set())
        except Exception:  # noqa: BLE001 - PyYAML's constructor decides and reports
            return self.construct_document(node)
        self.expanded_size = self._size
        return data

    def _quick(self, node: yaml.Node, containers: set[yaml.Node]) -> Any:
        kind = node.__class__
        if kind is yaml.ScalarNode:
            return node.value if node.tag == _STR_TAG else self._scalar(node)
        if node in containers:
            raise _Unusual("alias")
        containers.add(node)
        if kind is yaml.MappingNode and node.tag == _MAP_TAG:
            data = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not yaml.ScalarNode:
                    raise _Unusual("complex key")
                key = key_node.value if key_node.tag == _STR_TAG else self._scalar(key_node)
                if value_node.__class__ is yaml.ScalarNode and value_node.tag == _STR_TAG:
                    data[key] = value_node.value
                else:
                    data[key] = self._quick(value_node, containers)
            if len(data) != len(node.value):
                raise _Unusual("repeated key")  # what it replaced would be counted
            self._size += 2 * len(data)
            return data
        if kind is yaml.SequenceNode and node.tag == _SEQ_TAG:
            self._size += len(node.value)
            return [item.value if item.__class__ is yaml.ScalarNode and item.tag == _STR_TAG
                    else self._quick(item, containers) for item in node.value]
        raise _Unusual(node.tag)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag, value = node.tag, node.value
        if tag == _INT_TAG and value.isdigit() and value.isascii() and (value[0] != "0" or value == "0"):
            return int(value)  # what construct_yaml_int makes of plain decimal digits
        if tag == _NULL_TAG:
            return None
        if tag in _PLAIN_SCALAR_TAGS:
            return self.yaml_constructors[node.tag](self, node)
        raise _Unusual(node.tag)


def _standard_constructors(loader: type) -> bool:
    """The quick constructor assumes PyYAML's safe constructors for the tags it builds itself."""
    safe = yaml.constructor.SafeConstructor
    return (loader.yaml_constructors.get(_STR_TAG) is safe.construct_yaml_str
            and loader.yaml_constructors.get(_MAP_TAG) is safe.construct_yaml_map
            and loader.yaml_constructors.get(_SEQ_TAG) is safe.construct_yaml_seq)


try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader
else:
    if _standard_constructors(_Loader):
        _Loader = type("_QuickCSafeLoader", (_QuickConstruction, yaml.CSafeLoader), {})

# libyaml recurses in C once per nesting level and crashes the process (SIGSEGV) at a
# few ten thousand levels - a 60 KB file of "[[[[...". Blocks that may nest deeper than
# this go to the pure-Python loader, whose recursion is caught as a RecursionError.
MAX_C_DEPTH = 200
_FLOW = re.compile(r"[\[\]{}]")
_BLOCK_INDICATORS = re.compile(r"(?:^|\s)[-?:](?=\s|$)")


def loader_for(block: str) -> type:
    """libyaml for every ordinary block; the Python loader when the block might nest deeply.

    The depth is over-estimated (brackets inside strings count too), which only
    ever costs speed: the Python loader reads those blocks the same way.
    """
    if len(block) < MAX_C_DEPTH:
        return _Loader
    depth = deepest = 0
    if "[" in block or "{" in block:  # closing brackets alone never raise the depth
        for match in _FLOW.finditer(block):
            depth = depth + 1 if match.group() in "[{" else max(0, depth - 1)
            deepest = max(deepest, depth)
    lines = block.splitlines()
    if max(map(len, lines), default=0) <= MAX_C_DEPTH - deepest:
        lines = []
    for line in lines:
        if len(line) > MAX_C_DEPTH - deepest:
            indent = len(line) - len(line.lstrip())
            if indent + _indicator_bound(line) + deepest > MAX_C_DEPTH \
                    and indent + len(_BLOCK_INDICATORS.findall(line)) + deepest > MAX_C_DEPTH:
                return yaml.SafeLoader
    return _Loader if deepest <= MAX_C_DEPTH else yaml.SafeLoader


def _indicator_bound(line: str) -> int:
    """At least as many as the block indicators in ``line``: each is one of these characters."""
    return line.count("-") + line.count("?") + line.count(":")


def load(text: str) -> tuple[Any, int | None]:
    """``yaml.safe_load(text)`` on libyaml unless the text might nest too deeply for it, and
    the number of values it expands to when the quick constructor built it (else None)."""
    loader = loader_for(text)(text)
    try:
        return loader.get_single_data(), getattr(loader, "expanded_size", None)
    finally:
        loader.dispose()


def safe_load(text: str) -> Any:
    """``yaml.safe_load(text)``, on libyaml unless the text might nest too deeply for it."""
    return load(text)[0]
