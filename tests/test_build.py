"""The static build: the whole tree, valid feeds, atomic writes, stale files removed."""

from __future__ import annotations


import feedparser

from feedsmith.build import MANIFEST, build

from .conftest import SEEDS
from .feedcheck import assert_valid


def built_files(out):
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)


def test_build_writes_the_whole_tree_and_every_feed_is_valid(site_config):
    report = build(site_config)
    out = site_config.out_dir
    files = built_files(out)
    assert len(report.load.articles) == 5 and not report.load.problems
    for expected in ("index.html", "feeds.opml", "all.rss", "all.atom", "all.json",
                     "topics/ai.rss", "topics/ai.atom", "categories/news.atom",
                     "providers/wsj-com.atom", "providers/cnn-com.rss", "providers/scmp-com.atom",
                     "providers/theindependent-sg.rss"):
        assert expected in files
    assert len([f for f in files if f.startswith("articles/") and f.endswith(".html")]) == 3
    for name in files:
        data = (out / name).read_bytes()
        assert_valid(name, data)
    all_atom = feedparser.parse((out / "all.atom").read_bytes())
    assert len(all_atom.entries) == 5
    assert len(feedparser.parse((out / "topics/ai.rss").read_bytes()).entries) == 5
    assert len(feedparser.parse((out / "providers/cnn-com.atom").read_bytes()).entries) == 1
    assert "5 articles read" in report.summary()


def test_entries_without_links_open_their_own_page(site_config):
    build(site_config)
    out = site_config.out_dir
    parsed = feedparser.parse((out / "all.atom").read_bytes())
    local = [e.link for e in parsed.entries if e.link.startswith(site_config.base_url)]
    assert len(local) == 3
    for link in local:
        page = out / link.removeprefix(site_config.base_url)
        assert page.is_file()
        assert b"<h1" in page.read_bytes()


def test_rebuild_is_byte_identical_and_removes_stale_files(site_config, seeds):
    build(site_config)
    out = site_config.out_dir
    before = {f: (out / f).read_bytes() for f in built_files(out)}
    second = build(site_config)
    assert second.written == [] and len(second.unchanged) == len(before)
    (seeds / "001_525bf615ad7c6798.txt").unlink()  # the only CNN article
    third = build(site_config)
    assert "providers/cnn-com.atom" in third.removed
    assert not (out / "providers/cnn-com.atom").exists()
    assert (out / "all.atom").read_bytes() != before["all.atom"]


def test_broken_and_binary_files_are_reported_and_the_rest_published(site_config, seeds):
    (seeds / "broken.txt").write_text("---\ntitle: [oops\n---\nbody\n", encoding="utf-8")
    (seeds / "photo.jpg.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 8)
    report = build(site_config)
    assert len(report.load.articles) == 5
    reasons = {p.path.rsplit("/", 1)[-1]: p.reason for p in report.load.problems}
    assert "invalid YAML" in reasons["broken.txt"]
    assert "binary" in reasons["photo.jpg.txt"]
    assert len(feedparser.parse((site_config.out_dir / "all.rss").read_bytes()).entries) == 5


def test_failed_render_leaves_previous_tree(site_config, seeds, monkeypatch):
    import pytest

    from feedsmith import render

    build(site_config)
    (seeds / "new.md").write_text("---\ntitle: New\nurl: https://e.org/new\ndate: 2030-01-01\n---\n")
    out = site_config.out_dir
    before = {f: (out / f).read_bytes() for f in built_files(out)}

    def explode(*args, **kwargs):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(render, "render_feed", explode)
    with pytest.raises(RuntimeError):
        build(site_config)
    assert {f: (out / f).read_bytes() for f in built_files(out)} == before


def test_no_temporary_files_left(site_config):
    build(site_config)
    assert not [p for p in site_config.out_dir.rglob("*.tmp")]


def test_seeds_copy_is_pristine():
    assert sorted(p.name for p in SEEDS.iterdir()) == [
        "000_cc5dbb56b522b53d.txt", "001_525bf615ad7c6798.txt", "002_bd23f5fafd541423.txt",
        "003_47d7fbf7bff2b1e1.txt", "004_529409ad78408e2c.txt",
    ]
