"""The parse cache and article index, one SQLite file under ``state_dir``.

For each source file it keeps size, mtime, content hash and the parsed article
(or the reason it could not be used), so a build or a server start re-parses
only files that changed. It also keeps each article's *first-seen* time, which
dates undated articles, so those dates stay put across rebuilds and across
machines that share the state folder.

The cache is an optimisation, never a source of truth: a corrupt file, another
schema version or another parser version is discarded with a warning and
rebuilt from the seeds.
"""

from __future__ import annotations

import logging
import os
import pickle
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from .model import Article, ArticleStub, Provider, restore

log = logging.getLogger(__name__)

SCHEMA = 7
DB_NAME = "cache.sqlite3"


class Entry(NamedTuple):
    """What the cache knows about one source file (a named tuple: a warm start makes one per file)."""

    size: int
    mtime_ns: int
    sha256: str
    article: Article | None
    error: str | None
    # The full article and its stub already pickled (by a parse worker, which then sends
    # just the stub as ``article``): saved as they are, never unpickled here.
    encoded: tuple[bytes, bytes] | None = None
    # model.line_weight(model.source_line(sha256, article)), taken where the file was parsed:
    # a warm start then adds up feed states without hashing every article again.
    weight: int | None = None


def _pickled(article: Article | None) -> bytes | None:
    return pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL) if article is not None else None


def encode(article: Article) -> tuple[bytes, bytes]:
    """The ``article`` and ``head`` columns for a freshly parsed article."""
    head = pickle.dumps(_head_record(article), protocol=pickle.HIGHEST_PROTOCOL)
    return _pickled(article), head  # type: ignore[return-value]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _head_record(article: Article) -> tuple[Any, ...]:
    """The article's stub (see :func:`model.stub_of`) as a tuple of plain values: loading
    100,000 of them is much faster than loading pickled objects (no class lookups, no time
    zone objects). Made from the article itself: making its stub first took a parse
    worker 9 us more per article (39 against 30 us)."""
    provider = article.provider
    return (article.id, article.title, article.link, _iso(article.published), _iso(article.observed),
            article.source_path, _iso(article.updated), article.summary, article.author,
            provider.name if provider else None, provider.domain if provider else None, article.topics,
            article.category, article.type, article.quality, article.language, article.warnings,
            article.format, article.richness(), article.text_size())


def stub_from(head: bytes) -> ArticleStub:
    """The stub a ``head`` column holds (dates come back with fixed UTC offsets: the same instants).

    Values many stubs repeat (providers, topics, category, type, language, format, a link
    equal to the id) are shared between them rather than copied into each: a fifth of
    the stubs' memory, which render workers would otherwise copy each for themselves.
    """
    (id_, title, link, published, observed, source_path, updated, summary, author, provider_name,
     provider_domain, topics, category, type_, quality, language, warnings, format_, richness,
     text_size) = pickle.loads(head)
    when = datetime.fromisoformat
    shared = _shared
    category, type_, language, format_ = shared((category, type_, language, format_))
    provider = shared((Provider, provider_name, provider_domain), _provider) if provider_name is not None else None
    return restore(
        ArticleStub, id_, title, id_ if link == id_ else link, when(published) if published else None, when(observed),
        source_path, when(updated) if updated else None, summary, None, None, author, provider,
        shared(topics) if topics else (), category, type_, quality, (), (), language, warnings, (), (), (),
        format_, richness, text_size)


def _provider(key: tuple[Any, str, str | None]) -> Provider:
    return Provider(key[1], key[2])


_SHARED_LIMIT = 50_000  # distinct values kept for sharing; past it, the memo starts over
_shared_values: dict[Any, Any] = {}


def _shared(value: Any, make: Callable[[Any], Any] | None = None) -> Any:
    """One object for equal small immutable values (strings, tuples of them), or with ``make``
    one object made from ``value`` for all equal values (a provider from its name and domain)."""
    if value is None:
        return None
    found = _shared_values.get(value)
    if found is None:
        if len(_shared_values) >= _SHARED_LIMIT:
            _shared_values.clear()
        found = _shared_values[value] = value if make is None else make(value)
    return found


def _rows(path: str, entry: Entry) -> tuple[tuple[Any, ...], bytes | None]:
    """The ``files`` row for an entry, in column order, and its pickled article (None: none)."""
    if entry.encoded is not None:
        article, head = entry.encoded
    elif entry.article is not None:
        article, head = encode(entry.article)
    else:
        article = head = None
    return (path, entry.size, entry.mtime_ns, entry.sha256, entry.error, head, entry.weight), article


class Bodies:
    """Full articles for stubs, read from the cache file on demand.

    Holds its own read-only connection, opened again in a forked process
    (a SQLite connection must not cross a fork) and shared by threads under a
    lock. A row is used only when its content hash is the one the stub came
    from; anything else is reported missing and the caller parses the file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                                       check_same_thread=False)
            self._pid = os.getpid()
        return self._db

    def fetch(self, wanted: dict[str, str]) -> dict[str, Article]:
        """``{path: sha256}`` -> the full articles found for exactly those contents."""
        found: dict[str, Article] = {}
        paths = list(wanted)
        try:
            with self._lock:
                db = self._connection()
                for start in range(0, len(paths), 500):
                    chunk = paths[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    query = ("SELECT files.path, sha256, article FROM files JOIN articles USING (path) "
                             f"WHERE files.path IN ({marks})")
                    for path, sha, blob in db.execute(query, chunk):
                        if blob is not None and sha == wanted[path]:
                            found[path] = pickle.loads(blob)
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as exc:
            log.warning("%s: cannot read cached articles (%s); parsing the files again", self.path, exc)
        return found


class Store:
    """A thin wrapper over the SQLite file; every method is one short transaction."""

    def __init__(self, state_dir: Path, fingerprint: str) -> None:
        self.path = state_dir / DB_NAME
        self.fingerprint = fingerprint
        self.warnings: list[str] = []
        state_dir.mkdir(parents=True, exist_ok=True)
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = self._connect()
            seen: list[tuple[str, str]] = []
            if self._stale(db):
                # Parses and fingerprints are not trusted from another version or configuration;
                # first-seen times are facts about the files (and what dates undated articles).
                seen = self._seen_rows(db)
                db.close()
                self._discard("made by another feedsmith version or configuration"
                              + (" (first-seen dates kept)" if seen else ""))
                db = self._connect()
            self._create(db)
            if seen:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", seen)
                db.execute("COMMIT")
            return db
        except sqlite3.DatabaseError as exc:
            self._discard(f"unreadable ({exc})")
            db = self._connect()
            self._create(db)
            return db

    @staticmethod
    def _seen_rows(db: sqlite3.Connection) -> list[tuple[str, str]]:
        try:
            return db.execute("SELECT id, first_seen FROM seen").fetchall()
        except sqlite3.DatabaseError:  # no such table, or one that cannot be read: nothing to keep
            return []

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _stale(self, db: sqlite3.Connection) -> bool:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        # The small tables' structure is checked here; ``files`` is checked by reading it, which
        # a load does anyway (:meth:`entries`), and ``articles`` row by row as articles are read
        # in full (:class:`Bodies`; a row that cannot be read is parsed again): checking them too
        # would read every cached article, 0.4 s at 100,000 articles, on every build and start.
        for table in sorted(tables & {"meta", "seen", "outputs"}):
            if db.execute(f"PRAGMA quick_check({table})").fetchall() != [("ok",)]:
                raise sqlite3.DatabaseError(f"the {table} table is damaged")
        if "meta" not in tables:
            return bool(tables)
        row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        return row is None or row[0] != self._version()

    def _version(self) -> str:
        return f"{SCHEMA}:{self.fingerprint}"

    def _start_over(self, why: str) -> None:
        """Replace the open cache file with an empty one (after finding it damaged)."""
        self.db.close()
        self._discard(why)
        self.db = self._connect()
        self._create(self.db)

    def _discard(self, why: str) -> None:
        self.warnings.append(f"{self.path}: parse cache {why}; rebuilt from the seeds")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _create(self, db: sqlite3.Connection) -> None:
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS files (
                path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                sha256 TEXT NOT NULL, error TEXT, head BLOB, weight INTEGER);
            CREATE TABLE IF NOT EXISTS articles (path TEXT PRIMARY KEY, article BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY, first_seen TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, digest TEXT NOT NULL);
            """
        )
        db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (self._version(),))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def entries(self) -> dict[str, Entry]:
        """Every file's entry, its article as an :class:`ArticleStub` (full ones: :class:`Bodies`)."""
        entries: dict[str, Entry] = {}
        try:
            query = "SELECT path, size, mtime_ns, sha256, head, error, weight FROM files"
            with closing(self.db.execute(query)) as rows:
                for path, size, mtime_ns, sha, blob, error, weight in rows:
                    try:
                        article = stub_from(blob) if blob is not None else None
                    except Exception:  # an unreadable row is simply parsed again
                        continue
                    entries[path] = Entry(size, mtime_ns, sha, article, error, weight=weight)
        except sqlite3.DatabaseError as exc:
            self._start_over(f"damaged ({exc})")
            return {}
        return entries

    def save(self, changed: dict[str, Entry], removed: Iterable[str]) -> None:
        """Full articles go to a table of their own: loading every file's stub then reads
        only the small rows (100,000 stubs: 90 MB of pages instead of 650 MB)."""
        rows = [_rows(path, e) for path, e in changed.items()]
        gone = [(p,) for p in removed]
        with self.transaction() as db:
            db.executemany("DELETE FROM files WHERE path = ?", gone)
            db.executemany("DELETE FROM articles WHERE path = ?", gone)
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", (row for row, _ in rows))
            db.executemany("DELETE FROM articles WHERE path = ?", ((row[0],) for row, article in rows
                                                                  if article is None))
            db.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?)",
                           ((row[0], article) for row, article in rows if article is not None))

    def refresh(self, changed: dict[str, Entry]) -> None:
        """New size and time for files whose content (and so whose parse) did not change."""
        with self.transaction() as db:
            db.executemany("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?",
                           ((e.size, e.mtime_ns, path) for path, e in changed.items()))

    def first_seen(self, ids: dict[str, datetime]) -> dict[str, datetime]:
        """Each id's first-seen time, recording ``ids[id]`` for ids never seen before."""
        known: dict[str, datetime] = {}
        wanted = list(ids)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for key, stamp in self.db.execute(f"SELECT id, first_seen FROM seen WHERE id IN ({marks})", chunk):
                known[key] = datetime.fromisoformat(stamp)
        new = {k: v for k, v in ids.items() if k not in known}
        if new:
            with self.transaction() as db:
                db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)",
                               ((k, v.isoformat()) for k, v in new.items()))
        return {**new, **known}

    def output_digests(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT path, digest FROM outputs"))

    def forget_outputs(self, prefix: str) -> None:
        """Drop the output digests of paths starting with ``prefix`` (one output folder)."""
        with self.transaction() as db:  # compared here: SQLite's text functions stop at the NUL in keys
            paths = [(p,) for (p,) in db.execute("SELECT path FROM outputs") if p.startswith(prefix)]
            db.executemany("DELETE FROM outputs WHERE path = ?", paths)

    def update_output_digests(self, changed: dict[str, str], dropped: Iterable[str] = ()) -> None:
        """Record new fingerprints and forget others, leaving every other row as it is."""
        with self.transaction() as db:
            db.executemany("DELETE FROM outputs WHERE path = ?", ((p,) for p in dropped))
            db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?)", changed.items())
