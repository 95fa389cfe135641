"""The everyday-ai corpus (skipped when ../shared is absent) builds with no crash."""

from __future__ import annotations

from dataclasses import replace

from feedsmith.build import build

from .conftest import corpus_news
from .feedcheck import assert_valid


def test_corpus_builds_and_every_feed_is_valid(config, tmp_path):
    news = corpus_news()
    report = build(replace(config, seeds_dir=news, out_dir=tmp_path / "out"))
    files = list(news.iterdir())
    assert len(report.load.articles) + len(report.load.problems) == len(files)
    assert len(report.load.articles) >= 0.95 * len(files), report.load.problems[:5]
    for path in (tmp_path / "out").rglob("*"):
        if path.suffix in (".rss", ".atom", ".json", ".opml"):
            assert_valid(path.name, path.read_bytes())
    assert any(p.name == "ai.atom" for p in (tmp_path / "out" / "topics").iterdir())
