"""The static build: render what changed, stage it beside the targets, then rename it into place.

Two phases: every changed document is rendered and written to a temporary
file in its own folder (in worker processes when there is much to render),
and only when all of them are staged are they renamed over the old files.
A failure while rendering or staging removes the temporary files and leaves
the previous tree untouched; a rename is atomic, so a reader (or a
``kill -9``) only ever sees a complete old or a complete new file. Rendered
documents are never all held in memory, which keeps large builds small.

Every feed, page and OPML file gets a ``.gz`` twin (gzip level 5, mtime 0:
the same bytes for the same file, and the same bytes the live app sends) for
web servers that serve precompressed files (nginx ``gzip_static``). A twin is
renamed into place just before its original and only rewritten when the
original changed (or the twin is missing), and is removed with it. When a
WebSub hub is configured, it is told about every feed whose current
document changed (:mod:`.websub`).
"""

from __future__ import annotations

import gc
import gzip
import os
import re
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import uptodate
from .config import Config
from .errors import ConfigError, FeedsmithError, ParseError
from .load import Listing, LoadResult, article_files, default_jobs, load_folder, open_store
from .progress import QUIET, Progress
from .store import Store
from .text import plural

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    # Imported where used: a build with nothing to do never loads the renderers, and
    # one with little to do never starts (so never imports) worker processes.
    from .site import Site

MANIFEST = ".feedsmith-manifest"
OUR_SUFFIXES = (".rss", ".atom", ".json", ".html", ".opml", ".xsl", ".gz")
_OUR_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # write_atomic's names (mkstemp)
GZ = ".gz"
TWINNED = tuple(s for s in OUR_SUFFIXES if s != GZ)  # files that get a .gz twin
_STAGE_AHEAD = 16  # rendered documents waiting for a thread to compress and stage them, at most


class BuildError(FeedsmithError, RuntimeError):
    """Rendering or writing the tree failed; the message names the path and what was kept."""


@dataclass
class BuildReport:
    out_dir: Path
    load: LoadResult
    feeds: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    pings: int | None = None  # feeds the WebSub hub was told about (None: no hub configured)
    ping_failures: int = 0
    warnings: list[str] = field(default_factory=list)  # about the build itself (e.g. the hub)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: read, render, write
    # True when nothing changed since the last build (see :mod:`.uptodate`): then no article
    # was read, ``load`` holds only the last build's problems and warnings, and
    # ``articles`` is the last build's count.
    current: bool = False
    articles: int = 0

    def __post_init__(self) -> None:
        if not self.current:
            self.articles = len(self.load.articles)

    def summary(self) -> str:
        hub = ""
        if self.pings is not None:
            hub = f"; {self.pings} hub pings" + (f" ({self.ping_failures} failed)" if self.ping_failures else "")
        if self.current:
            return (f"up to date: nothing changed since the last build ({plural(self.articles, 'article')}, "
                    f"{plural(len(self.load.problems), 'file')} skipped, {plural(self.feeds, 'feed')}, "
                    f"{plural(len(self.unchanged), 'file')})"
                    f"{hub}; checked in {self.seconds:.2f}s -> {self.out_dir}")
        return (
            f"{plural(self.articles, 'article')} read, {plural(len(self.load.problems), 'file')} skipped, "
            f"{plural(len(self.load.warnings) - len(self.load.problems), 'warning')}; "
            f"{plural(self.feeds, 'feed')}; {plural(len(self.written), 'file')} written, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} stale removed{hub} "
            f"in {self.seconds:.2f}s{self._phases()} -> {self.out_dir}"
        )

    def _phases(self) -> str:
        if not self.timings:
            return ""
        return " (" + ", ".join(f"{name} {secs:.2f}s" for name, secs in self.timings.items()) + ")"


def load_site(config: Config, seeds_dir: Path | None = None, *, store: Store | None = None,
              jobs: int | None = None, progress: Progress = QUIET,
              listing: Listing | None = None) -> Site:
    folder = seeds_dir or config.seeds_dir
    if not folder.is_dir():
        # Publishing an empty tree over real feeds because of a typo is worse than stopping.
        raise ConfigError(f"seeds folder {folder} does not exist or is not a folder; "
                          "create it, set seeds_dir in the config, or pass --seeds DIR")
    from .catalog import build_catalog
    from .site import Site

    load = load_folder(folder, config, store, jobs, progress, listing)
    return Site(build_catalog(load.articles, config), config, load)


def load_cached_site(config: Config, seeds_dir: Path | None = None, listing: Listing | None = None) -> Site:
    """Like :func:`load_site`, through the parse cache when the state folder allows one,
    so a server starts from a warm cache instead of parsing every file again."""
    notices: list[str] = []
    store = open_store(config, notices)
    try:
        site = load_site(config, seeds_dir, store=store, listing=listing)
    finally:
        if store:
            store.close()
    site.load.notices[:0] = notices
    return site


def stage_file(path: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file beside ``path``; its name is returned.

    :func:`commit_file` renames it over ``path``. The rename is atomic, so a
    reader (or a killed build) only ever sees a complete old or new file.
    There is no fsync per file: it made builds of thousands of files several
    times slower and only matters for power loss, not crashes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            os.fchmod(handle.fileno(), 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def commit_file(tmp: str, path: Path) -> None:
    os.replace(tmp, path)


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename over the target."""
    tmp = stage_file(path, data)
    try:
        commit_file(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def tree_files(out_dir: Path) -> set[str]:
    """The paths of the last complete tree written to ``out_dir`` (its manifest; empty when none)."""
    return set(tree_paths(out_dir))


def tree_paths(out_dir: Path) -> list[str]:
    """:func:`tree_files` in the manifest's (sorted) order."""
    try:
        return [line for line in (out_dir / MANIFEST).read_text("utf-8").splitlines() if line]
    except OSError:
        return []


def _remove_stale(out_dir: Path, listed: set[str], keep: set[str], report: BuildReport) -> None:
    """Remove the files of the last tree (``listed``) that are not in ``keep``."""
    for rel in sorted(listed - keep):
        target = out_dir / rel
        if target.suffix in OUR_SUFFIXES and target.resolve().is_relative_to(out_dir.resolve()):
            target.unlink(missing_ok=True)
            report.removed.append(rel)
    folders: set[Path] = set()
    for rel in report.removed:  # and the folders that held only them (topics/x/archive, topics/x)
        folder = (out_dir / rel).parent
        while folder != out_dir and folder.is_relative_to(out_dir):
            folders.add(folder)
            folder = folder.parent
    for folder in sorted(folders, reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


# On 1,500 documents of a 10k-article tree, level 5 compresses in 73 % of level 9's time
# (levels 6-9 take the same time here) to files 0.9 % larger; the twins were a fifth of a
# cold build's CPU at level 9. Level 4 would save more CPU but adds 3.8 % to every transfer.
GZIP_LEVEL = 5


def gzip_twin(data: bytes) -> bytes:
    """A file's ``.gz`` twin: deterministic (mtime 0, no name), as the live app compresses."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def _twinned(rel: str) -> bool:
    return rel.endswith(TWINNED)


def with_twins(paths: Iterable[str], twins: bool = True) -> set[str]:
    """The paths and, with ``twins``, the ``.gz`` twins they get: the files of a tree."""
    paths = set(paths)
    return paths | {p + GZ for p in paths if _twinned(p)} if twins else paths


@dataclass(frozen=True, slots=True)
class Staged:
    """A rendered document written to temporary files, waiting to be renamed into place.

    ``tmp`` is None when the file already holds these bytes; ``twin_tmp`` is
    None when the ``.gz`` twin needs no rewrite (or the file gets none).
    """

    rel: str
    tmp: str | None
    twin_tmp: str | None
    twinned: bool

    def temporaries(self) -> list[str]:
        return [t for t in (self.twin_tmp, self.tmp) if t is not None]


def stage_document(out_dir: Path, rel: str, data: bytes, twins: bool = True) -> Staged:
    """Stage a document and, when it changed or lacks one, its ``.gz`` twin."""
    target = out_dir / rel
    twinned = twins and _twinned(rel)
    same = _same_bytes(target, data)
    twin_tmp = tmp = None
    try:
        if twinned and (not same or not (out_dir / (rel + GZ)).is_file()):
            twin_tmp = stage_file(out_dir / (rel + GZ), gzip_twin(data))
        if not same:
            tmp = stage_file(target, data)
    except OSError as exc:
        if twin_tmp:
            Path(twin_tmp).unlink(missing_ok=True)
        raise BuildError(f"{exc.filename or target}: cannot write ({exc.strerror or exc}); "
                         "nothing was replaced, the previous tree is unchanged") from exc
    except BaseException:
        if twin_tmp:
            Path(twin_tmp).unlink(missing_ok=True)
        raise
    return Staged(rel, tmp, twin_tmp, twinned)


def discard(staged: Iterable[Staged]) -> None:
    """Remove the temporary files of documents that will not be committed."""
    for doc in staged:
        for tmp in doc.temporaries():
            Path(tmp).unlink(missing_ok=True)


def commit_tree(staged: list[Staged], out_dir: Path, report: BuildReport, keep: set[str], *,
                listed: set[str] | None = None, sweep: bool = True) -> None:
    """Rename the staged documents into place, then drop files of the previous build not in ``keep``
    (the files of the new tree, ``.gz`` twins included: see :func:`with_twins`). ``listed``
    is the previous tree's manifest when the caller has read it already.

    The manifest lists every new path before the first rename, so a killed
    build leaves no file the next one would not know to clean up. A twin is
    renamed just before its original: a build killed in between leaves an
    original that differs from the new one, so the next build rewrites both.
    """
    started = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    if listed is None:
        listed = tree_files(out_dir)
    if not keep <= listed:
        write_atomic(out_dir / MANIFEST, "".join(f"{p}\n" for p in sorted(listed | keep)).encode())
    for at, doc in enumerate(staged):
        try:
            if doc.twin_tmp:
                commit_file(doc.twin_tmp, out_dir / (doc.rel + GZ))
                report.written.append(doc.rel + GZ)
            elif doc.twinned:
                report.unchanged.append(doc.rel + GZ)
            if doc.tmp:
                commit_file(doc.tmp, out_dir / doc.rel)
                report.written.append(doc.rel)
            else:
                report.unchanged.append(doc.rel)
        except BaseException as exc:
            discard(staged[at:])
            if isinstance(exc, OSError):
                raise BuildError(f"{out_dir / doc.rel}: cannot replace ({exc.strerror or exc}); the files "
                                 "before it are new, the rest keep the previous build") from exc
            raise
    _remove_stale(out_dir, listed, keep, report)
    if keep != listed:
        write_atomic(out_dir / MANIFEST, "".join(f"{p}\n" for p in sorted(keep)).encode())
    if sweep:  # walks the whole tree: only after a build that may have been killed
        _remove_leftover_temps(out_dir, started)


def _remove_leftover_temps(out_dir: Path, before: float) -> None:
    """Temporary files of an earlier build that was killed before it could rename them."""
    for tmp in out_dir.rglob(".*.tmp"):
        try:
            if _OUR_TEMP.match(tmp.name) and tmp.is_file() and tmp.stat().st_mtime < before:
                tmp.unlink()
        except OSError:
            pass


def existing_files(out_dir: Path, untouched: set[str] | None, listed: Iterable[str]) -> set[str]:
    """The files now in the tree at ``out_dir`` (relative paths), listing only the folders
    touched since the last complete build (see :func:`uptodate.untouched_folders`): its
    manifest (``listed``) names the files of the others. Without a record, or when the top
    folder (which holds the manifest) was touched, every folder is listed."""
    if untouched is None or "" not in untouched:
        return _files_under(out_dir)
    found: set[str] = set()
    touched: set[str] = set()
    for rel in listed:
        folder = rel.rpartition("/")[0]
        if folder in untouched:
            found.add(rel)
        else:
            touched.add(folder)
    for folder in touched:
        with suppress(OSError), os.scandir(out_dir / folder) as entries:
            found.update(f"{folder}/{entry.name}" for entry in entries if entry.is_file())
    return found


def _files_under(root: Path) -> set[str]:
    """Relative paths (with "/") of the regular files below ``root``; symlinked folders are not entered."""
    found: set[str] = set()
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((f"{prefix}{entry.name}/", entry.path))
                    elif entry.is_file():
                        found.add(prefix + entry.name)
        except OSError:
            continue
    return found


RENDER_PARALLEL_MIN = 300  # documents; fewer render faster here than in freshly forked workers
# Rough relative cost of rendering one document of each kind, to give workers equal shares.
_RENDER_COST = {"rss": 1.4, "atom": 1.0, "json": 0.5, "html": 0.3}
_RENDER_CHUNK = 32  # documents a worker renders per task (progress advances per task)
_CHUNKS_IN_FLIGHT = 2  # per worker, so it never waits for the next one to be handed over


def render_changed(site: Site, out_dir: Path, previous: dict[str, str], report: BuildReport,
                   *, twins: bool = True, jobs: int = 1, progress: Progress = QUIET,
                   existing: set[str] | None = None) -> tuple[list[Staged], dict[str, str]]:
    """Render the paths whose fingerprint differs from the last build and stage them in ``out_dir``.

    Returns the staged documents (see :func:`commit_tree`) and every known
    fingerprint. ``existing`` names the files now in ``out_dir`` (see
    :func:`existing_files`; by default the folder is listed). With ``jobs`` > 1
    and enough to render, the work is shared by forked worker processes
    (feedgen's date formatting switches the process locale, so threads would
    not be safe). If anything fails, no temporary file is left and nothing
    was replaced.
    """
    todo, keys = _outdated(site, out_dir, previous, report, twins, existing)
    with progress.phase("rendering", len(todo)) as step:
        if jobs > 1 and len(todo) >= RENDER_PARALLEL_MIN and _can_fork():
            staged = _render_in_workers(site, out_dir, todo, jobs, twins, step)
        else:
            staged = _render_here(site, out_dir, todo, twins, step)
    return staged, keys


def _outdated(site: Site, out_dir: Path, previous: dict[str, str], report: BuildReport,
              twins: bool, existing: set[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """The paths to render (fingerprint changed, unknown, or file missing) and every known
    fingerprint, with the feed states to record (see :func:`_unchanged_feeds`)."""
    todo: list[str] = []
    keys: dict[str, str] = {}
    if existing is None:
        existing = _files_under(out_dir) if previous else set()
    recorded, states = _unchanged_feeds(site, previous)
    keys.update(states)
    unchanged = report.unchanged
    for path in site.paths():  # 30,000 at 10k articles with everything on: kept lean
        old = previous.get(path)
        key = old if old is not None and path in recorded else site.fingerprint(path)
        if key is not None:
            keys[path] = key
            if old == key and path in existing:
                if not (twins and path.endswith(TWINNED)):
                    unchanged.append(path)
                    continue
                if (twin := path + GZ) in existing:
                    unchanged += (path, twin)
                    continue
        todo.append(path)
    return todo, keys


STATE = "\0state"  # a feed's path + STATE: the record of its state among the fingerprints


def _unchanged_feeds(site: Site, previous: dict[str, str]) -> tuple[set[str], dict[str, str]]:
    """The documents of feeds in the state the last build recorded (their recorded fingerprints
    stand), and every feed's state record to keep: its :meth:`Site.feed_state` and archive keys.

    An unchanged feed's archives are listed from its record, not planned; a
    document of it without a recorded fingerprint is fingerprinted as usual.
    """
    recorded: set[str] = set()
    states: dict[str, str] = {}
    for feed in site.catalog.feeds.values():
        state = site.feed_state(feed)
        if state is None:
            continue
        record = previous.get(feed.path + STATE, "")
        digest, _, archive_keys = record.partition(" ")
        if digest == state:
            known = tuple(archive_keys.split())
            site.assume_archive_keys(feed, known)
            recorded.update(site.documents(feed, known))
            states[feed.path + STATE] = record
        else:
            states[feed.path + STATE] = " ".join((state, *site.archive_keys(feed)))
    return recorded, states


def _render_one(site: Site, path: str) -> bytes:
    try:
        resource = site.get(path)
    except Exception as exc:
        raise BuildError(f"rendering {path} failed ({type(exc).__name__}: {exc}); "
                         "nothing was written, the previous tree is unchanged") from exc
    assert resource is not None, path
    return resource.body


def _render_here(site: Site, out_dir: Path, todo: list[str], twins: bool,
                 step: Callable[[int], None]) -> list[Staged]:
    """Render in this process; threads compress and stage meanwhile (zlib and I/O release the GIL)."""
    pending: deque[Future[Staged]] = deque()
    staged: list[Staged] = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="stage") as pool:
        try:
            for path in todo:
                pending.append(pool.submit(stage_document, out_dir, path, _render_one(site, path), twins))
                step(1)
                if len(pending) > _STAGE_AHEAD:  # bounds the rendered documents held in memory
                    staged.append(pending.popleft().result())
            while pending:
                staged.append(pending.popleft().result())
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            discard(staged + [f.result() for f in pending if f.done() and not f.cancelled() and not f.exception()])
            raise
    return staged


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def worker_shares(todo: list[str], jobs: int) -> list[list[str]]:
    """Split the documents among ``jobs`` workers, one format per worker where possible.

    An entry is rendered once per format and process and then reused by every
    feed and archive holding it, so keeping a format in one process renders
    each entry once; formats are split by feed only when there are more
    workers than formats.
    """
    lanes: dict[str, list[str]] = {}
    for path in todo:
        lanes.setdefault(path.rpartition(".")[2], []).append(path)
    pieces = sorted(lanes.items(), key=lambda kv: -_cost(kv))
    while len(pieces) < jobs and len(pieces[0][1]) > 1:
        kind, paths = pieces.pop(0)
        half = len(paths) // 2
        pieces += [(kind, paths[:half]), (kind, paths[half:])]
        pieces.sort(key=lambda kv: -_cost(kv))
    shares: list[list[str]] = [[] for _ in range(min(jobs, len(pieces)))]
    loads = [0.0] * len(shares)
    for piece in pieces:  # biggest first, each to the least loaded worker
        least = loads.index(min(loads))
        shares[least] += piece[1]
        loads[least] += _cost(piece)
    return shares


def _cost(piece: tuple[str, list[str]]) -> float:
    return _RENDER_COST.get(piece[0], 0.1) * len(piece[1])


_forked_site: Site | None = None  # what forked render workers inherit


def _render_chunk(out_dir: Path, paths: list[str], twins: bool) -> list[Staged]:
    assert _forked_site is not None
    staged: list[Staged] = []
    try:
        for path in paths:
            staged.append(stage_document(out_dir, path, _render_one(_forked_site, path), twins))
    except BaseException:
        discard(staged)
        raise
    return staged


def _render_worker(conn: Connection, out_dir: Path, twins: bool) -> None:
    """A forked render worker: renders and stages the chunks it is sent until it gets None.

    Answers ``("done", staged)`` per chunk, or ``("failed", message)`` once and stops.
    """
    try:
        while (chunk := conn.recv()) is not None:
            try:
                conn.send(("done", _render_chunk(out_dir, chunk, twins)))
            except Exception as exc:  # a BuildError naming the document, or a failure to stage
                conn.send(("failed", str(exc) if isinstance(exc, BuildError)
                           else f"a render worker failed ({type(exc).__name__}: {exc})"))
                return
    except (EOFError, KeyboardInterrupt):  # the build stopped: nothing left to report to
        return


def _render_in_workers(site: Site, out_dir: Path, todo: list[str], jobs: int, twins: bool,
                       step: Callable[[int], None]) -> list[Staged]:
    """Render and stage in forked processes, each starting on its share (see :func:`worker_shares`).

    A worker that finishes its share takes chunks from the end of the longest
    other one, so no worker idles while another has a queue: the shares are
    planned from rough per-format costs and were off by a third (15 s and 22 s
    of CPU at 10k articles with archives).

    Every worker is forked before chunks are handed out, from a process running
    no other thread (a fork copies locks other threads may hold), and talks to
    this one over a pipe of its own.
    """
    import multiprocessing
    from multiprocessing.connection import wait as wait_for

    global _forked_site
    context = multiprocessing.get_context("fork")
    queues = [deque(share[at:at + _RENDER_CHUNK] for at in range(0, len(share), _RENDER_CHUNK))
              for share in worker_shares(todo, jobs)]
    workers: list[tuple[BaseProcess, Connection]] = []
    in_flight = [0] * len(queues)
    by_path: dict[str, Staged] = {}
    _forked_site = site
    try:
        for _ in queues:
            ours, theirs = context.Pipe()
            process = context.Process(target=_render_worker, args=(theirs, out_dir, twins), daemon=True)
            process.start()
            theirs.close()
            workers.append((process, ours))
    finally:
        _forked_site = None

    def next_chunk(index: int) -> list[str] | None:
        if queues[index]:
            return queues[index].popleft()
        donor = max(queues, key=len)
        return donor.pop() if donor else None

    def submit(index: int) -> None:
        chunk = next_chunk(index)
        if chunk is not None:
            workers[index][1].send(chunk)
            in_flight[index] += 1

    def receive(index: int) -> list[Staged]:
        process, conn = workers[index]
        try:
            kind, payload = conn.recv()
        except EOFError:
            in_flight[index] = 0
            process.join()
            raise BuildError(f"a render worker stopped unexpectedly (exit code {process.exitcode}); "
                             "nothing was written, the previous tree is unchanged") from None
        in_flight[index] -= 1
        if kind == "failed":
            in_flight[index] = 0
            raise BuildError(payload)
        by_path.update((doc.rel, doc) for doc in payload)
        return payload

    try:
        for index in range(len(workers)):
            for _ in range(_CHUNKS_IN_FLIGHT):
                submit(index)
        while any(in_flight):
            pipes = {workers[i][1]: i for i, n in enumerate(in_flight) if n}
            for conn in wait_for(list(pipes)):
                index = pipes[conn]
                step(len(receive(index)))
                submit(index)
    except BaseException:
        for index in range(len(workers)):  # what the others were doing is staged too
            while in_flight[index]:
                try:
                    receive(index)
                except BuildError:
                    break
        discard(by_path.values())
        raise
    finally:
        for process, conn in workers:
            try:
                conn.send(None)
            except OSError:
                pass
            conn.close()
        for process, _ in workers:
            process.join()
    return [by_path[path] for path in todo]


def build(config: Config, seeds_dir: Path | None = None, out_dir: Path | None = None, *,
          jobs: int | None = None, use_cache: bool = True, progress: Progress = QUIET) -> BuildReport:
    """Parse (re-using the cache), render what changed, write atomically, drop stale files."""
    started = time.perf_counter()
    jobs = jobs or default_jobs()
    out = out_dir or config.out_dir
    folder = seeds_dir or config.seeds_dir
    listing = _listing(config, folder)
    signature = uptodate.signature(config, folder, listing) if listing and use_cache else None
    if signature is not None:
        last = uptodate.current(config, out, signature)
        if last is not None:
            report = _current_report(last, out)
            if config.websub_hub:
                report.pings = 0
            report.seconds = time.perf_counter() - started
            return report
    # The tree is about to change: no earlier record may vouch for it. A record means the
    # last build here completed, so it left no temporary files to sweep up.
    untouched = uptodate.untouched_folders(config, out)
    completed = uptodate.forget(config, out)
    notices: list[str] = []
    store = open_store(config, notices) if use_cache else None
    if not use_cache:
        _forget_outputs(config, out)
    try:
        with _collector_paused():
            site = load_site(config, seeds_dir, store=store, jobs=jobs, progress=progress, listing=listing)
        site.load.notices[:0] = notices
        report = BuildReport(out, site.load, feeds=len(site.catalog.feeds))
        report.timings["read"] = time.perf_counter() - started
        scope = f"{out.resolve()}\0"
        previous = {k.removeprefix(scope): v for k, v in store.output_digests().items()
                    if k.startswith(scope)} if store else {}
        listed = tree_files(out)
        existing = existing_files(out, untouched, listed) if previous else set()
        mark = time.perf_counter()
        staged, keys = render_changed(site, out, previous, report, twins=config.gzip, jobs=jobs,
                                      progress=progress, existing=existing)
        report.timings["render"] = time.perf_counter() - mark
        mark = time.perf_counter()
        try:
            if store and staged:
                # Forget the digests of the files about to be replaced first: if this build is
                # killed part-way, the next one must not trust them for files it never wrote.
                store.update_output_digests({}, [scope + doc.rel for doc in staged if doc.rel in previous])
        except BaseException:
            discard(staged)
            raise
        tree = with_twins(site.paths(), config.gzip)
        commit_tree(staged, out, report, keep=tree, listed=listed, sweep=not completed)
        if store:
            rendered = {doc.rel for doc in staged}
            store.update_output_digests({scope + k: v for k, v in keys.items()
                                         if previous.get(k) != v or k in rendered},
                                        [scope + k for k in previous.keys() - keys.keys()])
        report.timings["write"] = time.perf_counter() - mark
        if signature is not None:
            uptodate.remember(config, out, signature, build_summary(site), tree)
    finally:
        if store:
            store.close()
        # What the load froze (see _collector_paused; feedsmith freezes nothing else) is collected
        # as usual again: a process may run many builds (the tests do).
        gc.unfreeze()
    if config.websub_hub:
        notify_hub(site, report)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Load without the cyclic garbage collector, then freeze what the load made.

    A load makes a stub, a cache entry and their tuples for every article and
    (parsing included) next to no reference cycles, while each young-generation
    pass of the collector walked all the objects made so far: 35 ms of a
    one-file rebuild at 10,000 articles, 98 ms at 100,000. Frozen, the loaded
    site is never walked again in this build. Parse workers forked meanwhile
    turn the collector back on (``load._init_worker``).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _forget_outputs(config: Config, out: Path) -> None:
    """A build that bypasses the cache rewrites files the cache has fingerprints for:
    drop those, or the next cached build would trust them and keep what this one wrote."""
    store = open_store(config)
    if store is not None:
        try:
            store.forget_outputs(f"{out.resolve()}\0")
        finally:
            store.close()


def _listing(config: Config, seeds_dir: Path) -> Listing | None:
    if not seeds_dir.is_dir():
        return None
    try:
        return article_files(seeds_dir, config.follow_symlinks)
    except (FeedsmithError, OSError):  # load_site lists again and reports what is wrong
        return None


def build_summary(site: Site) -> uptodate.LastBuild:
    """What a build of ``site`` reports and records: counts, skipped files, warnings."""
    load = site.load
    return uptodate.LastBuild(
        articles=len(load.articles), feeds=len(site.catalog.feeds),
        problems=[(str(p.path), p.reason) for p in load.problems],
        warnings=[f"{a.source_path}: {w}" for a in load.articles for w in a.warnings],
    )


def reported_load(last: uptodate.LastBuild) -> LoadResult:
    """The skipped files and warnings of a recorded build, as its load reported them."""
    return LoadResult(problems=[ParseError(Path(path), reason) for path, reason in last.problems],
                      repeated=last.warnings)


def _current_report(last: uptodate.LastBuild, out: Path) -> BuildReport:
    load = reported_load(last)
    # The tree's paths are in its manifest: the record's folder times vouch that it is intact.
    return BuildReport(out, load, feeds=last.feeds, unchanged=tree_paths(out), current=True,
                       articles=last.articles)


def notify_hub(site: Site, report: BuildReport) -> None:
    """Tell the WebSub hub about the feeds whose current document was just rewritten.

    Archives, pages and unchanged feeds are never announced; a hub that cannot
    be reached or refuses becomes warnings in the report, never a failed build.
    """
    from . import websub

    config = site.config
    assert config.websub_hub
    feeds = set(site.feed_paths())
    changed = [rel for rel in report.written if rel in feeds]
    result = websub.publish(config.websub_hub, [websub.topic_url(config, rel) for rel in changed])
    report.pings = len(result.pinged)
    report.ping_failures = len(result.failed)
    report.warnings += result.warnings()
