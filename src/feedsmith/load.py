"""Read a seeds folder into articles: listing, the parse cache, parallel parsing.

One bad file never stops the others: it becomes a :class:`ParseError` in the
result, with its path and the reason.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import operator
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from .config import Config
from .errors import FeedsmithError, ParseError
from .model import Article, ArticleStub, line_weight, source_line
from .progress import QUIET, Progress
from .store import Bodies, Entry, Store, encode, stub_from

PARALLEL_THRESHOLD = 400  # below this, starting worker processes costs more than it saves
READ_ATTEMPTS = 3  # a file that changes while it is read is read again, this many times in all
# Without a store (no usable state folder) the last parse of each folder is kept in memory,
# so a reload re-parses only the files that changed, not every file on every change.
MEMO_FOLDERS = 8
_memo: OrderedDict[str, tuple[str, dict[str, Entry]]] = OrderedDict()
_memo_lock = threading.Lock()


class SeedsUnreadable(FeedsmithError):
    """The seeds folder (or a folder in it) could not be listed.

    Publishing from an incomplete listing would silently drop every article
    in the folders that could not be read, so the build stops (leaving the
    previous tree) and the live app keeps serving its last good feeds.
    """


@dataclass
class LoadResult:
    articles: list[Article] = field(default_factory=list)
    problems: list[ParseError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # about the run itself (cache rebuilt …)
    parsed: int = 0  # files actually parsed (the rest came from the cache)
    digests: dict[str, str] = field(default_factory=dict)  # source path -> content hash
    # Source path -> the article's line weight (see store.Entry.weight), where it is known.
    weights: dict[str, int] = field(default_factory=dict)
    # Article warnings repeated from an earlier read (a skipped build reports the last build's).
    repeated: list[str] = field(default_factory=list)
    bodies: Bodies | None = None  # where the full articles of stubs are read from

    def hydrate(self, articles: Sequence[Article], config: Config) -> list[Article]:
        """The full articles for these (stubs are read from the cache, or parsed again)."""
        stubs = {a.source_path: a for a in articles if isinstance(a, ArticleStub)}
        if not stubs:
            return list(articles)
        wanted = {path: self.digests.get(path, "") for path in stubs}
        found = self.bodies.fetch(wanted) if self.bodies else {}
        for path in stubs.keys() - found.keys():  # the cache moved on (another build): parse again
            article = _read_one(Path(path), config)[1].article
            if article is not None and article.id == stubs[path].id:
                found[path] = article
        full = {path: found[path] if found[path].observed == stub.observed
                else replace(found[path], observed=stub.observed)  # first seen, from the store
                for path, stub in stubs.items() if path in found}
        return [full.get(a.source_path, a) if isinstance(a, ArticleStub) else a for a in articles]

    @property
    def warnings(self) -> list[str]:
        """Every message worth showing a user: problems first, then per-article warnings."""
        out = [*self.notices, *(str(p) for p in self.problems)]
        out += [f"{a.source_path}: {w}" for a in self.articles for w in a.warnings]
        return out + self.repeated


@dataclass
class Listing:
    """The article files of a seeds folder (paths as text) and what could not be listed."""

    files: list[str]
    problems: list[ParseError]
    _stats: dict[str, tuple[int, int] | None] | None = field(default=None, repr=False)

    def stats(self) -> dict[str, tuple[int, int] | None]:
        """Each file's (size, mtime_ns), None if it is gone; taken once and shared by
        the up-to-date check and the cache lookup, which would otherwise each stat every file."""
        if self._stats is None:
            stats: dict[str, tuple[int, int] | None] = {}
            for path in self.files:
                try:
                    stat = os.stat(path)
                    stats[path] = (stat.st_size, stat.st_mtime_ns)
                except OSError:
                    stats[path] = None
            self._stats = stats
        return self._stats


def article_files(seeds_dir: Path, follow_symlinks: bool = False) -> Listing:
    """Every candidate file under ``seeds_dir`` (hidden files and folders skipped), sorted
    folder by folder (a folder's files, then its sub-folders, by name).

    Uses ``os.scandir``, whose entries know whether they are links and folders
    without a ``stat`` per file: listing 100,000 files costs a fraction of a second.
    Raises :class:`SeedsUnreadable` when a folder cannot be listed (a folder
    that vanished while being walked is simply gone).
    """
    problems: list[ParseError] = []
    files: list[str] = []  # not Path objects: making 100,000 of them costs more than the walk
    root = seeds_dir.resolve()
    visited: set[str] = set()

    def walk(folder: str) -> None:
        visited.add(os.path.realpath(folder))
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=_NAME)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR) and folder != os.fspath(seeds_dir):
                return  # a sub-folder deleted or renamed while the tree was walked
            raise SeedsUnreadable(f"{exc.filename or seeds_dir}: cannot list folder ({exc.strerror or exc}); "
                                  "nothing is published from an incomplete listing") from exc
        folders = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if _is_dir(entry):
                if _follow_folder(Path(entry.path), root, follow_symlinks, visited, problems):
                    folders.append(entry.path)
                continue
            if name.endswith("~"):
                continue
            if entry.is_symlink():
                path = Path(entry.path)
                if not follow_symlinks:
                    problems.append(ParseError(path, "symbolic link not followed (set follow_symlinks: true to read it)"))
                    continue
                if not path.resolve().is_relative_to(root):
                    problems.append(ParseError(path, "symbolic link points outside the seeds folder; not read"))
                    continue
            files.append(entry.path)
        for sub in folders:
            walk(sub)

    walk(os.fspath(seeds_dir))
    return Listing(files, problems)


_NAME = operator.attrgetter("name")


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _follow_folder(folder: Path, root: Path, follow_symlinks: bool, visited: set[str],
                   problems: list[ParseError]) -> bool:
    """Whether the walk goes into ``folder``: symlinked folders only when allowed, inside, once."""
    if not folder.is_symlink():
        return True
    if not follow_symlinks:
        problems.append(ParseError(folder, "symbolic link to a folder not followed "
                                           "(set follow_symlinks: true to read it)"))
        return False
    real = os.path.realpath(folder)
    if not Path(real).is_relative_to(root):
        problems.append(ParseError(folder, "symbolic link points outside the seeds folder; not read"))
        return False
    if real in visited:
        problems.append(ParseError(folder, "symbolic link loops back to a folder already read; not read"))
        return False
    return True


def _mtime(stat: os.stat_result) -> datetime:
    return datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc).replace(microsecond=0)


def _read_one(path: Path, config: Config) -> tuple[str, Entry]:
    """Parse one file into a cache entry (article or error). Runs in worker processes too.

    The file's size and time are taken before and after reading it: a file
    rewritten meanwhile is read again, so a half-written file is never parsed
    as if it were complete.
    """
    from .parse import parse_bytes, read_limited  # here: listing files must not load the readers

    for _ in range(READ_ATTEMPTS):
        try:
            stat = path.stat()
        except FileNotFoundError:
            return str(path), Entry(0, 0, "", None, "file disappeared before it was read (deleted or renamed)")
        except OSError as exc:
            return str(path), Entry(0, 0, "", None, f"cannot read file: {exc.strerror or exc}")
        try:
            data = read_limited(path, config)
        except ParseError as exc:
            if isinstance(exc.__cause__, OSError):  # not the content: try again next time
                return str(path), Entry(0, 0, "", None, exc.reason)
            return str(path), Entry(stat.st_size, stat.st_mtime_ns, "", None, exc.reason)
        try:
            after = path.stat()
        except OSError:
            after = None
        if after is not None and len(data) == stat.st_size \
                and (after.st_size, after.st_mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            break
    else:
        return str(path), Entry(0, 0, "", None, "file kept changing while it was read; "
                                                "it is read again on the next run")
    digest = hashlib.sha256(data).hexdigest()
    try:
        article: Article | None = parse_bytes(path, data, config, _mtime(stat))
        error = None
    except ParseError as exc:
        article, error = None, exc.reason
    except Exception as exc:  # a reader bug must cost one file, not the build
        article, error = None, f"internal error while parsing ({type(exc).__name__}: {exc})"
    weight = line_weight(source_line(digest, article)) if article is not None else None
    return str(path), Entry(stat.st_size, stat.st_mtime_ns, digest, article, error, weight=weight)


_worker_config: Config | None = None
_worker_stubs = False


def _init_worker(config: Config, stubs: bool) -> None:
    global _worker_config, _worker_stubs
    _worker_config, _worker_stubs = config, stubs
    gc.enable()  # forked while a build loads with the collector paused (build._collector_paused)


def _read_in_worker(path: str) -> tuple[str, Entry]:
    """With ``stubs`` (a cache to keep full articles in), the worker pickles the article and
    its stub for the cache itself and sends back only those bytes (the parent makes the
    stub from them): the parent neither pickles nor holds full articles, which is most
    of its time and memory on a large corpus."""
    assert _worker_config is not None
    key, entry = _read_one(Path(path), _worker_config)
    if _worker_stubs and entry.article is not None:
        entry = entry._replace(article=None, encoded=encode(entry.article))  # stub made by the parent
    return key, entry


SAVE_BATCH = 500  # parsed files written to the cache at once while parsing goes on


def _parse_all(paths: list[Path], config: Config, jobs: int, progress: Progress,
               store: Store | None = None) -> dict[str, Entry]:
    """Parse ``paths`` (in worker processes when there are enough), saving to ``store``
    in batches as results arrive, so the pickled articles are never all held at once."""
    parsed: dict[str, Entry] = {}
    pending: dict[str, Entry] = {}

    def done(key: str, entry: Entry) -> None:
        if entry.encoded is not None:
            entry = entry._replace(article=stub_from(entry.encoded[1]))
        parsed[key] = pending[key] = entry
        if store is not None and len(pending) >= SAVE_BATCH:
            flush()

    def flush() -> None:
        store.save(pending, ())  # type: ignore[union-attr]
        parsed.update((key, e._replace(encoded=None)) for key, e in pending.items() if e.encoded)
        pending.clear()

    with progress.phase("parsing", len(paths)) as step:
        if jobs <= 1 or len(paths) < PARALLEL_THRESHOLD:
            for path in paths:
                done(*_read_one(path, config))
                step()
        else:
            from concurrent.futures import ProcessPoolExecutor  # here: starts multiprocessing

            stubs = store is not None
            with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(config, stubs)) as pool:
                chunk = max(16, min(256, len(paths) // (jobs * 8)))
                for key, entry in pool.map(_read_in_worker, [str(p) for p in paths], chunksize=chunk):
                    done(key, entry)
                    step()
    if store is not None and pending:
        flush()
    return parsed


def _same_content(path: Path, cached: Entry, config: Config) -> Entry | None:
    """A touched but identical file keeps its parse; only its stat is refreshed."""
    from .parse import read_limited

    try:
        stat = path.stat()
        data = read_limited(path, config)
    except (OSError, ParseError):
        return None
    if cached.sha256 and hashlib.sha256(data).hexdigest() == cached.sha256:
        return cached._replace(size=stat.st_size, mtime_ns=stat.st_mtime_ns)
    return None


def cache_fingerprint(config: Config) -> str:
    """What a cached parse depends on: the reader code and the settings readers use."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for source in sorted([*package.glob("parse/*.py"), package / "model.py", package / "text.py"]):
        digest.update(source.read_bytes())
    registry = [(e.name, e.domain, e.aliases) for e in config.providers.entries]
    digest.update(repr((registry, config.topics, config.timezone, config.undated,
                        config.max_file_bytes)).encode())
    return digest.hexdigest()[:24]


def open_store(config: Config, notices: list[str] | None = None) -> Store | None:
    """The parse cache, or None (with a notice) when the state folder can't hold one."""
    try:
        return Store(config.state_dir, cache_fingerprint(config))
    except (OSError, sqlite3.Error) as exc:
        if notices is not None:
            notices.append(f"{config.state_dir}: parse cache unavailable ({exc}); "
                           "parsing every file")
        return None


def default_jobs() -> int:
    """One worker process per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def load_folder(seeds_dir: Path, config: Config, store: Store | None = None,
                jobs: int | None = None, progress: Progress = QUIET,
                listing: Listing | None = None) -> LoadResult:
    """Parse every article file in a folder, re-parsing only what changed since the last load
    (known from the store, or without one from the last load of this folder in this process).

    Articles from the store are stubs (:class:`ArticleStub`); ``result.hydrate``
    gives the full ones. ``listing`` is :func:`article_files` of the folder when
    the caller has it already.
    """
    result = LoadResult()
    if not seeds_dir.is_dir():
        result.problems.append(ParseError(seeds_dir, "seeds folder does not exist or is not a folder"))
        return result
    listing = listing or article_files(seeds_dir, config.follow_symlinks)
    result.problems = list(listing.problems)
    stats = listing.stats()
    memo_key = str(seeds_dir.resolve())
    fingerprint = "" if store else cache_fingerprint(config)
    if store:
        cached = store.entries()
        result.bodies = Bodies(store.path)
    else:
        with _memo_lock:
            held = _memo.get(memo_key)
        cached = held[1] if held and held[0] == fingerprint else {}
    entries: dict[str, Entry] = {}
    touched: dict[str, Entry] = {}  # same content, new size or time
    to_parse: list[Path] = []
    for key in listing.files:
        old = cached.get(key)
        if old is not None and stats[key] == (old.size, old.mtime_ns):
            entries[key] = old  # type: ignore[assignment]
            continue
        path = Path(key)
        refreshed = _same_content(path, old, config) if old else None
        if refreshed:
            entries[key] = touched[key] = refreshed
        else:
            to_parse.append(path)
    parsed = _parse_all(to_parse, config, jobs or default_jobs(), progress, store)
    entries.update(parsed)
    result.parsed = len(parsed)
    if store:
        store.refresh(touched)
        store.save({}, set(cached) - set(entries))
        result.notices.extend(store.warnings)
    else:
        with _memo_lock:
            _memo[memo_key] = (fingerprint, entries)
            _memo.move_to_end(memo_key)
            while len(_memo) > MEMO_FOLDERS:
                _memo.popitem(last=False)
    articles = [e.article for e in entries.values() if e.article is not None]
    result.digests = {path: e.sha256 for path, e in entries.items() if e.article is not None}
    result.articles = _with_first_seen(articles, store)
    # A weight stands for the article its file was parsed into; an undated one dated by when
    # it was first seen is another object with another line, and is hashed again when needed.
    result.weights = {a.source_path: e.weight for a in result.articles
                      if (e := entries.get(a.source_path)) is not None and e.article is a and e.weight is not None}
    result.problems += [ParseError(path, e.error) for path, e in entries.items() if e.error]
    result.problems.sort(key=lambda p: p.path)
    return result


def _with_first_seen(articles: list[Article], store: Store | None) -> list[Article]:
    """Undated articles are dated by when they were first seen, kept stable by the store."""
    if store is None:
        return articles
    undated = {a.id: a.observed for a in articles if a.published is None}
    if not undated:
        return articles
    seen = store.first_seen(undated)
    return [replace(a, observed=seen[a.id]) if a.published is None and seen.get(a.id) != a.observed else a
            for a in articles]
