#!/usr/bin/env python3
"""Scale benchmark: feedsmith against Pelican, Hugo and a read+parse floor.

    .venv/bin/python benchmarks/run.py [--sizes 1000,10000] [--runs 3] [--skip-opponents]

For each size N it synthesizes N articles (benchmarks/synth.py, cached under
benchmarks/work/data-N), then measures with the feedsmith CLI and HTTP only:

* feedsmith cold build (fresh out dir and fresh state dir), no-change rebuild,
  rebuild after one file changed, rebuild after one file added + one changed,
  peak RSS of the build process;
* ``feedsmith serve``: time from process start to the first 200 of /all.atom
  (warm state dir), requests/s for a cached feed and for conditional requests
  answered 304 (wrk if installed or installable, else a threaded Python
  client), the server's peak and current resident memory;
* Pelican (own venv in benchmarks/work/venv-pelican) and Hugo (Debian package)
  writing the same all / per-category / per-tag (topic) / per-author
  (provider) feeds from the same articles, Pelican also with its content cache;
* the floor: one Python process that reads every seed file and YAML-parses
  its front matter with yaml.CSafeLoader.

Every figure is the median of --runs runs. The table is printed and written
to benchmarks/work/results.json. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work"
sys.path.insert(0, str(HERE))
import synth  # noqa: E402  (benchmarks/synth.py)

VENV_BIN = REPO / ".venv" / "bin"
FEEDSMITH = VENV_BIN / "feedsmith"
PYTHON = VENV_BIN / "python"
PELICAN_VENV = WORK / "venv-pelican"
TIMEOUT = 3600          # seconds for any single build
FS_ENV: dict[str, str] | None = None    # environment for feedsmith commands (see snapshot_source)

FLOOR_SCRIPT = r"""
import os, sys, yaml
loader = yaml.CSafeLoader
n = 0
for root, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.startswith("."):
            continue
        with open(os.path.join(root, name), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        if text.startswith("---"):
            end = text.find("\n---", 3)
            yaml.load(text[3:end if end > 0 else None], Loader=loader)
        n += 1
print(n)
"""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# --- running and measuring processes ------------------------------------------------

class RunError(RuntimeError):
    pass


def _children(pid: int) -> list[int]:
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                kids.extend(int(k) for k in fh.read().split())
    except OSError:
        pass
    return kids


def _memory_mib(pid: int) -> float:
    """Proportional set size (shared pages split between sharers), else RSS, in MiB."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return proc_status(pid).get("VmRSS", 0.0)


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and all its descendants (e.g. a
    ProcessPoolExecutor's workers) every `interval` seconds at first, every
    0.5 s after ~10 s; `.peak` in MiB."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0.0
        self.done = threading.Event()

    def run(self) -> None:
        started = time.perf_counter()
        while not self.done.is_set():
            pids, total, seen = [self.pid], 0.0, set()
            while pids:
                p = pids.pop()
                if p in seen:
                    continue
                seen.add(p)
                total += _memory_mib(p)
                pids.extend(_children(p))
            self.peak = max(self.peak, total)
            # reading smaps_rollup of a big process costs CPU: sample often at
            # first, then every 0.5 s (peaks of long runs last longer than that)
            elapsed = time.perf_counter() - started
            self.done.wait(min(0.5, self.interval + elapsed / 20))


def timed(cmd, *, logfile: Path, env=None, cwd=None, timeout=TIMEOUT, check=True, tree=None):
    """Run cmd; return (wall seconds, peak RSS in MiB of its largest process).

    With ``tree=[]`` the summed PSS peak of the whole process tree (sampled)
    is appended to that list."""
    logfile.parent.mkdir(parents=True, exist_ok=True)
    with open(logfile, "ab") as out:
        out.write(f"\n$ {' '.join(map(str, cmd))}\n".encode())
        out.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=subprocess.STDOUT,
                                env=env, cwd=cwd)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        sampler = TreeSampler(proc.pid) if tree is not None else None
        if sampler:
            sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            if sampler:
                sampler.done.set()
                sampler.join()
                tree.append(sampler.peak)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    # CPU seconds (user + system) of the process and its reaped descendants
    # (the parse pool): much less sensitive than wall time to other load.
    timed.last_cpu = usage.ru_utime + usage.ru_stime
    if check and proc.returncode != 0:
        tail = logfile.read_text(errors="replace").splitlines()[-15:]
        raise RunError(f"{cmd[0]} exited {proc.returncode} (log {logfile}):\n  " + "\n  ".join(tail))
    return elapsed, usage.ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict[str, float]:
    """VmHWM / VmRSS of a process in MiB."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM:", "VmRSS:")):
                key, val = line.split(":", 1)
                values[key] = int(val.split()[0]) / 1024
    except OSError:
        pass
    return values


def count_files(folder: Path, suffixes=None) -> int:
    n = 0
    for _root, _dirs, files in os.walk(folder):
        n += sum(1 for f in files if suffixes is None or f.endswith(suffixes))
    return n


# --- tools ---------------------------------------------------------------------------

def apt_install(package: str, binary: str) -> str | None:
    """The path of binary, installing the Debian package if missing and possible."""
    found = shutil.which(binary)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        log(f"{binary} not found and cannot apt-get install {package} (not root)")
        return None
    log(f"installing {package} with apt-get …")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    r = subprocess.run(["apt-get", "install", "-y", "-q", package], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        log(f"apt-get install {package} failed: {r.stderr.strip()[-300:]}")
    return shutil.which(binary)


def pelican_bin() -> Path | None:
    exe = PELICAN_VENV / "bin" / "pelican"
    if exe.exists():
        return exe
    log(f"creating {PELICAN_VENV} and installing pelican + markdown from PyPI …")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PELICAN_VENV)], check=True)
        subprocess.run([str(PELICAN_VENV / "bin" / "pip"), "install", "-q",
                        "--disable-pip-version-check", "pelican", "markdown"], check=True)
    except (subprocess.CalledProcessError, OSError) as exc:
        log(f"could not install pelican: {exc}")
        return None
    return exe if exe.exists() else None


def tool_version(cmd) -> str:
    try:
        r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=60)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


# --- the feedsmith source under test ---------------------------------------------------

def snapshot_source(attempts: int = 10) -> dict:
    """Copy src/feedsmith to benchmarks/work/src-snapshot and run feedsmith from there.

    feedsmith is installed editable, so without this every command would run
    whatever the working tree holds at that moment: edits made by others during
    a run would mix code versions and, because the parse cache is keyed on the
    reader sources, turn "no change" rebuilds into full re-parses. The copy is
    retried until it imports cleanly (a file may be half-written)."""
    global FS_ENV
    dest = WORK / "src-snapshot"
    for attempt in range(attempts):
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(REPO / "src" / "feedsmith", dest / "feedsmith",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        env = dict(os.environ, PYTHONPATH=str(dest))
        # Byte-compiled as an installed package is (this machine sets PYTHONDONTWRITEBYTECODE,
        # which would otherwise make every command compile the sources again).
        subprocess.run([str(PYTHON), "-m", "compileall", "-q", str(dest)], env=env, capture_output=True)
        r = subprocess.run([str(PYTHON), "-c", "import feedsmith, feedsmith.cli, feedsmith.build, "
                            "feedsmith.web; print(feedsmith.__file__)"],
                           env=env, capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip().startswith(str(dest)):
            FS_ENV = env
            h = hashlib.sha256()
            for f in sorted((dest / "feedsmith").rglob("*.py")):
                h.update(f.relative_to(dest).as_posix().encode() + b"\0" + f.read_bytes())
            dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "src"],
                                   capture_output=True, text=True).stdout.strip()
            return {"source": "snapshot", "path": str(dest), "sha256": h.hexdigest()[:16],
                    "working_tree_dirty": bool(dirty)}
        log(f"snapshot of src/feedsmith does not import yet ({r.stderr.strip()[-200:]}); "
            f"retrying in 30 s ({attempt + 1}/{attempts})")
        time.sleep(30)
    raise SystemExit("src/feedsmith does not import; giving up")


# --- data ----------------------------------------------------------------------------

def synth_fingerprint(n: int, seed: int) -> str:
    h = hashlib.sha256((HERE / "synth.py").read_bytes())
    h.update(f"{n}/{seed}/{synth.DEFAULT_CORPUS.is_dir()}".encode())
    h.update((HERE / "run.py").read_bytes().split(b"# --- converters", 1)[1].split(b"# --- end", 1)[0])
    return h.hexdigest()[:16]


# --- converters ----------------------------------------------------------------------

def pelican_markdown(item: synth.Item) -> str:
    def clean(s: str) -> str:
        return " ".join(s.split())
    lines = [f"Title: {clean(item.title)}", f"Date: {item.date:%Y-%m-%d %H:%M}",
             f"Slug: a{item.index}", f"Author: {clean(item.provider)}",
             f"Category: {item.category or 'news'}",
             f"Tags: {', '.join(t.replace(',', ' ') for t in item.topics)}",
             f"Summary: {clean(item.summary)}"]
    if item.link:
        lines.append(f"Link: {item.link}")
    body = "\n\n".join(item.paragraphs) if item.paragraphs else clean(item.summary)
    return "\n".join(lines) + "\n\n" + body + "\n"


def hugo_markdown(item: synth.Item) -> str:
    q = synth.q
    lines = ["---", f"title: {q(item.title)}", f"date: {item.date:%Y-%m-%dT%H:%M:%SZ}",
             f"slug: a{item.index}", f"tags: [{', '.join(q(t) for t in item.topics)}]",
             f"authors: [{q(item.provider)}]", f"summary: {q(item.summary)}"]
    if item.category:
        lines.append(f"categories: [{q(item.category)}]")
    if item.link:
        lines.append(f"link: {q(item.link)}")
    body = "\n\n".join(item.paragraphs) if item.paragraphs else item.summary
    return "\n".join(lines) + "\n---\n\n" + body + "\n"


PELICAN_CONF = """\
AUTHOR = "feedsmith-bench"
SITENAME = "feedsmith bench"
SITEURL = "http://127.0.0.1:8000"
FEED_DOMAIN = SITEURL
PATH = {content!r}
OUTPUT_PATH = {output!r}
CACHE_PATH = {cache!r}
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_CATEGORY = "news"
DEFAULT_PAGINATION = False
FEED_MAX_ITEMS = 50
# the feeds: everything, per category, per tag (= topic), per author (= provider)
FEED_ALL_ATOM = "all.atom.xml"
FEED_ALL_RSS = "all.rss.xml"
FEED_ATOM = None
FEED_RSS = None
CATEGORY_FEED_ATOM = "categories/{{slug}}.atom.xml"
CATEGORY_FEED_RSS = "categories/{{slug}}.rss.xml"
TAG_FEED_ATOM = "topics/{{slug}}.atom.xml"
TAG_FEED_RSS = "topics/{{slug}}.rss.xml"
AUTHOR_FEED_ATOM = "providers/{{slug}}.atom.xml"
AUTHOR_FEED_RSS = "providers/{{slug}}.rss.xml"
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
# ... and nothing else, as far as Pelican allows
DIRECT_TEMPLATES = []
ARTICLE_SAVE_AS = ""
ARTICLE_LANG_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
PAGE_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
INDEX_SAVE_AS = ""
PAGE_PATHS = []
STATIC_PATHS = []
THEME_STATIC_PATHS = []
DELETE_OUTPUT_DIRECTORY = False
CACHE_CONTENT = {cache_on}
LOAD_CONTENT_CACHE = {cache_on}
"""

HUGO_CONFIG = """\
baseURL = "http://127.0.0.1:8000/"
title = "feedsmith bench"
languageCode = "en"
# feeds only, as far as Hugo allows: no section / taxonomy-list / sitemap /
# robots / 404 pages, RSS for the home page (all) and each term, and regular
# pages listed but never rendered.
disableKinds = ["section", "taxonomy", "sitemap", "robotsTXT", "404"]
ignoreErrors = ["error-disable-taxonomy"]
[taxonomies]
  tag = "tags"
  author = "authors"
  category = "categories"
[outputs]
  home = ["RSS"]
  term = ["RSS"]
  page = ["RSS"]
[services.rss]
  limit = 50
[[cascade]]
  [cascade._build]
    render = "never"
    list = "always"
  [cascade._target]
    kind = "page"
"""
# --- end converters


def prepare_data(n: int, seed: int, need_opponents: bool) -> Path:
    data = WORK / f"data-{n}"
    stamp = data / "stamp.json"
    fp = synth_fingerprint(n, seed)
    want = {"fingerprint": fp, "opponents": need_opponents}
    if stamp.exists():
        have = json.loads(stamp.read_text())
        if have.get("fingerprint") == fp and (have.get("opponents") or not need_opponents):
            log(f"N={n}: reusing {data}")
            return data
    log(f"N={n}: synthesizing articles into {data} …")
    if data.exists():
        shutil.rmtree(data)
    seeds, pel, hugo = data / "seeds", data / "pelican" / "content", data / "hugo"
    t0 = time.perf_counter()
    s = synth.Synth(seed=seed)
    made: set[Path] = set()

    def put(path: Path, text: str) -> None:
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)

    for i in range(n):
        item = s.item(i)
        put(seeds / item.relpath, item.text)
        if need_opponents:
            put(pel / f"{item.date:%Y}" / f"a{i}.md", pelican_markdown(item))
            put(hugo / "content" / "posts" / f"{item.date:%Y}" / f"a{i}.md", hugo_markdown(item))
    if need_opponents:
        (hugo / "config.toml").write_text(HUGO_CONFIG)
    stamp.write_text(json.dumps(want))
    log(f"N={n}: data ready in {time.perf_counter() - t0:.1f} s")
    return data


# --- feedsmith ---------------------------------------------------------------------------

def feedsmith_config(run_dir: Path, seeds: Path, base_config: Path, extra: dict,
                     name: str = "config.yaml", out: str = "out", state: str = ".feedsmith") -> Path:
    import yaml  # a feedsmith dependency, present in .venv

    cfg = yaml.safe_load(base_config.read_text()) if base_config.exists() else {}
    cfg = cfg or {}
    cfg.update({"seeds_dir": str(seeds), "out_dir": str(run_dir / out),
                "state_dir": str(run_dir / state)})
    cfg.update(extra)
    path = run_dir / name
    run_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False))
    return path


def pick_changed_file(seeds: Path) -> Path:
    files = sorted(p for p in seeds.rglob("*.md"))
    return files[len(files) // 2]


def restore_file(path: Path, original: bytes, stat: os.stat_result) -> None:
    """Put back a changed seed file as it was, modification time included: the seeds'
    signature then matches the last build's again, so a later step (the server's warm
    start) finds that build current, as it would without the change."""
    path.write_bytes(original)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def change_text(text: str, run: int) -> str:
    new = re.sub(r'^title: "', f'title: "Updated ({run}): ', text, count=1, flags=re.M)
    return new if new != text else text + f"\n\nUpdate {run}: this story has been updated.\n"


def bench_feedsmith_builds(n, data, cfg, run_dir, runs, results, args):
    seeds = data / "seeds"
    out, state = run_dir / "out", run_dir / ".feedsmith"
    logf = run_dir / "feedsmith.log"
    build = [FEEDSMITH, "build", "--config", cfg, "--quiet"]
    s = synth.Synth(seed=args.seed, quiet=True)
    changed = pick_changed_file(seeds)
    original, original_stat = changed.read_bytes(), changed.stat()
    added_item = s.item(n)           # the next article: a new unique link
    added = seeds / added_item.relpath
    for r in range(runs):
        for folder in (out, state):
            shutil.rmtree(folder, ignore_errors=True)
        tree: list[float] = []
        t, rss = timed(build, logfile=logf, tree=tree, env=FS_ENV)
        results.add("fs_cold", t)
        results.add("fs_cold_cpu", timed.last_cpu)
        results.add("fs_cold_rss", rss)
        results.add("fs_cold_tree", tree[0])
        log(f"  feedsmith cold build {t:.2f} s, peak RSS {rss:.0f} MiB (largest process), "
            f"{tree[0]:.0f} MiB PSS (process tree)")
        t, _ = timed(build, logfile=logf, env=FS_ENV)
        results.add("fs_nochange", t)
        results.add("fs_nochange_cpu", timed.last_cpu)
        try:
            time.sleep(0.01)
            changed.write_text(change_text(original.decode("utf-8"), r), encoding="utf-8")
            t1, _ = timed(build, logfile=logf, env=FS_ENV)
            results.add("fs_one_changed", t1)
            results.add("fs_one_changed_cpu", timed.last_cpu)
            time.sleep(0.01)
            changed.write_text(change_text(original.decode("utf-8"), r + 100), encoding="utf-8")
            added.parent.mkdir(parents=True, exist_ok=True)
            added.write_text(added_item.text, encoding="utf-8")
            t2, _ = timed(build, logfile=logf, env=FS_ENV)
            results.add("fs_add_change", t2)
        finally:
            restore_file(changed, original, original_stat)
            added.unlink(missing_ok=True)
        log(f"  feedsmith rebuild: no change {t:.3f} s, 1 changed {t1:.3f} s, "
            f"1 added + 1 changed {t2:.3f} s")
    # leave a build matching the (restored) seeds for the server's warm start
    timed(build, logfile=logf, env=FS_ENV)
    results.meta["fs_files"] = count_files(out)
    results.meta["fs_feeds"] = count_files(out, (".rss", ".atom", ".json"))
    summary = [ln for ln in logf.read_text(errors="replace").splitlines() if ln.strip()]
    results.meta["fs_summary"] = summary[-1] if summary else ""


def bench_anchor(n, data, cfg, run_dir, runs, results):
    """Cold, no-change and one-file-changed builds with the anchor config (e.g. archives
    off): the same feeds Pelican and Hugo write, which is what "faster than Hugo, which
    redoes everything" compares. Skipped when feedsmith rejects the keys."""
    out, state = run_dir / "out-anchor", run_dir / ".feedsmith-anchor"
    logf = run_dir / "feedsmith-anchor.log"
    build = [FEEDSMITH, "build", "--config", cfg, "--quiet"]
    changed = pick_changed_file(data / "seeds")
    original, original_stat = changed.read_bytes(), changed.stat()
    for r in range(runs):
        for folder in (out, state):
            shutil.rmtree(folder, ignore_errors=True)
        tree: list[float] = []
        try:
            t, rss = timed(build, logfile=logf, tree=tree, env=FS_ENV)
        except RunError as exc:
            if "exited 2" in str(exc):
                log(f"  feedsmith rejects the anchor config; skipping it: {exc}")
                results.meta["anchor_error"] = str(exc).splitlines()[-1].strip()
                return
            raise
        results.add("fsa_cold", t)
        results.add("fsa_cold_cpu", timed.last_cpu)
        results.add("fsa_cold_tree", tree[0])
        t2, _ = timed(build, logfile=logf, env=FS_ENV)
        results.add("fsa_nochange", t2)
        try:
            time.sleep(0.01)
            changed.write_text(change_text(original.decode("utf-8"), r), encoding="utf-8")
            t3, _ = timed(build, logfile=logf, env=FS_ENV)
            results.add("fsa_one_changed", t3)
        finally:
            restore_file(changed, original, original_stat)
        log(f"  feedsmith (anchor feeds) cold build {t:.2f} s ({tree[0]:.0f} MiB PSS), "
            f"no-change rebuild {t2:.3f} s, 1 changed {t3:.3f} s")
    results.meta["fsa_files"] = count_files(out)
    results.meta["fsa_feeds"] = count_files(out, (".rss", ".atom", ".json"))
    shutil.rmtree(out, ignore_errors=True)


def wait_ready(url: str, proc: subprocess.Popen, timeout: float) -> float | None:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            return None
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    resp.read()
                    return time.perf_counter() - t0
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.01)
    return None


def wait_loaded(url: str, proc: subprocess.Popen, timeout: float) -> float | None:
    """Until /healthz says "ok": a warm start answers from the static tree before that."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if json.loads(resp.read()).get("status") == "ok":
                    return time.perf_counter() - t0
        except (urllib.error.URLError, ConnectionError, OSError, ValueError):
            pass
        time.sleep(0.02)
    return None


def wrk_rps(wrk: str, url: str, seconds: int, headers: dict[str, str]) -> tuple[float | None, str]:
    cmd = [wrk, "-t2", "-c16", f"-d{seconds}s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    r = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"Requests/sec:\s*([\d.]+)", r.stdout)
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", r.stdout)
    errors = re.search(r"Socket errors:.*", r.stdout)
    note = ""
    if bad:
        note += f" non-2xx/3xx={bad.group(1)}"
    if errors:
        note += " " + errors.group(0)
    return (float(m.group(1)) if m else None), note.strip()


def python_rps(url: str, seconds: int, headers: dict[str, str], threads: int = 8):
    """Fallback load generator: keep-alive http.client requests from threads."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    stop = time.perf_counter() + seconds
    counts = [0] * threads
    bad = [0] * threads

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.perf_counter() < stop:
            try:
                conn.request("GET", parts.path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                counts[k] += 1
                if resp.status >= 400:
                    bad[k] += 1
                if resp.getheader("Connection", "").lower() == "close" or resp.version == 10:
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            except (OSError, http.client.HTTPException):
                bad[k] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.close()

    t0 = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts) / (time.perf_counter() - t0), (f"errors={sum(bad)}" if sum(bad) else "")


def bench_server(n, cfg, run_dir, runs, results, args):
    wrk = None if args.no_wrk else apt_install("wrk", "wrk")
    results.meta["load_generator"] = (f"wrk -t2 -c16 -d{args.load_seconds}s" if wrk else
                                      f"python threaded client, 8 threads, {args.load_seconds} s")
    logf = run_dir / "serve.log"
    for r in range(runs):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with open(logf, "ab") as out:
            t0 = time.perf_counter()
            proc = subprocess.Popen([str(FEEDSMITH), "serve", "--config", str(cfg), "--port",
                                     str(port)], stdout=out, stderr=subprocess.STDOUT,
                                    env=FS_ENV)
        sampler = TreeSampler(proc.pid, interval=0.1)
        sampler.start()
        try:
            ready = wait_ready(base + "/all.atom", proc, args.server_timeout)
            if ready is None:
                raise RunError(f"feedsmith serve did not serve /all.atom (log {logf})")
            ready = time.perf_counter() - t0
            results.add("srv_ready", ready)
            results.add("srv_rss_ready", proc_status(proc.pid).get("VmRSS"))
            loaded = wait_loaded(base + "/healthz", proc, args.server_timeout)
            if loaded is not None:
                results.add("srv_loaded", time.perf_counter() - t0)
            log(f"  server ready in {ready:.2f} s, site loaded after "
                f"{'?' if loaded is None else f'{time.perf_counter() - t0:.2f}'} s")
            if args.load_seconds <= 0:
                continue
            url = base + "/all.atom"
            with urllib.request.urlopen(url, timeout=30) as resp:
                etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
                resp.read()
            cond = {"If-None-Match": etag} if etag else (
                {"If-Modified-Since": modified} if modified else {})
            status = None
            if cond:
                try:
                    with urllib.request.urlopen(urllib.request.Request(url, headers=cond),
                                                timeout=30) as resp:
                        status = resp.status
                except urllib.error.HTTPError as exc:
                    status = exc.code
            results.meta["conditional_header"] = next(iter(cond), None)
            results.meta["conditional_status"] = status
            for key, headers in (("srv_rps_200", {}), ("srv_rps_304", cond)):
                if key == "srv_rps_304" and status != 304:
                    log("  server does not answer conditional requests with 304; skipping")
                    continue
                if wrk:
                    rps, note = wrk_rps(wrk, url, args.load_seconds, headers)
                else:
                    rps, note = python_rps(url, args.load_seconds, headers)
                results.add(key, rps)
                if note:
                    results.meta.setdefault("load_notes", []).append(f"{key}: {note}")
                log(f"  {key} {rps:.0f} req/s {note}")
            st = proc_status(proc.pid)
            results.add("srv_hwm", st.get("VmHWM"))
            results.add("srv_rss", st.get("VmRSS"))
            sampler.done.set()
            sampler.join()
            results.add("srv_tree", sampler.peak)
        finally:
            sampler.done.set()
            # SIGTERM, not SIGINT: a process started from a non-interactive
            # shell's background job inherits SIGINT ignored
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- opponents -------------------------------------------------------------------------

def bench_floor(data, run_dir, runs, results):
    for _ in range(runs):
        t, rss = timed([PYTHON, "-c", FLOOR_SCRIPT, data / "seeds"], logfile=run_dir / "floor.log")
        results.add("floor", t)
        results.add("floor_cpu", timed.last_cpu)
        results.add("floor_rss", rss)
    log(f"  floor (read + CSafeLoader) {results.median('floor'):.2f} s")


def bench_pelican(data, run_dir, runs, results):
    exe = pelican_bin()
    if not exe:
        return
    results.meta["pelican"] = tool_version([exe, "--version"])
    logf = run_dir / "pelican.log"
    content = data / "pelican" / "content"
    out = run_dir / "pelican-out"
    cache = run_dir / "pelican-cache"
    confs = {}
    for name, on in (("cold", False), ("cached", True)):
        confs[name] = run_dir / f"pelicanconf-{name}.py"
        confs[name].write_text(PELICAN_CONF.format(content=str(content), output=str(out),
                                                   cache=str(cache), cache_on=on))
    for r in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        tree: list[float] = []
        t, rss = timed([exe, "-q", "-s", confs["cold"]], logfile=logf, tree=tree)
        results.add("pelican_cold_tree", tree[0])
        results.add("pelican_cold", t)
        results.add("pelican_cold_cpu", timed.last_cpu)
        results.add("pelican_cold_rss", rss)
        log(f"  pelican cold {t:.2f} s, peak {rss:.0f} MiB")
    results.meta["pelican_feeds"] = count_files(out, ".xml")
    # content cache: one run to fill it, then timed runs that load it
    shutil.rmtree(cache, ignore_errors=True)
    timed([exe, "-q", "-s", confs["cached"]], logfile=logf)
    for r in range(runs):
        t, _ = timed([exe, "-q", "-s", confs["cached"]], logfile=logf)
        results.add("pelican_cached", t)
    log(f"  pelican with content cache {results.median('pelican_cached'):.2f} s")


def bench_hugo(data, run_dir, runs, results):
    exe = apt_install("hugo", "hugo")
    if not exe:
        return
    results.meta["hugo"] = tool_version([exe, "version"])
    site = data / "hugo"
    out = run_dir / "hugo-out"
    logf = run_dir / "hugo.log"
    for r in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        tree: list[float] = []
        t, rss = timed([exe, "--quiet", "--source", site, "--destination", out,
                        "--cacheDir", run_dir / "hugo-cache"], logfile=logf, tree=tree)
        results.add("hugo_cold_tree", tree[0])
        results.add("hugo_cold_cpu", timed.last_cpu)
        results.add("hugo_cold", t)
        results.add("hugo_cold_rss", rss)
        log(f"  hugo {t:.2f} s, peak {rss:.0f} MiB")
    results.meta["hugo_feeds"] = count_files(out, ".xml")


# --- results ---------------------------------------------------------------------------

class Results:
    def __init__(self):
        self.values: dict[str, list[float]] = {}
        self.meta: dict = {}

    def add(self, key, value):
        self.values.setdefault(key, []).append(value)

    def median(self, key):
        return median(self.values.get(key, []))

    def to_json(self):
        return {"metrics": {k: {"median": self.median(k), "runs": v}
                            for k, v in self.values.items()},
                "meta": self.meta}


# (key, label, unit, target)
ROWS = [
    ("fs_cold", "feedsmith cold build, everything on", "s", "≤6 @10k; ≤45 @100k"),
    ("fs_cold_cpu", "… CPU time (user+sys, incl. workers)", "s", ""),
    ("fsa_cold", "feedsmith cold build, anchor feeds", "s", "≤3 @10k"),
    ("fsa_cold_cpu", "… anchor feeds, CPU time", "s", ""),
    ("fsa_nochange", "… anchor feeds, rebuild no change", "s", ""),
    ("fsa_one_changed", "… anchor feeds, rebuild 1 file changed", "s", "≤0.5 @10k; ≤1.5 @100k"),
    ("fsa_cold_tree", "… anchor feeds, peak PSS tree", "MiB", ""),
    ("fs_nochange", "feedsmith rebuild, no change", "s", "≤0.3 @10k; ≤1 @100k"),
    ("fs_nochange_cpu", "… CPU time", "s", ""),
    ("fs_one_changed", "feedsmith rebuild, 1 file changed", "s", "≤0.5 @10k; ≤1.5 @100k"),
    ("fs_one_changed_cpu", "… CPU time", "s", ""),
    ("fs_add_change", "feedsmith rebuild, 1 added + 1 changed", "s", ""),
    ("fs_cold_rss", "feedsmith build peak RSS, largest process", "MiB", ""),
    ("fs_cold_tree", "feedsmith build peak PSS, process tree", "MiB", "≤1024 @100k"),
    ("srv_ready", "server start → first /all.atom", "s", "≤2 @100k (warm)"),
    ("srv_rss_ready", "server RSS when ready", "MiB", ""),
    ("srv_loaded", "server start → site loaded (/healthz ok)", "s", ""),
    ("srv_rps_200", "server req/s, cached feed (200)", "req/s", ""),
    ("srv_rps_304", "server req/s, conditional (304)", "req/s", ""),
    ("srv_hwm", "server peak RSS (VmHWM)", "MiB", "≤500 @100k"),
    ("srv_rss", "server RSS after load", "MiB", ""),
    ("srv_tree", "server peak PSS, process tree", "MiB", ""),
    ("floor", "floor: read + YAML-parse all files", "s", ""),
    ("floor_cpu", "… CPU time", "s", ""),
    ("floor_rss", "floor peak RSS", "MiB", ""),
    ("pelican_cold", "Pelican cold build", "s", ""),
    ("pelican_cold_cpu", "… CPU time", "s", ""),
    ("pelican_cached", "Pelican with content cache", "s", ""),
    ("pelican_cold_rss", "Pelican peak RSS, largest process", "MiB", ""),
    ("hugo_cold", "Hugo build", "s", ""),
    ("hugo_cold_cpu", "… CPU time (Hugo uses both cores)", "s", ""),
    ("hugo_cold_rss", "Hugo peak RSS", "MiB", ""),
]
RATIOS = [
    ("fsa_cold", "pelican_cold", "feedsmith anchor cold / Pelican cold", "≤0.2 @10k (≥5× faster)"),
    ("fsa_cold_cpu", "pelican_cold_cpu", "… same in CPU time", ""),
    ("fs_cold", "pelican_cold", "feedsmith all-on cold / Pelican cold", ""),
    ("fs_nochange", "pelican_cached", "feedsmith no-change / Pelican cached", ""),
    ("fsa_cold", "hugo_cold", "feedsmith anchor cold / Hugo", ""),
    ("fsa_cold_cpu", "hugo_cold_cpu", "… same in CPU time", ""),
    ("fsa_cold", "floor", "feedsmith anchor cold / floor", ""),
    ("fsa_cold_cpu", "floor_cpu", "… same in CPU time", ""),
    ("fs_cold", "floor", "feedsmith all-on cold / floor", ""),
    ("fsa_one_changed", "hugo_cold", "feedsmith anchor 1 file changed / Hugo", "<1 (faster than Hugo)"),
    ("fs_one_changed", "hugo_cold", "feedsmith all-on 1 file changed / Hugo", ""),
]


def fmt(value, unit) -> str:
    if value is None:
        return "–"
    if unit == "req/s" or unit == "MiB":
        return f"{value:,.0f}"
    if unit == "×":
        return f"{value:.2f}"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def render_table(all_results: dict[int, Results], runs: int) -> str:
    sizes = sorted(all_results)
    head = ["metric", "unit"] + [f"N={n:,}" for n in sizes] + ["target"]
    rows = []
    for key, label, unit, target in ROWS:
        if all(all_results[n].median(key) is None for n in sizes):
            continue
        rows.append([label, unit] + [fmt(all_results[n].median(key), unit) for n in sizes] + [target])
    rows.append(None)
    for num, den, label, target in RATIOS:
        vals = []
        for n in sizes:
            a, b = all_results[n].median(num), all_results[n].median(den)
            vals.append(fmt(a / b if a is not None and b else None, "×"))
        if any(v != "–" for v in vals):
            rows.append([label, "×"] + vals + [target])
    rows.append(None)
    for label, meta in (("feedsmith files / feeds written", ("fs_files", "fs_feeds")),
                        ("… anchor config", ("fsa_files", "fsa_feeds")),
                        ("Pelican feeds written", ("pelican_feeds",)),
                        ("Hugo feeds written", ("hugo_feeds",))):
        vals = ["/".join(f"{all_results[n].meta[m]:,}" for m in meta) if
                all(m in all_results[n].meta for m in meta) else "–" for n in sizes]
        if any(v != "–" for v in vals):
            rows.append([label, "#"] + vals + [""])
    widths = [max(len(str(r[i])) for r in [head] + [r for r in rows if r]) for i in range(len(head))]

    def line(cells):
        out = []
        for i, c in enumerate(cells):
            out.append(str(c).ljust(widths[i]) if i in (0, 1, len(cells) - 1) else str(c).rjust(widths[i]))
        return "  ".join(out).rstrip()

    sep = "  ".join("-" * w for w in widths)
    text = [f"medians of {runs} run(s)", line(head), sep]
    text += [sep if r is None else line(r) for r in rows]
    one = ", ".join(f"{n:,}: {fmt(all_results[n].median('fs_one_changed'), 's')} s"
                    for n in sizes if all_results[n].median("fs_one_changed") is not None)
    if one:
        text += ["", f"one-file-changed rebuild by size — {one}"]
    return "\n".join(text)


def profile(n: int, cfg: Path, run_dir: Path, top: int) -> str:
    """cProfile two cold builds: as the CLI runs it, and with parsing in-process."""
    import io
    import pstats

    texts = []
    for name, jobs in (("serial", ["--jobs", "1"]), ("cli", [])):
        prof = WORK / f"profile-{n}-{name}.prof"
        for folder in (run_dir / "out", run_dir / ".feedsmith"):
            shutil.rmtree(folder, ignore_errors=True)
        t, _ = timed([PYTHON, "-m", "cProfile", "-o", prof, "-m", "feedsmith", "build", "--config", cfg,
                      "--quiet", *jobs], logfile=run_dir / "profile.log", env=FS_ENV)
        buf = io.StringIO()
        st = pstats.Stats(str(prof), stream=buf)
        st.sort_stats("cumulative").print_stats(top)
        st.sort_stats("tottime").print_stats(top)
        what = ("parsing and rendering in-process (--jobs 1)" if name == "serial" else
                "as the CLI runs it (worker processes are not profiled)")
        text = (f"cProfile of a cold `feedsmith build` at N={n:,}, {what}: "
                f"{t:.1f} s under the profiler\n" + buf.getvalue())
        text = (text.replace(str(WORK / "src-snapshot") + "/", "src/")
                .replace(str(REPO / ".venv" / "lib"), "venv-lib").replace(str(REPO) + "/", ""))
        (WORK / f"profile-{n}-{name}.txt").write_text(text)
        texts.append(text)
    return texts[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (median is shown)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-opponents", action="store_true", help="no Pelican / Hugo")
    ap.add_argument("--opponents-max", type=int, default=10000,
                    help="skip Pelican / Hugo above this size (default 10000)")
    ap.add_argument("--opponent-runs", type=int, default=None,
                    help="runs for Pelican / Hugo (default: --runs)")
    ap.add_argument("--skip-server", action="store_true")
    ap.add_argument("--load-seconds", type=int, default=10, help="per load test (0: none)")
    ap.add_argument("--no-wrk", action="store_true", help="use the Python load client")
    ap.add_argument("--server-timeout", type=float, default=600)
    ap.add_argument("--config", type=Path, default=REPO / "config.yaml",
                    help="base feedsmith config (folders are overridden)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=YAML",
                    help="extra feedsmith config key, e.g. --set item_limit=50")
    ap.add_argument("--anchor", action="append", default=None, metavar="KEY=YAML",
                    help="config that makes feedsmith write just the feeds Pelican and Hugo "
                         "write; its cold build is timed too (default: archives=false, "
                         "formats=[rss, atom], gzip=false: Pelican's Atom and RSS, no archives, no .gz)")
    ap.add_argument("--skip-anchor", action="store_true", help="no anchor-config builds")
    ap.add_argument("--profile", type=int, default=None, metavar="N",
                    help="also cProfile one cold build at size N")
    ap.add_argument("--profile-top", type=int, default=35)
    ap.add_argument("--output", type=Path, default=WORK / "results.json")
    ap.add_argument("--live-source", action="store_true",
                    help="run the working tree's feedsmith as it changes, not a snapshot "
                         "taken at the start")
    args = ap.parse_args(argv)

    if not FEEDSMITH.exists():
        print(f"{FEEDSMITH} not found: run `make setup` first", file=sys.stderr)
        return 2
    import yaml

    extra = {}
    for item in args.set:
        key, _, value = item.partition("=")
        extra[key.strip()] = yaml.safe_load(value)
    anchor = {}
    for item in (args.anchor if args.anchor is not None
                 else ["archives=false", "formats=[rss, atom]", "gzip=false"]):
        key, _, value = item.partition("=")
        anchor[key.strip()] = yaml.safe_load(value)
    sizes = [int(s.replace("_", "").replace(",", "")) for s in re.split(r"[ ,]+", args.sizes) if s]
    if args.profile and args.profile not in sizes:
        sizes.append(args.profile)
        sizes.sort()
    if not synth.DEFAULT_CORPUS.is_dir():
        log(f"corpus {synth.DEFAULT_CORPUS} is absent: articles come from the plain-text "
            "templates only")
    WORK.mkdir(parents=True, exist_ok=True)
    source = {"source": "live"} if args.live_source else snapshot_source()
    all_results: dict[int, Results] = {}
    payload = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                           "platform": platform.platform()},
               "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
               "feedsmith_commit": tool_version(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]),
               "feedsmith_source": source,
               "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "sizes": {}}
    profile_text = None
    for n in sizes:
        opponents = not args.skip_opponents and n <= args.opponents_max
        results = all_results[n] = Results()
        data = prepare_data(n, args.seed, opponents)
        run_dir = WORK / f"run-{n}"
        shutil.rmtree(run_dir, ignore_errors=True)
        cfg = feedsmith_config(run_dir, data / "seeds", args.config, extra)
        results.meta["config"] = str(cfg)
        results.meta["loadavg_before"] = os.getloadavg()[0]
        if results.meta["loadavg_before"] > 0.5:
            log(f"N={n}: note: load average {results.meta['loadavg_before']:.2f} before "
                "starting: other work on this machine skews the timings")
        try:
            if args.profile == n:
                log(f"N={n}: profiling a cold build …")
                profile_text = profile(n, cfg, run_dir, args.profile_top)
            log(f"N={n}: feedsmith builds × {args.runs}")
            bench_feedsmith_builds(n, data, cfg, run_dir, args.runs, results, args)
            if anchor and not args.skip_anchor:
                log(f"N={n}: feedsmith builds with the anchor config {anchor} × {args.runs}")
                anchor_cfg = feedsmith_config(run_dir, data / "seeds", args.config,
                                              {**extra, **anchor}, name="config-anchor.yaml",
                                              out="out-anchor", state=".feedsmith-anchor")
                bench_anchor(n, data, anchor_cfg, run_dir, args.runs, results)
            if not args.skip_server:
                log(f"N={n}: feedsmith serve × {args.runs}")
                bench_server(n, cfg, run_dir, args.runs, results, args)
        except RunError as exc:
            log(f"N={n}: feedsmith failed: {exc}")
            results.meta["error"] = str(exc)
        bench_floor(data, run_dir, args.runs, results)
        if opponents:
            oruns = args.opponent_runs or args.runs
            for name, fn in (("pelican", bench_pelican), ("hugo", bench_hugo)):
                log(f"N={n}: {name} × {oruns}")
                try:
                    fn(data, run_dir, oruns, results)
                except RunError as exc:
                    log(f"N={n}: {name} failed: {exc}")
                    results.meta[f"{name}_error"] = str(exc)
        results.meta["loadavg_after"] = os.getloadavg()[0]
        payload["sizes"][str(n)] = results.to_json()
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    table = render_table(all_results, args.runs)
    payload["table"] = table
    args.output.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    print()
    print(table)
    for n in sizes:
        for key in ("error", "anchor_error", "pelican_error", "hugo_error"):
            if key in all_results[n].meta:
                print(f"\nN={n:,} {key}: {all_results[n].meta[key]}")
    loads = ", ".join(f"N={n:,}: {all_results[n].meta['loadavg_before']:.1f}→"
                      f"{all_results[n].meta['loadavg_after']:.1f}" for n in sizes)
    src = payload["feedsmith_source"]
    print(f"\nfeedsmith: commit {payload['feedsmith_commit']}, " + (
        f"source snapshot {src['sha256']}" + (" (working tree had uncommitted changes)"
                                              if src["working_tree_dirty"] else "")
        if src["source"] == "snapshot" else "live working tree"))
    print(f"1-min load average before→after each size ({os.cpu_count()} CPUs): {loads}")
    meta = next(iter(all_results.values())).meta if all_results else {}
    print(f"\nload generator: {meta.get('load_generator', '–')}; conditional requests use "
          f"{meta.get('conditional_header') or '–'}; results in {args.output}")
    if profile_text:
        print("\n" + "\n".join(profile_text.splitlines()[: args.profile_top + 12]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
