"""Validate what a build publishes: the same checks the tests and ``feedsmith check`` run.

Each check returns a list of human-readable problems; an empty list means the
document is clean.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

import feedparser
from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"


def _absolute(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _well_formed(data: bytes) -> tuple[etree._Element | None, list[str]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser), []
    except etree.XMLSyntaxError as exc:
        return None, [f"not well-formed XML: {exc}"]


def _duplicates(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    dupes = []
    for value in values:
        if value in seen:
            dupes.append(value)
        seen.add(value)
    return dupes


def _parsed_problems(data: bytes) -> list[str]:
    parsed = feedparser.parse(data)
    problems = []
    if parsed.bozo:
        problems.append(f"feedparser: {parsed.get('bozo_exception')!r}")
    for i, entry in enumerate(parsed.entries):
        if not entry.get("title"):
            problems.append(f"entry {i}: no title")
        if not _absolute(entry.get("link")):
            problems.append(f"entry {i}: link {entry.get('link')!r} is not absolute")
    return problems


def check_rss(data: bytes) -> list[str]:
    root, problems = _well_formed(data)
    if root is None:
        return problems
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        return ["not an RSS 2.0 document (<rss><channel> missing)"]
    for name in ("title", "link", "description"):
        if not (channel.findtext(name) or "").strip():
            problems.append(f"channel has no <{name}>")
    if not any(l.get("rel") == "self" and _absolute(l.get("href")) for l in channel.findall(f"{ATOM}link")):
        problems.append("channel has no absolute atom:link rel=self")
    items = channel.findall("item")
    guids = [item.findtext("guid") or "" for item in items]
    if any(not g for g in guids):
        problems.append("an item has no <guid>")
    problems += [f"duplicate guid {g!r}" for g in _duplicates(guids)]
    for i, item in enumerate(items):
        if len(item.findall("enclosure")) > 1:
            problems.append(f"item {i}: more than one <enclosure>")
        for enclosure in item.findall("enclosure"):
            if not (enclosure.get("length") and enclosure.get("type") and _absolute(enclosure.get("url"))):
                problems.append(f"item {i}: enclosure needs an absolute url, length and type")
        if item.findtext("pubDate") and not _rfc822_has_zone(item.findtext("pubDate") or ""):
            problems.append(f"item {i}: pubDate without a time zone")
    return problems + _parsed_problems(data)


def _rfc822_has_zone(text: str) -> bool:
    last = text.strip().rsplit(" ", 1)[-1]
    return last[:1] in "+-" or last.isalpha()


def check_atom(data: bytes) -> list[str]:
    root, problems = _well_formed(data)
    if root is None:
        return problems
    if root.tag != f"{ATOM}feed":
        return ["not an Atom feed (<feed xmlns=Atom> missing)"]
    for name in ("id", "title", "updated"):
        if root.find(f"{ATOM}{name}") is None:
            problems.append(f"feed has no <{name}>")
    if not any(l.get("rel") == "self" and _absolute(l.get("href")) for l in root.findall(f"{ATOM}link")):
        problems.append("feed has no absolute link rel=self")
    feed_author = root.find(f"{ATOM}author") is not None
    entries = root.findall(f"{ATOM}entry")
    problems += [f"duplicate entry id {i!r}" for i in _duplicates(e.findtext(f"{ATOM}id") or "" for e in entries)]
    for i, entry in enumerate(entries):
        for name in ("id", "title", "updated"):
            if entry.find(f"{ATOM}{name}") is None:
                problems.append(f"entry {i}: no <{name}>")
        if not feed_author and entry.find(f"{ATOM}author") is None:
            problems.append(f"entry {i}: no author (and none at feed level)")
        for stamp in (entry.findtext(f"{ATOM}updated"), entry.findtext(f"{ATOM}published")):
            if stamp and not (stamp.endswith("Z") or stamp[-6:-5] in "+-"):
                problems.append(f"entry {i}: date {stamp!r} has no time zone")
        for link in entry.findall(f"{ATOM}link"):
            if not _absolute(link.get("href")):
                problems.append(f"entry {i}: link {link.get('href')!r} is not absolute")
    return problems + _parsed_problems(data)


def check_json_feed(data: bytes) -> list[str]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return [f"not valid JSON: {exc}"]
    problems = []
    if not isinstance(doc, dict):
        return ["a JSON Feed must be an object"]
    if doc.get("version") != JSONFEED_VERSION:
        problems.append(f"version must be {JSONFEED_VERSION!r}")
    if not isinstance(doc.get("title"), str) or not doc["title"]:
        problems.append("feed has no title")
    items = doc.get("items")
    if not isinstance(items, list):
        return problems + ["feed has no items list"]
    problems += [f"item {i}: not an object" for i, it in enumerate(items) if not isinstance(it, dict)]
    items = [it for it in items if isinstance(it, dict)]
    problems += [f"duplicate item id {i!r}" for i in _duplicates(str(it.get("id")) for it in items)]
    for i, item in enumerate(items):
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"item {i}: id must be a non-empty string")
        if "content_html" not in item and "content_text" not in item:
            problems.append(f"item {i}: needs content_html or content_text")
        if "url" in item and not _absolute(item["url"]):
            problems.append(f"item {i}: url {item['url']!r} is not absolute")
    return problems


def check_opml(data: bytes) -> list[str]:
    root, problems = _well_formed(data)
    if root is None:
        return problems
    if root.tag != "opml" or root.find("body") is None:
        return ["not an OPML document"]
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl")
        if url is not None and not _absolute(url):
            problems.append(f"outline xmlUrl {url!r} is not absolute")
    return problems


CHECKERS = {".rss": check_rss, ".atom": check_atom, ".json": check_json_feed, ".opml": check_opml}


def check_document(path: str, data: bytes) -> list[str]:
    """Problems with one published document, chosen by its extension; [] if none or unknown."""
    for suffix, checker in CHECKERS.items():
        if path.endswith(suffix):
            return checker(data)
    return []
