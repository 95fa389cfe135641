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


# ------------------------------------------------------------ rendering in worker processes


def _in_workers(monkeypatch):
    from feedsmith import build as build_module

    monkeypatch.setattr(build_module, "RENDER_PARALLEL_MIN", 0)  # the seeds alone are too few to fork for


def test_workers_build_the_same_bytes_as_one_process(site_config, tmp_path, monkeypatch):
    from dataclasses import replace

    serial = build(site_config, jobs=1)
    _in_workers(monkeypatch)
    other = replace(site_config, out_dir=tmp_path / "parallel", state_dir=tmp_path / "parallel-state")
    parallel = build(other, jobs=2)
    files = built_files(site_config.out_dir)
    assert files == built_files(other.out_dir)
    for name in files:
        assert (site_config.out_dir / name).read_bytes() == (other.out_dir / name).read_bytes(), name
    assert sorted(parallel.written) == sorted(serial.written)
    assert not list(other.out_dir.rglob("*.tmp"))


def test_a_render_failure_in_a_worker_keeps_the_previous_tree(site_config, seeds, monkeypatch):
    import pytest

    from feedsmith import render
    from feedsmith.build import BuildError

    build(site_config, jobs=1)
    out = site_config.out_dir
    before = {f: (out / f).read_bytes() for f in built_files(out)}
    (seeds / "001_525bf615ad7c6798.txt").write_text((seeds / "001_525bf615ad7c6798.txt").read_text() + "\nMore.\n")
    real = render.render_feed

    def broken(feed, fmt, *args, **kwargs):
        if feed.path == "all" and fmt == "atom":
            raise ValueError("renderer exploded")
        return real(feed, fmt, *args, **kwargs)

    monkeypatch.setattr(render, "render_feed", broken)  # inherited by the forked workers
    _in_workers(monkeypatch)
    with pytest.raises(BuildError, match="rendering all.atom failed"):
        build(site_config, jobs=2)
    assert {f: (out / f).read_bytes() for f in built_files(out)} == before
    assert not list(out.rglob("*.tmp")), "temporary files left behind"


def test_a_render_worker_that_dies_fails_the_build_and_the_next_one_cleans_up(site_config, seeds, monkeypatch):
    """A worker killed mid-chunk (out of memory, a signal) is a clear error, not a hang; the
    tree keeps its documents and the next build sweeps up the temporary files it left."""
    import os

    import pytest

    from feedsmith import render
    from feedsmith.build import BuildError

    build(site_config, jobs=1)
    out = site_config.out_dir
    before = {f: (out / f).read_bytes() for f in built_files(out)}
    (seeds / "001_525bf615ad7c6798.txt").write_text((seeds / "001_525bf615ad7c6798.txt").read_text() + "\nMore.\n")
    real = render.render_feed
    parent = os.getpid()

    def dying(feed, fmt, *args, **kwargs):
        if feed.path == "all" and fmt == "atom" and os.getpid() != parent:
            os._exit(9)
        return real(feed, fmt, *args, **kwargs)

    monkeypatch.setattr(render, "render_feed", dying)
    _in_workers(monkeypatch)
    with pytest.raises(BuildError, match="render worker stopped unexpectedly"):
        build(site_config, jobs=2)
    assert {f: (out / f).read_bytes() for f in built_files(out) if not f.endswith(".tmp")} == before
    monkeypatch.setattr(render, "render_feed", real)
    build(site_config, jobs=2)
    assert not list(out.rglob("*.tmp")) and not [p for p in out.rglob(".*") if p.name != MANIFEST]


def test_worker_shares_keep_each_format_in_one_process():
    from feedsmith.build import worker_shares

    todo = [f"topics/t{i}.{fmt}" for i in range(10) for fmt in ("rss", "atom", "json")] + ["index.html"]
    two = worker_shares(todo, 2)
    assert sorted(p for share in two for p in share) == sorted(todo)
    assert len(two) == 2 and all(two)
    for fmt in ("rss", "atom", "json"):
        assert sum(any(p.endswith(fmt) for p in share) for share in two) == 1, fmt
    five = worker_shares(todo, 5)
    assert len(five) == 5 and sorted(p for share in five for p in share) == sorted(todo)
    assert worker_shares(["all.rss"], 4) == [["all.rss"]]


# ------------------------------------------------------------ a rebuild with nothing to do


def test_a_rebuild_with_nothing_changed_reads_no_article(site_config, monkeypatch):
    from feedsmith import build as build_module

    first = build(site_config)
    assert not first.current

    def no_parsing(*args, **kwargs):
        raise AssertionError("the articles were read again")

    monkeypatch.setattr(build_module, "load_site", no_parsing)
    again = build(site_config)
    assert again.current and again.written == [] and again.removed == []
    assert sorted(again.unchanged) == sorted(first.written)
    assert again.articles == 5 and again.feeds == first.feeds
    assert again.summary().startswith("up to date") and "5 articles" in again.summary()


def test_the_shortcut_still_reports_broken_files(site_config, seeds):
    (seeds / "broken.md").write_text("---\ntitle: [unclosed\n---\nBody.\n", "utf-8")
    first = build(site_config)
    again = build(site_config)
    assert again.current
    assert [str(p) for p in again.load.problems] == [str(p) for p in first.load.problems]
    assert any("broken.md" in w and "invalid YAML" in w for w in again.load.warnings)
    assert again.load.warnings == first.load.warnings


def _touch(path, seconds_later=5):
    import os

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds_later * 10**9))


def test_any_change_to_seeds_output_or_config_rebuilds(site_config, seeds):
    from dataclasses import replace

    build(site_config)
    out = site_config.out_dir
    _touch(seeds / "001_525bf615ad7c6798.txt")  # same bytes, new time: checked, not skipped
    assert not build(site_config).current
    assert build(site_config).current

    (out / "topics" / "ai.rss").unlink()  # an output deleted by hand is put back
    report = build(site_config)
    assert not report.current and "topics/ai.rss" in report.written and (out / "topics" / "ai.rss").is_file()

    (seeds / "001_525bf615ad7c6798.txt").unlink()
    report = build(site_config)
    assert not report.current and report.articles == 4 and "providers/cnn-com.atom" in report.removed

    retitled = replace(site_config, title="Another title")
    report = build(retitled)
    assert not report.current and b"Another title" in (out / "all.atom").read_bytes()
    assert build(retitled).current


def test_a_rebuild_lists_only_the_output_folders_touched_since_the_last_build(site_config, seeds):
    import shutil

    from feedsmith import uptodate
    from feedsmith.build import _files_under, existing_files, tree_files

    build(site_config)
    out = site_config.out_dir

    def existing_checked():  # which of the tree's own files are there, as a full listing finds
        untouched = uptodate.untouched_folders(site_config, out)
        ours = tree_files(out)
        assert existing_files(out, untouched, ours) & ours == _files_under(out) & ours
        return untouched

    assert {"", "topics", "providers", "articles"} <= existing_checked()  # the manifest says it all
    (out / "topics" / "ai.rss").unlink()
    (out / "providers" / "stray.rss").write_text("not ours")
    untouched = existing_checked()
    assert "" in untouched and "topics" not in untouched and "providers" not in untouched
    shutil.rmtree(out / "categories")
    assert "" not in existing_checked()  # the manifest's own folder changed: everything is listed

    _touch(seeds / "001_525bf615ad7c6798.txt")
    report = build(site_config)
    assert "topics/ai.rss" in report.written and "categories/news.atom" in report.written
    assert (out / "topics" / "ai.rss").is_file() and (out / "categories" / "news.atom").is_file()
    assert existing_checked() >= {"", "topics", "categories"}


def test_a_build_that_fails_is_never_taken_as_current(site_config, seeds, monkeypatch):
    import pytest

    from feedsmith import render
    from feedsmith.build import BuildError

    build(site_config)
    (seeds / "001_525bf615ad7c6798.txt").write_text("Changed headline\n\nA new story body that is long enough.\n")

    def broken(*args, **kwargs):
        raise ValueError("renderer exploded")

    monkeypatch.setattr(render, "render_feed", broken)
    with pytest.raises(BuildError):
        build(site_config)
    monkeypatch.undo()
    report = build(site_config)
    assert not report.current and "all.atom" in report.written


def test_a_build_without_the_cache_drops_the_up_to_date_record(site_config, seeds):
    from dataclasses import replace

    build(site_config)
    other = replace(site_config, title="Written without the cache")
    build(other, use_cache=False)  # rewrites the tree; the record of the first build must go
    report = build(site_config)
    assert not report.current
    assert b"Written without the cache" not in (site_config.out_dir / "all.atom").read_bytes()


def test_one_config_named_by_relative_or_absolute_paths_is_one_build(tmp_path, monkeypatch):
    import shutil

    from feedsmith.config import load_config
    from feedsmith.load import load_folder, open_store

    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "config.yaml").write_text("seeds_dir: seeds\nout_dir: feeds\nstate_dir: state\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    first = build(load_config("config.yaml"))
    assert first.written and not first.current
    assert build(load_config(tmp_path / "config.yaml")).current
    monkeypatch.chdir(tmp_path / "seeds")
    again = load_config("../config.yaml")
    assert build(again).current
    store = open_store(again)
    try:
        assert load_folder(again.seeds_dir, again, store).parsed == 0  # same cache keys
    finally:
        store.close()


def test_formats_and_gzip_settings_decide_what_is_published(site_config):
    """Only the listed formats are written and linked; without gzip there are no twins, and
    switching either setting back and forth leaves exactly the tree it asks for."""
    from dataclasses import replace

    out = site_config.out_dir
    narrow = replace(site_config, formats=("rss",), gzip=False)
    build(narrow)
    files = built_files(out)
    assert "all.rss" in files and "topics/ai.html" in files
    assert not [f for f in files if f.endswith((".atom", ".json", ".gz"))]
    for name in files:
        assert_valid(name, (out / name).read_bytes())
    index = (out / "index.html").read_text()
    assert "all.rss" in index and "all.atom" not in index and "all.json" not in index
    assert "RSS feed URL" in index
    assert 'xmlUrl="http://127.0.0.1:8000/all.rss"' in (out / "feeds.opml").read_text()

    full = build(site_config)
    files = built_files(out)
    assert {"all.atom", "all.json", "all.rss.gz", "all.atom.gz", "index.html.gz"} <= set(files)
    assert not full.removed

    back = build(narrow)
    assert "all.atom" in back.removed and "all.rss.gz" in back.removed
    assert built_files(out) == sorted(set(files) - {f for f in files if f.endswith((".atom", ".json", ".gz"))})


def test_switching_gzip_writes_or_removes_only_the_twins(site_config, monkeypatch):
    """The twins are not part of what is rendered: turning them off renders nothing again."""
    from dataclasses import replace

    from feedsmith import build as build_module
    from feedsmith.site import STATIC_TYPES

    out = site_config.out_dir
    first = build(site_config)
    twins = sorted(f for f in first.written if f.endswith(".gz"))
    assert twins
    rendered = []
    real = build_module._render_one
    monkeypatch.setattr(build_module, "_render_one", lambda site, path: rendered.append(path) or real(site, path))
    off = build(replace(site_config, gzip=False), jobs=1)
    assert off.written == [] and sorted(off.removed) == twins
    assert rendered and not set(rendered) - set(STATIC_TYPES)  # files shipped as they are, always copied
    on = build(site_config)
    assert sorted(on.written) == twins and on.removed == []
    assert sorted(built_files(out)) == sorted(first.written)


def test_a_site_without_atom_offers_its_first_format_in_views(site_config):
    from dataclasses import replace

    config = replace(site_config, formats=("rss", "json"))
    build(config)
    view = (config.out_dir / "topics/ai.html").read_text()
    assert 'value="http://127.0.0.1:8000/topics/ai.rss"' in view and "RSS feed URL" in view
    assert "topics/ai.atom" not in view and "topics/ai.json" in view


def test_a_build_loads_with_the_collector_paused_and_leaves_it_as_it_found_it(site_config, monkeypatch):
    """The cyclic garbage collector is off while the site loads (stubs make no cycles, and it
    walked every one of them), on again in parse workers, and afterwards nothing stays frozen."""
    import gc

    from feedsmith import build as build_module
    from feedsmith import load as load_module
    from feedsmith.store import Entry

    during: list[bool] = []
    real_load = build_module.load_folder
    monkeypatch.setattr(build_module, "load_folder",
                        lambda *a, **k: during.append(gc.isenabled()) or real_load(*a, **k))
    monkeypatch.setattr(load_module, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(load_module, "_read_one",  # runs in forked parse workers
                        lambda path, config: (str(path), Entry(0, 0, "", None, f"collector on: {gc.isenabled()}")))
    report = build(site_config, jobs=2)
    assert during == [False]
    problems = report.load.problems
    assert {p.reason for p in problems} == {"collector on: True"} and len(problems) == 5
    assert gc.isenabled() and gc.get_freeze_count() == 0
