"""Catalog: dedupe keeps the richest record, newest first, unique stable slugs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from feedsmith.catalog import build_catalog, unique_slugs
from feedsmith.model import Article, Provider

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def art(i: int, **kw) -> Article:
    fields = dict(
        id=f"https://e.com/{i}", title=f"Story {i}", link=f"https://e.com/{i}",
        published=T0 + timedelta(hours=i), observed=T0, source_path=f"/s/{i}.txt",
    )
    fields.update(kw)
    return Article(**fields)


def test_newest_first_and_feeds_per_kind():
    articles = [
        art(1, topics=("AI",), provider=Provider("CNN", "cnn.com"), category="news"),
        art(3, topics=("AI", "Robots"), provider=Provider("CNN", "cnn.com")),
        art(2, topics=("ai",), provider=Provider("BBC", "bbc.com")),
    ]
    catalog = build_catalog(articles)
    assert [a.title for a in catalog.feeds["all"].articles] == ["Story 3", "Story 2", "Story 1"]
    assert len(catalog.feeds["topics/ai"].articles) == 3  # case-insensitive topic
    assert catalog.feeds["topics/ai"].name == "AI"
    assert [a.title for a in catalog.feeds["providers/cnn-com"].articles] == ["Story 3", "Story 1"]
    assert catalog.feeds["categories/news"].name == "news"
    assert set(catalog.feeds) == {"all", "topics/ai", "topics/robots", "providers/cnn-com",
                                  "providers/bbc-com", "categories/news"}


def test_duplicates_merged_keeping_richest():
    poor = art(1, source_path="/s/poor.txt")
    rich = art(1, source_path="/s/rich.txt", summary="More", author="A", topics=("AI",))
    for order in ([poor, rich], [rich, poor]):
        catalog = build_catalog(order)
        assert len(catalog.articles) == 1
        assert catalog.articles[0].source_path == "/s/rich.txt"


def test_slugs_are_ascii_unique_and_independent_of_order():
    names = ["AI in Autos", "C++", "C", "Café", "Cafe", "../../etc/passwd", "日本"]
    first = unique_slugs(names, "topic")
    second = unique_slugs(list(reversed(names)), "topic")
    assert first == second
    assert first["AI in Autos"] == "ai-in-autos"
    assert first["C"] == "c" and first["C++"].startswith("c-")
    assert len(set(first.values())) == len(names)
    assert all(s.isascii() and "/" not in s and ".." not in s for s in first.values())


def test_articles_without_links_get_pages():
    catalog = build_catalog([art(1, link=None, id="tag:x", title="No link here")])
    (path,) = catalog.pages()
    assert path.startswith("no-link-here-")
    a = catalog.articles[0]
    assert catalog.page_path(a) == f"articles/{path}.html"
