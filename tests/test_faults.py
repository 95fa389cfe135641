"""Faults never cost a published feed: killed builds, failed renders, full disks,
files that change or vanish while they are read, seeds that become unreadable.

Real subprocesses (``python -m feedsmith build``) are killed with SIGKILL at
random moments; every file left behind must be a complete, valid document.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from feedsmith.build import MANIFEST, BuildError, build
from feedsmith.cli import main
from feedsmith.config import Config
from feedsmith.load import SeedsUnreadable, load_folder

from .conftest import REPO
from .test_hostile_input import assert_tree_valid, front_matter

TOPICS = ["AI", "Robots", "Chips", "Cloud", "Quantum", "Health", "Autos", "Space", "Energy", "Finance"]
PROVIDERS = [("CNN", "cnn.com"), ("Reuters", "reuters.com"), ("SCMP", "scmp.com"), ("BBC", "bbc.co.uk"),
             ("AP", "apnews.com"), ("The Verge", "theverge.com")]
WORDS = "the company said on monday that robots and chips will grow faster than expected this year".split()


def write_articles(seeds: Path, count: int, seed: int = 1, start: int = 0) -> None:
    rnd = random.Random(seed)
    seeds.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        name, domain = PROVIDERS[i % len(PROVIDERS)]
        topics = [rnd.choice(TOPICS), f"Niche {i % 60}"]  # many small feeds: a long write phase
        body = " ".join(rnd.choice(WORDS) for _ in range(80)).capitalize() + "."
        (seeds / f"a{i:04d}.md").write_text(
            "---\n"
            f"title: \"Article {i} about {topics[0]}\"\n"
            f"excerpt: \"Summary of article {i}.\"\n"
            f"publishedDateTime: 2024-{5 + i % 2:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z\n"
            f"originalUrl: https://{domain}/story/{i}\n"
            f"provider: {{name: \"{name}\", domain: {domain}}}\n"
            f"topics: [{', '.join(topics)}]\n"
            f"category: {['news', 'tech', 'business'][i % 3]}\n"
            f"---\n{body}\n", encoding="utf-8")


def write_config(path: Path, title: str) -> Path:
    text = f"title: {title}\nseeds_dir: seeds\nout_dir: out\nstate_dir: state\n"
    if "archives" in Config.__dataclass_fields__:
        text += "archives: false\n"  # keeps the tree (and validating it after every kill) small
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def feedsmith(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen([sys.executable, "-m", "feedsmith", *args], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# ------------------------------------------------------------ kill -9


def run_build(config_file: Path) -> float:
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-m", "feedsmith", "build", "--config", str(config_file), "--quiet"],
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


def wait_until_writing(out: Path, since_ns: int, timeout: float) -> None:
    """Return as soon as the build has written (or started writing) a file of the tree."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with os.scandir(out) as top:
            folders = [out, *(Path(e.path) for e in top if e.is_dir())]
        for folder in folders:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".tmp") or entry.stat().st_mtime_ns > since_ns:
                        return
        time.sleep(0.001)


def test_builds_killed_at_random_moments_leave_only_complete_files(tmp_path):
    write_articles(tmp_path / "seeds", 1500)
    config_file = write_config(tmp_path / "config.yaml", "Kill test 0")
    out = tmp_path / "out"
    run_build(config_file)
    checked: set[bytes] = set()  # digests of documents already validated
    assert_tree_valid(out, checked)

    rnd = random.Random(20240601)
    rounds: list[tuple[int, str]] = []
    partial: list[tuple[int, int, int]] = []
    for round_ in range(1, 11):
        # A new title re-renders every document; a changed article and a new one change some feeds.
        if not round_ % 2:
            write_config(config_file, f"Kill test {round_}")
        write_articles(tmp_path / "seeds", 1, seed=round_, start=rnd.randrange(1500))
        write_articles(tmp_path / "seeds", 1, seed=round_, start=1500 + round_)
        before = snapshot(out)
        since = time.time_ns()
        process = feedsmith("build", "--config", str(config_file), "--quiet")
        if round_ % 2:
            time.sleep(rnd.uniform(0.0, 1.5))  # anywhere: reading, rendering, writing
        else:
            wait_until_writing(out, since, 60)  # aim at the write phase
            time.sleep(rnd.uniform(0.0, 0.05))
        os.killpg(process.pid, signal.SIGKILL)  # the build and any parse workers it started
        process.wait(30)
        after = snapshot(out)
        changed = sum(1 for name, data in after.items() if before.get(name) != data)
        rounds.append((process.returncode, f"{changed}/{len(after)} files replaced"))
        partial.append((process.returncode, changed, len(after)))
        names = assert_tree_valid(out, checked)  # every file complete: the old version or the new one
        # (a killed build may leave a hidden, empty ".<name>.<random>.tmp"; the next build removes it)
        assert all(after[name] for name in names if not name.rsplit("/", 1)[-1].startswith(".")), "an empty file"

    run_build(config_file)
    after_kills = snapshot(out)
    assert not [n for n in after_kills if n.endswith(".tmp")], "temporary files of killed builds left"
    assert_tree_valid(out, checked)

    # The tree after all those kills is exactly what a clean build makes from the same input.
    clean = tmp_path / "clean"
    clean.mkdir()
    shutil.copytree(tmp_path / "seeds", clean / "seeds")
    shutil.copy(config_file, clean / "config.yaml")
    run_build(clean / "config.yaml")
    print("kill -9 rounds (exit code, files replaced before the kill):", rounds)
    assert snapshot(clean / "out") == after_kills, rounds
    assert any(code == -signal.SIGKILL for code, _ in rounds), rounds
    assert any(code == -signal.SIGKILL and 0 < replaced < total for code, replaced, total in partial), rounds


# ------------------------------------------------------------ failures part-way


@pytest.fixture
def small(config: Config, tmp_path: Path) -> Config:
    seeds = tmp_path / "seeds"
    write_articles(seeds, 12)
    return replace(config, seeds_dir=seeds, out_dir=tmp_path / "out", state_dir=tmp_path / "state",
                   reload_interval=0.0)


def config_file_for(cfg: Config, tmp_path: Path) -> str:
    path = tmp_path / "small.yaml"
    path.write_text(f"seeds_dir: {cfg.seeds_dir}\nout_dir: {cfg.out_dir}\nstate_dir: {cfg.state_dir}\n")
    return str(path)


def test_a_render_failure_exits_non_zero_and_keeps_the_previous_tree(small, tmp_path, monkeypatch, capsys):
    from feedsmith import render

    args = ["build", "--config", config_file_for(small, tmp_path), "--quiet"]
    assert main(args) == 0
    before = snapshot(small.out_dir)
    write_articles(small.seeds_dir, 3, seed=9, start=100)  # new articles: most feeds change
    original = render.render_feed

    def explode(feed, fmt, *rest, **kwargs):
        if feed.path == "all" and fmt == "atom":  # a feed the new articles certainly change
            raise RuntimeError("renderer blew up")
        return original(feed, fmt, *rest, **kwargs)

    monkeypatch.setattr(render, "render_feed", explode)
    capsys.readouterr()
    code = main(args)
    err = capsys.readouterr().err
    assert code != 0
    assert "all.atom" in err and "renderer blew up" in err and "Traceback" not in err
    assert snapshot(small.out_dir) == before
    monkeypatch.setattr(render, "render_feed", original)
    assert main(args) == 0 and snapshot(small.out_dir) != before
    assert_tree_valid(small.out_dir)


def test_a_disk_full_mid_write_leaves_only_complete_files_and_recovers(small, monkeypatch):
    from feedsmith import build as build_module

    build(small)
    write_articles(small.seeds_dir, 3, seed=5, start=200)
    before = snapshot(small.out_dir)
    real_stage = build_module.stage_file
    calls = {"n": 0}

    def fill_up(path, data):
        calls["n"] += 1
        if calls["n"] > 8:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_stage(path, data)

    monkeypatch.setattr(build_module, "stage_file", fill_up)
    with pytest.raises(BuildError, match="No space left on device"):
        build(small)
    assert_tree_valid(small.out_dir)
    assert snapshot(small.out_dir) == before, "a failed build replaced files"
    assert not list(small.out_dir.rglob("*.tmp"))
    monkeypatch.setattr(build_module, "stage_file", real_stage)
    build(small)
    clean = replace(small, out_dir=small.out_dir.parent / "clean", state_dir=small.state_dir.parent / "clean-state")
    build(clean)
    assert snapshot(small.out_dir) == snapshot(clean.out_dir)


def test_an_unusable_state_folder_does_not_stop_the_build(small):
    small.state_dir.parent.mkdir(parents=True, exist_ok=True)
    small.state_dir.write_text("not a folder")
    report = build(small)
    assert len(report.load.articles) == 12
    assert any("cache" in n for n in report.load.notices), report.load.notices
    assert_tree_valid(small.out_dir)


# ------------------------------------------------------------ files changing under the reader


def test_a_file_deleted_between_listing_and_reading(small, monkeypatch):
    from feedsmith import load

    victim = small.seeds_dir / "a0003.md"
    real = load.article_files

    def list_then_delete(*args, **kwargs):
        listing = real(*args, **kwargs)
        victim.unlink()
        return listing

    monkeypatch.setattr(load, "article_files", list_then_delete)
    result = load_folder(small.seeds_dir, small)
    assert len(result.articles) == 11
    assert [(Path(p.path).name, p.reason) for p in result.problems] == [
        ("a0003.md", "file disappeared before it was read (deleted or renamed)")]


def test_a_file_rewritten_while_it_is_read_is_read_again(small, monkeypatch):
    from feedsmith import parse

    target = small.seeds_dir / "a0004.md"
    complete = front_matter("The complete new version", "https://e.com/new",
                            body="Every sentence of the new version made it into the file.")
    real = parse.read_limited
    seen = []

    def read_mid_write(path, config):
        data = real(path, config)
        if path == target and not seen:
            seen.append(path)
            target.write_text(complete)  # the writer finishes after our read started
            os.utime(target, ns=(time.time_ns(), time.time_ns() + 10**9))
            return data[: len(data) // 2]  # we got half of the old bytes
        return data

    monkeypatch.setattr(parse, "read_limited", read_mid_write)
    result = load_folder(small.seeds_dir, small, jobs=1)
    article = next(a for a in result.articles if a.source_path == str(target))
    assert seen and article.title == "The complete new version"
    assert "Every sentence of the new version" in article.content_text
    assert not result.problems


def _refuse_to_open(target: Path, monkeypatch) -> None:
    """``open()`` of ``target`` fails with EACCES (a chmod does not stop root)."""
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self == target:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)


def test_a_file_that_cannot_be_opened_costs_only_itself(small, monkeypatch):
    target = small.seeds_dir / "a0005.md"
    if os.geteuid() == 0:  # root reads anything: make open() refuse instead
        _refuse_to_open(target, monkeypatch)
    else:
        target.chmod(0)
    report = build(small)
    assert len(report.load.articles) == 11
    assert [(Path(p.path).name, p.reason) for p in report.load.problems] == [
        ("a0005.md", "cannot read file: Permission denied")]
    assert_tree_valid(small.out_dir)


def _make_seeds_unreadable(seeds: Path, monkeypatch) -> None:
    if os.geteuid() != 0:
        seeds.chmod(0)
        return
    real_scandir = os.scandir

    def denied(path=".", *args, **kwargs):  # what listing an unreadable folder does
        if isinstance(path, str) and Path(path) == seeds:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", denied)


def test_unreadable_seeds_keep_the_last_good_feeds_in_the_live_app(small, monkeypatch):
    from feedsmith.web import create_app

    app = create_app(small)
    client = app.test_client()
    before = {url: client.get(url).data for url in ("/all.atom", "/topics/ai.rss", "/")}
    (small.seeds_dir / "a0001.md").unlink()  # a change, so the app wants to reload
    _make_seeds_unreadable(small.seeds_dir, monkeypatch)
    try:
        for url, data in before.items():
            response = client.get(url)
            assert response.status_code == 200 and response.data == data, url
        health = client.get("/healthz").get_json()
        assert health["articles"] == 12
        assert "cannot list folder" in health["reload_error"] and str(small.seeds_dir) in health["reload_error"]
    finally:
        small.seeds_dir.chmod(0o755)
    monkeypatch.undo()
    assert client.get("/healthz").get_json()["articles"] == 11  # readable again: reloaded


def test_unreadable_seeds_stop_the_build_and_keep_the_tree(small, tmp_path, monkeypatch, capsys):
    args = ["build", "--config", config_file_for(small, tmp_path), "--quiet"]
    assert main(args) == 0
    before = snapshot(small.out_dir)
    _make_seeds_unreadable(small.seeds_dir, monkeypatch)
    try:
        capsys.readouterr()
        assert main(args) != 0
        err = capsys.readouterr().err
        assert "cannot list folder" in err and str(small.seeds_dir) in err
        assert snapshot(small.out_dir) == before
    finally:
        small.seeds_dir.chmod(0o755)


def test_an_unlistable_sub_folder_is_reported_not_a_crash(small, monkeypatch):
    sub = small.seeds_dir / "sub"
    sub.mkdir()
    real_scandir = os.scandir

    def denied(path=".", *args, **kwargs):
        if isinstance(path, str) and Path(path) == sub:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", denied)
    with pytest.raises(SeedsUnreadable, match="cannot list folder") as caught:
        load_folder(small.seeds_dir, small)
    assert str(sub) in str(caught.value)


def test_a_sub_folder_that_vanishes_during_the_walk_is_simply_gone(small, monkeypatch):
    sub = small.seeds_dir / "sub"
    sub.mkdir()
    write_articles(sub, 2, start=300)
    real_scandir = os.scandir

    def vanish(path=".", *args, **kwargs):
        listing = real_scandir(path, *args, **kwargs)
        if isinstance(path, str) and Path(path) == small.seeds_dir:  # listed, then deleted before the walk gets to it
            shutil.rmtree(sub)
        return listing

    monkeypatch.setattr(os, "scandir", vanish)
    result = load_folder(small.seeds_dir, small)
    assert len(result.articles) == 12 and not result.problems


# ------------------------------------------------------------ feedsmith check


def test_check_passes_on_the_bundled_seeds(capsys):
    assert main(["check", "--config", str(REPO / "config.yaml"), "--quiet"]) == 0
    assert "0 with problems" in capsys.readouterr().out


def test_check_fails_with_a_per_feed_report(small, tmp_path, monkeypatch, capsys):
    from feedsmith import render

    original = render.render_feed

    def broken(feed, fmt, *rest, **kwargs):
        body = original(feed, fmt, *rest, **kwargs)
        if feed.path == "topics/ai" and fmt in ("atom", "rss"):
            return body[: len(body) // 2]  # cut off mid-document
        if feed.path == "all" and fmt == "json":
            return body.replace(b'"version"', b'"versio"')
        return body

    monkeypatch.setattr(render, "render_feed", broken)
    code = main(["check", "--config", config_file_for(small, tmp_path), "--quiet"])
    out = capsys.readouterr().out
    assert code == 1
    failed = [line.split()[1] for line in out.splitlines() if line.startswith("FAIL ")]
    assert sorted(failed) == ["all.json", "topics/ai.atom", "topics/ai.rss"], out
    assert "not well-formed" in out and "version must be" in out and "3 with problems" in out
    assert MANIFEST not in out


# ------------------------------------------------------------ reloads under churn


def test_reloads_without_a_store_parse_only_what_changed(small):
    first = load_folder(small.seeds_dir, small)
    assert first.parsed == 12
    (small.seeds_dir / "a0002.md").write_text(front_matter("Rewritten", "https://e.com/rewritten"))
    (small.seeds_dir / "a0003.md").unlink()
    again = load_folder(small.seeds_dir, small)
    assert again.parsed == 1 and len(again.articles) == 11
    assert "Rewritten" in {a.title for a in again.articles}
    assert load_folder(small.seeds_dir, replace(small, undated="skip")).parsed == 11  # other settings: all again


def test_a_file_unreadable_for_a_while_is_read_once_it_can_be(small, monkeypatch):
    target = small.seeds_dir / "a0006.md"
    _refuse_to_open(target, monkeypatch)
    assert len(load_folder(small.seeds_dir, small).articles) == 11
    monkeypatch.undo()  # readable again, same size and time: still read
    assert len(load_folder(small.seeds_dir, small).articles) == 12
