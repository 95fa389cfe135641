"""The parse cache: re-parse only what changed, stable first-seen dates, self-healing."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace

import pytest

from feedsmith import load as load_module
from feedsmith.catalog import build_catalog
from feedsmith.load import load_folder, open_store
from feedsmith.model import line_weight, source_line
from feedsmith.site import Site

from .conftest import SEEDS


def load(config):
    store = open_store(config)
    try:
        return load_folder(config.seeds_dir, config, store, jobs=1)
    finally:
        store.close()


def by_name(result):
    return {a.source_path.rsplit("/", 1)[-1]: a for a in result.articles}


def test_second_load_parses_nothing_and_changes_are_picked_up(site_config, seeds):
    first = load(site_config)
    assert first.parsed == 5
    assert load(site_config).parsed == 0
    target = seeds / "001_525bf615ad7c6798.txt"
    os.utime(target, (1_000_000_000, 1_000_000_000))  # touched, same bytes
    assert load(site_config).parsed == 0
    target.write_text(target.read_text(encoding="utf-8").replace("regulate AI", "govern AI"), encoding="utf-8")
    changed = load(site_config)
    assert changed.parsed == 1
    assert by_name(changed)[target.name].title.endswith("govern AI")
    target.unlink()
    assert len(load(site_config).articles) == 4


def test_undated_articles_keep_their_first_seen_date(site_config, seeds):
    name = "003_47d7fbf7bff2b1e1.txt"
    first = by_name(load(site_config))[name].date
    path = seeds / name
    os.utime(path, (2_000_000_000, 2_000_000_000))
    assert by_name(load(site_config))[name].date == first
    path.rename(seeds / "renamed.txt")
    assert by_name(load(site_config))["renamed.txt"].date == first


def test_line_weights_kept_in_the_cache_are_those_of_the_articles_as_loaded(site_config, seeds):
    """Feed states add up a weight per article, kept with each cached parse. An undated file
    renamed and touched is dated by when it was first seen, not by its new time: its line
    is not the one its weight was taken from, so that weight is dropped and hashed again."""
    load(site_config)
    renamed = seeds / "renamed.txt"
    (seeds / "003_47d7fbf7bff2b1e1.txt").rename(renamed)
    os.utime(renamed, (2_000_000_000, 2_000_000_000))
    for result in (load(site_config), load(site_config)):  # parsed, then from the cache
        assert str(renamed) in result.digests and str(renamed) not in result.weights
        assert len(result.weights) == 4
        for path, weight in result.weights.items():
            article = next(a for a in result.articles if a.source_path == path)
            assert weight == line_weight(source_line(result.digests[path], article))
        site = Site(build_catalog(result.articles, site_config), site_config, result)
        hashed = Site(site.catalog, site_config, replace(result, weights={}))
        states = [site.feed_state(feed) for feed in site.catalog.feeds.values()]
        assert None not in states
        assert states == [hashed.feed_state(feed) for feed in hashed.catalog.feeds.values()]


def test_first_seen_dates_outlive_a_cache_from_another_version_or_configuration(site_config, seeds):
    """Parses are redone when the configuration (or feedsmith) changes; when each undated file
    was first seen is not a parse, and its date stays put."""
    name = "003_47d7fbf7bff2b1e1.txt"
    first = by_name(load(site_config))[name].date
    os.utime(seeds / name, (2_000_000_000, 2_000_000_000))
    other = load(replace(site_config, timezone="Asia/Singapore"))
    assert other.parsed == 5
    assert any("first-seen dates kept" in n for n in other.notices), other.notices
    assert by_name(other)[name].date == first


def test_corrupt_cache_is_rebuilt_with_a_warning(site_config):
    load(site_config)
    db = site_config.state_dir / "cache.sqlite3"
    for suffix in ("-wal", "-shm"):
        (site_config.state_dir / f"cache.sqlite3{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    result = load(site_config)
    assert result.parsed == 5 and len(result.articles) == 5
    assert any("parse cache" in n for n in result.notices)


def test_a_cache_damaged_inside_is_rebuilt_with_a_warning(site_config):
    load(site_config)
    db = site_config.state_dir / "cache.sqlite3"
    for suffix in ("-wal", "-shm"):
        (site_config.state_dir / f"cache.sqlite3{suffix}").unlink(missing_ok=True)
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    assert len(data) > 3 * page
    data[page:] = bytes(range(256)) * ((len(data) - page) // 256 + 1)  # every page but the first
    db.write_bytes(bytes(data[:len(db.read_bytes())]))
    result = load(site_config)
    assert result.parsed == 5 and len(result.articles) == 5
    assert any("parse cache" in n for n in result.notices)
    assert load(site_config).parsed == 0  # and the new cache is sound


def _damage_table(db, table):
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    data = bytearray(db.read_bytes())
    data[(root - 1) * size:root * size] = b"\xff" * size
    db.write_bytes(bytes(data))


def test_a_cache_whose_table_of_files_is_damaged_is_rebuilt_with_a_warning(site_config):
    load(site_config)
    _damage_table(site_config.state_dir / "cache.sqlite3", "files")  # the files and their stubs
    result = load(site_config)
    assert result.parsed == 5 and len(result.articles) == 5
    assert any("parse cache damaged" in n for n in result.notices), result.notices
    assert load(site_config).parsed == 0


def test_a_damaged_table_of_full_articles_costs_a_parse_not_an_article(site_config, caplog):
    """Stubs come from their own table, so they still load; the full articles are parsed
    again from the files, with a warning."""
    import logging

    fresh = {a.id: a for a in load(site_config).articles}
    _damage_table(site_config.state_dir / "cache.sqlite3", "articles")
    warm = load(site_config)
    assert warm.parsed == 0 and len(warm.articles) == 5
    with caplog.at_level(logging.WARNING, logger="feedsmith.store"):
        full = warm.hydrate(warm.articles, site_config)
    assert {a.id: a for a in full} == fresh
    assert "cannot read cached articles" in caplog.text


def test_cache_from_another_configuration_is_not_trusted(site_config):
    from dataclasses import replace

    load(site_config)
    other = replace(site_config, timezone="Asia/Singapore")
    assert load(other).parsed == 5


def test_parallel_parse_matches_serial(site_config, seeds, monkeypatch):
    for i in range(6):
        shutil.copy(SEEDS / "002_bd23f5fafd541423.txt", seeds / f"copy{i}.txt")
    serial = load_folder(seeds, site_config, None, jobs=1)
    monkeypatch.setattr(load_module, "PARALLEL_THRESHOLD", 1)
    parallel = load_folder(seeds, site_config, None, jobs=2)
    assert [a.id for a in serial.articles] == [a.id for a in parallel.articles]
    assert [a.title for a in serial.articles] == [a.title for a in parallel.articles]


def test_parallel_parse_into_the_cache_keeps_stubs_that_hydrate_to_the_serial_parse(site_config, seeds, monkeypatch):
    from feedsmith.model import ArticleStub

    serial = {a.id: a for a in load_folder(seeds, site_config, None, jobs=1).articles}
    monkeypatch.setattr(load_module, "PARALLEL_THRESHOLD", 1)
    store = open_store(site_config)
    try:
        parallel = load_folder(seeds, site_config, store, jobs=2)
    finally:
        store.close()
    assert parallel.parsed == 5 and all(isinstance(a, ArticleStub) for a in parallel.articles)
    assert {a.id: a for a in parallel.hydrate(parallel.articles, site_config)} == serial
    assert load(site_config).parsed == 0, "what the workers parsed was not cached"


@pytest.mark.parametrize("bad", [b"", b"   \n\t", b"\x00\x01\x02binary" * 10])
def test_bad_files_are_cached_as_problems_too(site_config, seeds, bad):
    (seeds / "bad.txt").write_bytes(bad)
    first = load(site_config)
    second = load(site_config)
    assert second.parsed == 0
    assert [p.reason for p in first.problems] == [p.reason for p in second.problems]
    assert len(second.articles) == 5


# ------------------------------------------------------------ stubs: articles without their bodies


def test_cached_articles_are_stubs_and_hydrate_to_what_a_fresh_parse_gives(site_config):
    from feedsmith.model import ArticleStub

    fresh = {a.id: a for a in load(site_config).articles}
    warm = load(site_config)
    assert warm.articles and all(isinstance(a, ArticleStub) for a in warm.articles)
    for stub in warm.articles:
        assert stub.content is None and stub.related == ()
        assert stub.richness() == fresh[stub.id].richness()
        assert stub.text_size() == fresh[stub.id].text_size()
    full = warm.hydrate(warm.articles, site_config)
    assert [type(a).__name__ for a in full] == ["Article"] * len(full)
    assert {a.id: a for a in full} == fresh


def test_stubs_from_the_cache_share_the_values_they_repeat(site_config, seeds):
    from feedsmith.model import stub_of
    from feedsmith.store import encode, stub_from

    article = next(a for a in load(site_config).articles if a.provider and a.topics and a.link == a.id)
    twin = replace(article, id=article.id + "-2", link=article.id + "-2", title="Another story")
    first, second = (stub_from(encode(a)[1]) for a in (article, twin))
    assert first == stub_of(article) and second == stub_of(twin)
    assert first.provider is second.provider and first.topics is second.topics  # one copy, not one each
    assert second.link is second.id


def test_model_objects_restored_from_the_cache_are_equal_and_still_frozen(site_config):
    import dataclasses
    import pickle

    import pytest

    article = next(a for a in load(site_config).articles if a.provider and a.images and a.related)
    for value in (article, article.provider, article.images[0], article.related[0]):
        back = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back) is type(value) and back == value and hash(back) == hash(value)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(back, dataclasses.fields(back)[0].name, "changed")


def test_a_stub_whose_cached_body_moved_on_is_parsed_again(site_config, seeds):
    warm = (load(site_config), load(site_config))[1]
    source = seeds / "000_cc5dbb56b522b53d.txt"
    [stub] = [a for a in warm.articles if a.source_path == str(source)]
    # Another build re-parsed the file meanwhile: the cached row no longer matches the stub.
    assert "choosing engagement" in source.read_text("utf-8")
    source.write_text(source.read_text("utf-8").replace("choosing engagement", "choosing dialogue"), "utf-8")
    load(site_config)
    [full] = warm.hydrate([stub], site_config)
    assert type(full).__name__ == "Article" and full.id == stub.id
    assert "choosing dialogue" in full.summary


def test_a_warm_rebuild_writes_the_same_bytes_as_a_cold_one(site_config, seeds, tmp_path):
    from dataclasses import replace

    from feedsmith.build import build

    build(site_config)
    target = seeds / "001_525bf615ad7c6798.txt"
    target.write_text(target.read_text("utf-8").replace("regulate AI", "govern AI"), "utf-8")
    warm = build(site_config)  # every other article comes from the cache as a stub
    assert warm.load.parsed == 1 and warm.written
    cold = replace(site_config, out_dir=tmp_path / "cold", state_dir=tmp_path / "cold-state")
    build(cold)
    names = sorted(str(p.relative_to(cold.out_dir)) for p in cold.out_dir.rglob("*") if p.is_file())
    for name in names:
        assert (site_config.out_dir / name).read_bytes() == (cold.out_dir / name).read_bytes(), name
