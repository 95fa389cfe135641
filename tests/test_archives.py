"""RFC 5005 archives (one per UTC month of what falls out of each feed) and .gz twins."""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from feedsmith import archives
from feedsmith.build import GZIP_LEVEL, MANIFEST, build
from feedsmith.catalog import build_catalog
from feedsmith.config import Config
from feedsmith.model import Article

from .feedcheck import assert_valid

ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
FORMATS = ("rss", "atom", "json")

# name: (date, topics, provider domain); newest first. item_limit is 2, so the
# current documents of "all" hold a-mar20 and b-mar10 and the rest is archived.
STORIES = {
    "a-mar20": ("2024-03-20T10:00:00Z", ["AI"], "cnn.com"),
    "b-mar10": ("2024-03-10T10:00:00Z", ["AI", "Chips"], "reuters.com"),
    "c-mar02": ("2024-03-02T10:00:00Z", ["AI"], "cnn.com"),
    "d-feb15": ("2024-02-15T10:00:00Z", ["Chips"], "reuters.com"),
    "e-feb01": ("2024-02-01T00:30:00+02:00", ["AI"], "cnn.com"),  # January 31st in UTC
    "f-dec24": ("2023-12-24T10:00:00Z", ["AI", "Chips"], "reuters.com"),
    "g-jun30": ("2023-06-30T23:30:00-05:00", ["AI"], "cnn.com"),  # July 1st in UTC
}
NAMES = {"cnn.com": "CNN", "reuters.com": "Reuters"}
ALL_MONTHS = ["2024-03", "2024-02", "2024-01", "2023-12", "2023-07"]  # archives of "all", newest first


def story(name: str, date: str, topics: list[str], domain: str, title: str | None = None) -> str:
    lines = ["---", f"title: {json.dumps(title or 'Story ' + name)}", f"excerpt: Summary of {name}.",
             f"publishedDateTime: {date}", f"originalUrl: https://{domain}/{name}",
             "provider:", f"  name: {NAMES[domain]}", f"  domain: {domain}", "topics:", *[f"  - {t}" for t in topics],
             "category: news", "---", f"Body of {name}.", ""]
    return "\n".join(lines)


@pytest.fixture
def history(tmp_path: Path) -> Path:
    folder = tmp_path / "history"
    folder.mkdir()
    for name, fields in STORIES.items():
        (folder / f"{name}.md").write_text(story(name, *fields), encoding="utf-8")
    return folder


@pytest.fixture
def history_config(config: Config, history: Path, tmp_path: Path) -> Config:
    return replace(config, seeds_dir=history, out_dir=tmp_path / "feeds", state_dir=tmp_path / "state",
                   item_limit=2, reload_interval=0.0)


@pytest.fixture
def history_client(history_config: Config):
    from feedsmith.web import create_app

    app = create_app(history_config)
    app.testing = True
    return app.test_client()


def links_of(data: bytes, fmt: str) -> dict[str, str]:
    """Feed-level links by relation (JSON Feed: feed_url -> self, next_url -> prev-archive)."""
    if fmt == "json":
        doc = json.loads(data)
        found = {"self": doc["feed_url"]}
        if "next_url" in doc:
            found["prev-archive"] = doc["next_url"]
        history = doc.get("_feedsmith", {})
        for key, rel in (("current_url", "current"), ("newer_url", "next-archive")):
            if key in history:
                found[rel] = history[key]
        return found
    root = etree.fromstring(data)
    parent = root.find("channel") if fmt == "rss" else root
    return {link.get("rel"): link.get("href") for link in parent.findall(f"{ATOM}link")}


def is_archive(data: bytes, fmt: str) -> bool:
    if fmt == "json":
        return json.loads(data).get("_feedsmith", {}).get("archive") is True
    root = etree.fromstring(data)
    parent = root.find("channel") if fmt == "rss" else root
    return parent.find(f"{FH}archive") is not None


def entry_ids(data: bytes, fmt: str) -> list[str]:
    if fmt == "json":
        return [item["id"] for item in json.loads(data)["items"]]
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return [entry.id for entry in parsed.entries]


def get(client, config: Config, url: str) -> bytes:
    assert url.startswith(config.base_url), url
    response = client.get("/" + url.removeprefix(config.base_url))
    assert response.status_code == 200, url
    return response.data


def walk(client, config: Config, feed_path: str, fmt: str) -> list[tuple[str, bytes]]:
    """The current document, then every archive by following prev-archive (checking the way back)."""
    url = config.url(f"{feed_path}.{fmt}")
    pages = [(url, get(client, config, url))]
    assert not is_archive(pages[0][1], fmt)
    while "prev-archive" in (links := links_of(pages[-1][1], fmt)):
        newer_url = pages[-1][0]
        url = links["prev-archive"]
        assert url not in [u for u, _ in pages], "the archive chain loops"
        data = get(client, config, url)
        assert is_archive(data, fmt), url
        back = links_of(data, fmt)
        assert back["self"] == url
        assert back["current"] == config.url(f"{feed_path}.{fmt}")
        if len(pages) > 1:
            assert back["next-archive"] == newer_url  # the way back, archive to archive
        else:
            assert "next-archive" not in back  # the newest archive: next is the current document
        pages.append((url, data))
    return pages


def built(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in out.rglob("*") if p.is_file() and p.name != MANIFEST}


# ------------------------------------------------------------------ planning


def test_archives_are_per_utc_month_of_what_the_current_document_leaves_out(history_config, history_client):
    build(history_config)
    out = history_config.out_dir
    for fmt in FORMATS:
        current = (out / f"all.{fmt}").read_bytes()
        assert links_of(current, fmt)["prev-archive"] == history_config.url(f"all/archive/2024-03.{fmt}")
        assert len(entry_ids(current, fmt)) == 2
        months = sorted(p.name.removesuffix(f".{fmt}") for p in (out / "all/archive").glob(f"*.{fmt}"))
        assert months == sorted(ALL_MONTHS)
        for month in ALL_MONTHS:
            assert is_archive((out / f"all/archive/{month}.{fmt}").read_bytes(), fmt)
    ids = lambda rel: entry_ids((out / rel).read_bytes(), "atom")  # noqa: E731
    assert ids("all/archive/2024-03.atom") == ["https://cnn.com/c-mar02"]
    assert ids("all/archive/2024-02.atom") == ["https://reuters.com/d-feb15"]
    assert ids("all/archive/2024-01.atom") == ["https://cnn.com/e-feb01"]  # Feb 1st +02:00 is Jan 31st UTC
    assert ids("all/archive/2023-07.atom") == ["https://cnn.com/g-jun30"]  # Jun 30th -05:00 is Jul 1st UTC
    chips = (out / "topics/chips.atom").read_bytes()
    assert "prev-archive" in links_of(chips, "atom")  # 3 articles: one is archived
    assert sorted(p.name for p in (out / "topics/chips/archive").glob("*.atom")) == ["2023-12.atom"]


def test_archives_in_rss_declare_the_history_namespace(history_config):
    build(history_config)
    data = (history_config.out_dir / "all/archive/2024-02.rss").read_bytes()
    root_tag = data[data.index(b"<rss"):data.index(b">", data.index(b"<rss"))]
    assert b'xmlns:fh="http://purl.org/syndication/history/1.0"' in root_tag
    assert b"<fh:archive/>" in data
    atom = etree.fromstring((history_config.out_dir / "all/archive/2024-02.atom").read_bytes())
    assert atom.find(f"{FH}archive") is not None
    assert atom.findtext(f"{ATOM}id") == history_config.url("all.atom")  # one logical feed (RFC 5005)
    current = (history_config.out_dir / "all.rss").read_bytes()
    assert b"fh:archive" not in current and b"history/1.0" not in current


# ------------------------------------------------------------ reading them


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reader_can_backfill_every_feed_completely(history_config, history_client, fmt):
    from feedsmith.build import load_site

    site = load_site(history_config)
    assert len(site.catalog.feeds) > 5
    for feed in site.catalog.feeds.values():
        pages = walk(history_client, history_config, feed.path, fmt)
        seen = [entry_id for _, data in pages for entry_id in entry_ids(data, fmt)]
        assert len(seen) == len(set(seen)), (feed.path, seen)  # no duplicates
        assert set(seen) == {a.link for a in feed.articles}, feed.path  # nothing missing
        assert seen == [a.link for a in feed.articles]  # and newest first throughout
        assert len(pages) == 1 + len(site.archives(feed))


def test_every_built_file_is_valid_and_served_byte_for_byte(history_config, history_client):
    build(history_config)
    files = built(history_config.out_dir)
    archived = [rel for rel in files if "/archive/" in rel and not rel.endswith(".gz")]
    assert len(archived) == 3 * (5 + 4 + 1 + 2 + 1 + 5)  # all, ai, chips, cnn, reuters, news
    for rel, data in files.items():
        assert_valid(rel, data)
        if rel.endswith(".gz"):
            continue
        response = history_client.get("/" + rel)
        assert response.status_code == 200, rel
        assert response.data == data, rel
        if rel in archived and not rel.endswith(".json"):
            assert feedparser.parse(response.data).bozo == 0


# ------------------------------------------------------------- stability


def test_a_new_article_rewrites_only_current_documents_and_newest_archives(history_config, history):
    from feedsmith.build import load_site

    build(history_config)
    out = history_config.out_dir
    before = built(out)
    stamps = {rel: (out / rel).stat().st_mtime_ns for rel in before}
    old = load_site(history_config)
    (history / "h-mar25.md").write_text(story("h-mar25", "2024-03-25T08:00:00Z", ["AI"], "cnn.com"), "utf-8")
    report = build(history_config)
    new = load_site(history_config)
    newest = {a.path(fmt) for site in (old, new) for feed in site.catalog.feeds.values()
              for a in site.archives(feed)[:1] for fmt in FORMATS}
    rewritten = {rel.removesuffix(".gz") for rel in report.written if "/archive/" in rel}
    assert rewritten and rewritten <= newest, rewritten - newest
    assert "all/archive/2024-03.atom" in rewritten  # b-mar10 moved out of the current document
    for rel, data in before.items():
        if "/archive/" in rel and rel.removesuffix(".gz") not in newest:
            assert (out / rel).read_bytes() == data, rel
            assert (out / rel).stat().st_mtime_ns == stamps[rel], rel  # not even touched
    # Nothing went missing: the backfill still sees every article.
    ids = [i for rel in ("all.atom", *(f"all/archive/{m}.atom" for m in ALL_MONTHS))
           for i in entry_ids((out / rel).read_bytes(), "atom")]
    assert len(ids) == len(set(ids)) == len(STORIES) + 1


def test_when_the_window_leaves_a_month_a_new_archive_appears(history_config, history):
    build(history_config)
    out = history_config.out_dir
    before = built(out)
    for day in (1, 2, 3):
        name = f"n-apr0{day}"
        (history / f"{name}.md").write_text(story(name, f"2024-04-0{day}T08:00:00Z", ["AI"], "cnn.com"), "utf-8")
    report = build(history_config)
    assert (out / "all/archive/2024-04.atom").is_file()  # n-apr01; n-apr02 and n-apr03 are current
    march = links_of((out / "all/archive/2024-03.atom").read_bytes(), "atom")
    assert march["next-archive"] == history_config.url("all/archive/2024-04.atom")
    for month in ALL_MONTHS[1:]:
        assert (out / f"all/archive/{month}.atom").read_bytes() == before[f"all/archive/{month}.atom"]
        assert f"all/archive/{month}.atom" in report.unchanged


def test_an_unchanged_rebuild_writes_nothing(history_config):
    first = build(history_config)
    assert any("/archive/" in rel for rel in first.written)
    second = build(history_config)
    assert second.written == [] and second.removed == []
    assert len(second.unchanged) == len(first.written)


def test_editing_an_archived_article_rewrites_its_archives_only(history_config, history):
    build(history_config)
    out = history_config.out_dir
    before = built(out)
    fields = STORIES["d-feb15"]
    (history / "d-feb15.md").write_text(story("d-feb15", *fields, title="Chips, corrected"), "utf-8")
    report = build(history_config)
    changed = {rel for rel in report.written if not rel.endswith(".gz")}
    feeds_of_d = {"all", "topics/chips", "providers/reuters-com", "categories/news"}
    for rel in changed:
        if "/archive/" in rel:
            assert rel.split("/archive/")[0] in feeds_of_d and "2024-02" in rel, rel
    assert "all/archive/2024-02.rss" in changed
    assert "all/archive/2024-03.rss" not in changed and "all.rss" not in changed
    assert (out / "all/archive/2024-03.rss").read_bytes() == before["all/archive/2024-03.rss"]


# ------------------------------------------------------------------- HTTP


def test_archives_are_cached_as_immutable_except_the_newest(history_config, history_client):
    max_age = history_config.archive_max_age
    for fmt in FORMATS:
        old = history_client.get(f"/all/archive/2024-02.{fmt}")
        assert old.status_code == 200
        assert old.headers["Cache-Control"] == f"public, max-age={max_age}, immutable"
        newest = history_client.get(f"/all/archive/2024-03.{fmt}")  # still gains entries
        assert newest.headers["Cache-Control"] == f"public, max-age={history_config.cache_max_age}"
        current = history_client.get(f"/all.{fmt}")
        assert current.headers["Cache-Control"] == f"public, max-age={history_config.cache_max_age}"
    head = history_client.head("/all/archive/2023-07.atom")
    assert head.headers["Last-Modified"] == "Sat, 01 Jul 2023 04:30:00 GMT"
    assert history_client.get("/all/archive/2019-01.atom").status_code == 404
    assert history_client.get("/nope/archive/2024-02.atom").status_code == 404
    assert history_client.get("/all/archive/2024-02.atom?limit=1").data == history_client.get(
        "/all/archive/2024-02.atom").data


def test_archives_can_be_switched_off(history_config):
    config = replace(history_config, archives=False)
    report = build(config)
    assert not [rel for rel in report.written if "/archive/" in rel]
    assert "prev-archive" not in links_of((config.out_dir / "all.atom").read_bytes(), "atom")
    # Switching them off again removes the archives of an earlier build.
    build(history_config)
    assert (history_config.out_dir / "all/archive/2024-02.atom").is_file()
    report = build(config)
    assert "all/archive/2024-02.atom" in report.removed and "all/archive/2024-02.atom.gz" in report.removed
    assert not (config.out_dir / "all/archive").exists()


# --------------------------------------------------------------- big months


def _article(i: int, day: int, body_bytes: int) -> Article:
    from datetime import datetime, timezone

    when = datetime(2024, 5, day, 12, 0, tzinfo=timezone.utc)
    return Article(id=f"https://example.org/{i}", title=f"Story {i}", link=f"https://example.org/{i}",
                   published=when, observed=when, source_path=f"{i}.md", summary=f"Summary {i}.",
                   content="<p>" + "word " * (body_bytes // 5) + "</p>", topics=("AI",))


def test_a_month_over_the_byte_budget_is_split_in_halves_and_stays_complete():
    from feedsmith.site import Site

    config = replace(Config(), item_limit=2, feed_max_bytes=40_000)
    articles = [_article(i, day, 8_000) for i, day in enumerate((30, 28, 25, 20, 16, 15, 10, 5, 2, 1))]
    site = Site(build_catalog(articles, config), config)
    feed = site.catalog.feeds["all"]
    assert [a.key for a in site.archives(feed)] == ["2024-05-2", "2024-05-1"]
    assert archives.parse_path("all/archive/2024-05-2.atom") == ("all", "2024-05-2", "atom")
    for fmt in FORMATS:
        seen = entry_ids(site.get(f"all.{fmt}").body, fmt)
        for archive in site.archives(feed):
            body = site.get(archive.path(fmt)).body
            assert_valid(archive.path(fmt), body)
            seen += entry_ids(body, fmt)
        assert seen == [a.link for a in feed.articles]  # complete, however big


def test_archive_documents_are_never_truncated_only_shrunk():
    from feedsmith.site import Site

    config = replace(Config(), item_limit=1, feed_max_bytes=30_000)
    articles = [_article(i, 1 + i, 6_000) for i in range(12)]
    site = Site(build_catalog(articles, config), config)
    [archive] = [a for a in site.archives(site.catalog.feeds["all"]) if len(a.articles) > 5]
    full = {"rss": b"<content:encoded>", "atom": b"<content ", "json": b'"content_html"'}
    for fmt in FORMATS:
        body = site.get(archive.path(fmt)).body
        assert len(entry_ids(body, fmt)) == len(archive.articles)  # every entry, past the budget if need be
        assert 0 < body.count(full[fmt]) < len(archive.articles)  # the oldest fall back to their summaries


# ------------------------------------------------------------------ .gz twins


def test_every_feed_page_and_opml_file_has_a_deterministic_gz_twin(history_config):
    build(history_config)
    files = built(history_config.out_dir)
    originals = [rel for rel in files if not rel.endswith(".gz")]
    assert {rel + ".gz" for rel in originals} == {rel for rel in files if rel.endswith(".gz")}
    for rel in originals:
        twin = files[rel + ".gz"]
        assert gzip.decompress(twin) == files[rel], rel
        assert twin[4:8] == b"\0\0\0\0", rel  # mtime 0: the same bytes on every build
        assert gzip.compress(files[rel], compresslevel=GZIP_LEVEL, mtime=0) == twin


def test_gz_twins_match_what_the_app_sends(history_config, history_client):
    build(history_config)
    out = history_config.out_dir
    for rel in ("all.atom", "all/archive/2024-02.json", "index.html", "feeds.opml"):
        response = history_client.get("/" + rel, headers={"Accept-Encoding": "gzip"})
        assert response.headers.get("Content-Encoding") == "gzip", rel
        assert response.data == (out / (rel + ".gz")).read_bytes(), rel


def test_gz_twins_follow_their_originals(history_config, history):
    out = history_config.out_dir
    build(history_config)
    # Rewritten only when the original changes, restored when missing.
    twin = out / "providers/reuters-com.atom.gz"
    stamp = twin.stat().st_mtime_ns
    assert "providers/reuters-com.atom.gz" in build(history_config).unchanged
    assert twin.stat().st_mtime_ns == stamp
    twin.unlink()
    report = build(history_config)
    assert report.written == ["providers/reuters-com.atom.gz"]
    # Removed with their originals.
    for name, (_, _, domain) in STORIES.items():
        if domain == "cnn.com":
            (history / f"{name}.md").unlink(missing_ok=True)
    report = build(history_config)
    assert {"providers/cnn-com.atom", "providers/cnn-com.atom.gz", "providers/cnn-com.json.gz",
            "providers/cnn-com/archive/2023-07.rss.gz"} <= set(report.removed)
    assert not list(out.glob("providers/cnn-com*")), "files or empty folders left behind"
    assert not [p for p in out.rglob("*.gz") if not p.with_suffix("").is_file()]


def test_a_killed_build_cannot_leave_a_stale_twin(history_config, history, monkeypatch):
    """Twins are written before their originals, so an interrupted build is repaired by the next."""
    from feedsmith import build as build_module

    out = history_config.out_dir
    build(history_config)
    fields = STORIES["a-mar20"]
    (history / "a-mar20.md").write_text(story("a-mar20", *fields, title="Retitled"), "utf-8")
    real = build_module.commit_file

    def die_on_original(tmp: str, path: Path) -> None:
        real(tmp, path)
        if path.name in ("all.atom", "all.atom.gz"):
            raise KeyboardInterrupt  # killed after the first of the pair was renamed into place

    monkeypatch.setattr(build_module, "commit_file", die_on_original)
    with pytest.raises(KeyboardInterrupt):
        build(history_config)
    assert not list(out.rglob("*.tmp")), "temporary files left behind"
    monkeypatch.setattr(build_module, "commit_file", real)
    build(history_config)
    assert b"Retitled" in (out / "all.atom").read_bytes()
    assert gzip.decompress((out / "all.atom.gz").read_bytes()) == (out / "all.atom").read_bytes()
    assert os.path.getsize(out / "all.atom.gz") > 0


def test_the_archives_switch_is_a_checked_config_key(tmp_path):
    from feedsmith.config import load_config
    from feedsmith.errors import ConfigError

    assert Config().archives is True
    path = tmp_path / "c.yaml"
    path.write_text("archives: false\n", encoding="utf-8")
    assert load_config(path).archives is False
    path.write_text("archives: sometimes\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="archives"):
        load_config(path)


def test_the_live_app_keeps_only_a_bounded_number_of_archives(history_config, monkeypatch):
    from feedsmith import web

    app = web.create_app(history_config)
    client = app.test_client()
    monkeypatch.setattr(web, "ARCHIVE_CACHE_BYTES", 6_000)
    for month in ALL_MONTHS:
        for fmt in FORMATS:
            assert client.get(f"/all/archive/{month}.{fmt}").status_code == 200
    cache = app.extensions["feedsmith"].state().cache
    assert not [key for key in cache.entries if "/archive/" in key]  # not in the unbounded cache
    assert 0 < len(cache._archives) < 3 * len(ALL_MONTHS)
    assert cache._archive_bytes <= 6_000 or len(cache._archives) == 1
    again = client.get("/all/archive/2024-02.atom")  # evicted or not, the same answer
    assert again.status_code == 200 and again.headers["Cache-Control"].endswith("immutable")


# ------------------------------------------------------- incremental builds


def test_random_edits_rebuild_to_the_same_tree_as_building_from_scratch(history_config, history, tmp_path):
    """After each of a seeded series of edits, the tree a cached rebuild leaves is
    byte-identical to a build without any cache: reusing recorded feed states and
    fingerprints never keeps a document that should have changed."""
    import random

    rng = random.Random(5005)
    config = replace(history_config, feed_max_bytes=6_000)  # big bodies split months in halves
    topics = ["AI", "ai", "Chips", "Robots", "robots"]  # spellings compete for the feed's name
    domains = ["cnn.com", "reuters.com", "example-news.com"]
    names = {"cnn.com": ["CNN"], "reuters.com": ["Reuters"], "example-news.com": ["Example News", "EXAMPLE NEWS"]}

    def write(name: str, body: str = "") -> None:
        domain = rng.choice(domains)
        month, day = rng.randint(1, 4), rng.randint(1, 28)
        lines = ["---", f"title: Story {name} {rng.randint(0, 9)}", f"excerpt: Summary of {name}.",
                 f"publishedDateTime: 2024-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:00:00Z",
                 *([f"originalUrl: https://{domain}/{name}"] if rng.random() < 0.7 else []),  # else a page of its own
                 "provider:", f"  name: {rng.choice(names[domain])}",
                 f"  domain: {domain}", "topics:", *[f"  - {t}" for t in rng.sample(topics, rng.randint(0, 2))],
                 "---", body or f"Body of {name}.", ""]
        (history / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")

    def edit(step: int) -> str:
        files = sorted(history.glob("*.md"))
        action = rng.choice(["add", "add", "rewrite", "rewrite", "grow", "delete", "touch"])
        if action == "add" or not files:
            write(f"new{step}")
        elif action == "rewrite":
            write(rng.choice(files).stem)
        elif action == "grow":
            write(rng.choice(files).stem, body="Long paragraph of the story. " * 150)
        elif action == "delete":
            rng.choice(files).unlink()
        else:
            victim = rng.choice(files)
            os.utime(victim, ns=(victim.stat().st_atime_ns, victim.stat().st_mtime_ns + 10**9))
        return action

    build(config)
    for step in range(24):
        action = edit(step)
        incremental = build(config)
        scratch = replace(config, out_dir=tmp_path / f"scratch{step}", state_dir=tmp_path / f"state{step}")
        build(scratch, use_cache=False)
        mine, theirs = built(config.out_dir), built(scratch.out_dir)
        assert mine.keys() == theirs.keys(), (step, action, mine.keys() ^ theirs.keys())
        assert [rel for rel in mine if mine[rel] != theirs[rel]] == [], (step, action)
        if action == "touch":
            assert incremental.written == [], step


def test_a_one_file_edit_plans_only_the_archives_of_feeds_that_hold_it(history_config, history, monkeypatch):
    build(history_config)
    planned: list[str] = []
    real_plan = archives.plan
    monkeypatch.setattr(archives, "plan", lambda feed, *rest: planned.append(feed.path) or real_plan(feed, *rest))
    fields = STORIES["d-feb15"]
    (history / "d-feb15.md").write_text(story("d-feb15", *fields, title="Chips, corrected"), "utf-8")
    report = build(history_config)
    assert sorted(planned) == ["all", "categories/news", "providers/reuters-com", "topics/chips"]
    assert "topics/ai.atom" in report.unchanged and "all/archive/2024-02.atom" in report.written


def test_the_index_and_opml_are_rewritten_only_when_what_they_list_changes(history_config, history):
    build(history_config)
    fields = STORIES["d-feb15"]  # not the newest of any feed: no count or "latest" line changes
    (history / "d-feb15.md").write_text(story("d-feb15", *fields, title="Chips, corrected"), "utf-8")
    edited = build(history_config)
    assert {"index.html", "feeds.opml"} <= set(edited.unchanged)
    # An old article updated later than anything else: the OPML list's dateCreated moves.
    text = story("d-feb15", *fields).replace("category: news", "category: news\nupdated: 2024-05-01T00:00:00Z")
    (history / "d-feb15.md").write_text(text, "utf-8")
    updated = build(history_config)
    assert "feeds.opml" in updated.written
    assert b"01 May 2024" in (history_config.out_dir / "feeds.opml").read_bytes()
    (history / "h-mar25.md").write_text(story("h-mar25", "2024-03-25T08:00:00Z", ["AI"], "cnn.com"), "utf-8")
    added = build(history_config)
    assert {"index.html", "index.html.gz"} <= set(added.written)
    assert "feeds.opml" in added.unchanged  # the same feeds, and May is still the newest change
    assert b"Story h-mar25" in (history_config.out_dir / "index.html").read_bytes()


def test_article_pages_follow_the_names_of_the_feeds_they_link_to(history_config, history, tmp_path):
    """A feed is named after the spelling most of its articles use. When an edit elsewhere
    changes which one that is, an article page listing the feed is written again."""
    def linkless(name: str, topic: str) -> None:
        text = story(name, "2024-03-05T10:00:00Z", [topic], "cnn.com")
        (history / f"{name}.md").write_text(text.replace(f"originalUrl: https://cnn.com/{name}\n", ""), "utf-8")

    linkless("p-page", "robots")
    linkless("q-page", "Robots")
    linkless("r-page", "Robots")
    build(history_config)
    linkless("r-page", "robots")  # now two of three spell it "robots"
    build(history_config)
    scratch = replace(history_config, out_dir=tmp_path / "scratch", state_dir=tmp_path / "scratch-state")
    build(scratch, use_cache=False)
    mine, theirs = built(history_config.out_dir), built(scratch.out_dir)
    pages = [rel for rel in theirs if rel.startswith("articles/") and rel.endswith(".html")]
    assert len(pages) == 3 and all(b"<li>robots: " in theirs[rel] for rel in pages)
    assert [rel for rel in theirs if mine.get(rel) != theirs[rel]] == []
