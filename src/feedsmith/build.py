"""The static build: render the whole tree in memory, then write it atomically.

Two phases, so a failure while rendering leaves the previous tree untouched;
each file is written to a temporary name and renamed into place, so a reader
(or a ``kill -9``) only ever sees a complete old or a complete new file.

Every feed, page and OPML file gets a ``.gz`` twin (gzip level 9, mtime 0:
the same bytes for the same file, and the same bytes the live app sends) for
web servers that serve precompressed files (nginx ``gzip_static``). A twin is
written just before its original and only when the original changed (or the
twin is missing), and is removed with it. Between rendering and writing, the
documents are held as their twins (compressed in threads while the next ones
render), which keeps a tree with archives several times smaller in memory. When a WebSub hub is configured,
it is told about every feed whose current document changed (:mod:`.websub`).
"""

from __future__ import annotations

import gzip
import os
import re
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import websub
from .catalog import build_catalog
from .config import Config
from .errors import ConfigError, FeedsmithError
from .load import LoadResult, load_folder, open_store
from .site import Site
from .store import Store

MANIFEST = ".feedsmith-manifest"
OUR_SUFFIXES = (".rss", ".atom", ".json", ".html", ".opml", ".xsl", ".gz")
_OUR_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # write_atomic's names (mkstemp)
GZ = ".gz"
TWINNED = tuple(s for s in OUR_SUFFIXES if s != GZ)  # files that get a .gz twin
_GZIP_BATCH = 64  # files compressed at once (in threads: zlib runs without the GIL)
_GZIP_AHEAD = 16  # rendered documents waiting for compression at most


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

    def summary(self) -> str:
        hub = ""
        if self.pings is not None:
            hub = f"; {self.pings} hub pings" + (f" ({self.ping_failures} failed)" if self.ping_failures else "")
        return (
            f"{len(self.load.articles)} articles read, {len(self.load.problems)} files skipped, "
            f"{len(self.load.warnings) - len(self.load.problems)} warnings; "
            f"{self.feeds} feeds; {len(self.written)} files written, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} stale removed{hub} "
            f"in {self.seconds:.2f}s -> {self.out_dir}"
        )


def load_site(config: Config, seeds_dir: Path | None = None, *, store: Store | None = None,
              jobs: int | None = None) -> Site:
    folder = seeds_dir or config.seeds_dir
    if not folder.is_dir():
        # Publishing an empty tree over real feeds because of a typo is worse than stopping.
        raise ConfigError(f"seeds folder {folder} does not exist or is not a folder; "
                          "create it, set seeds_dir in the config, or pass --seeds DIR")
    load = load_folder(folder, config, store, jobs)
    return Site(build_catalog(load.articles, config), config, load)


def load_cached_site(config: Config, seeds_dir: Path | None = None) -> Site:
    """Like :func:`load_site`, through the parse cache when the state folder allows one,
    so a server starts from a warm cache instead of parsing every file again."""
    notices: list[str] = []
    store = open_store(config, notices)
    try:
        site = load_site(config, seeds_dir, store=store)
    finally:
        if store:
            store.close()
    site.load.notices[:0] = notices
    return site


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename over the target.

    The rename is atomic, so a killed build leaves either the old or the new
    file. There is no fsync per file: it made builds of thousands of files
    several times slower and only matters for power loss, not crashes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _previous_files(out_dir: Path) -> set[str]:
    manifest = out_dir / MANIFEST
    try:
        return {line for line in manifest.read_text("utf-8").splitlines() if line}
    except OSError:
        return set()


def _remove_stale(out_dir: Path, keep: set[str], report: BuildReport) -> None:
    for rel in sorted(_previous_files(out_dir) - keep):
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


def gzip_twin(data: bytes) -> bytes:
    """A file's ``.gz`` twin: deterministic (mtime 0, no name), as the live app compresses."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def _twinned(rel: str) -> bool:
    return rel.endswith(TWINNED)


@dataclass(frozen=True, slots=True)
class Packed:
    """A rendered document held as its ``.gz`` twin until it is written.

    The twin is needed anyway, and a whole tree (with archives, every article
    once per feed per format) is several times smaller this way between
    rendering and writing.
    """

    gz: bytes
    size: int  # of the document itself

    def data(self) -> bytes:
        return gzip.decompress(self.gz)


def _pack(data: bytes) -> Packed:
    return Packed(gzip_twin(data), len(data))


Document = bytes | Packed


def with_twins(paths: Iterable[str]) -> set[str]:
    """The paths and the ``.gz`` twins they get."""
    paths = set(paths)
    return paths | {p + GZ for p in paths if _twinned(p)}


def _write(out_dir: Path, rel: str, data: bytes, report: BuildReport) -> None:
    target = out_dir / rel
    if _same_bytes(target, data):
        report.unchanged.append(rel)
        return
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise BuildError(f"{target}: cannot write ({exc.strerror or exc}); the files written "
                         "before it are complete, the rest keep the previous build") from exc
    report.written.append(rel)


def write_tree(tree: Mapping[str, Document], out_dir: Path, report: BuildReport,
               keep: set[str] | None = None, *, twins: bool = True) -> None:
    """Write changed files (and their ``.gz`` twins), then drop files of the previous build not in ``keep``."""
    started = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    keep = set(tree) if keep is None else keep
    if twins:
        keep = with_twins(keep)
    listed = _previous_files(out_dir)
    if not keep <= listed:  # list new paths first, so a killed build leaves no untracked files
        write_atomic(out_dir / MANIFEST, "".join(f"{p}\n" for p in sorted(listed | keep)).encode())
    items = list(tree.items())
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="gzip") as pool:
        for at in range(0, len(items), _GZIP_BATCH):
            packed = {rel: doc for rel, doc in items[at:at + _GZIP_BATCH] if isinstance(doc, Packed)}
            batch = [(rel, doc.data() if isinstance(doc, Packed) else doc) for rel, doc in items[at:at + _GZIP_BATCH]]
            changed = {rel for rel, data in batch if not _same_bytes(out_dir / rel, data)}
            # A twin follows its original: rewritten only when the original changes (or is missing).
            stale = [(rel, data) for rel, data in batch if twins and _twinned(rel)
                     and (rel in changed or not (out_dir / (rel + GZ)).is_file())]
            compressed = {rel: packed[rel].gz for rel, _ in stale if rel in packed}
            todo = [(rel, data) for rel, data in stale if rel not in packed]
            compressed.update(zip((rel for rel, _ in todo), pool.map(gzip_twin, (d for _, d in todo))))
            for rel, data in batch:
                # The twin goes first: a build killed in between leaves an original that
                # differs from the new one, so the next build rewrites both.
                if rel in compressed:
                    _write(out_dir, rel + GZ, compressed[rel], report)
                elif twins and _twinned(rel):
                    report.unchanged.append(rel + GZ)
                if rel in changed:
                    _write(out_dir, rel, data, report)
                else:
                    report.unchanged.append(rel)
    _remove_stale(out_dir, keep, report)
    write_atomic(out_dir / MANIFEST, "".join(f"{p}\n" for p in sorted(keep)).encode())
    _remove_leftover_temps(out_dir, started)


def _remove_leftover_temps(out_dir: Path, before: float) -> None:
    """Temporary files of an earlier build that was killed before it could rename them."""
    for tmp in out_dir.rglob(".*.tmp"):
        try:
            if _OUR_TEMP.match(tmp.name) and tmp.is_file() and tmp.stat().st_mtime < before:
                tmp.unlink()
        except OSError:
            pass


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


def render_changed(site: Site, out_dir: Path, previous: dict[str, str], report: BuildReport,
                   *, twins: bool = True) -> tuple[dict[str, Document], dict[str, str]]:
    """Render only paths whose fingerprint differs from the last build into ``out_dir``.

    Documents that get a ``.gz`` twin are compressed right away, in threads
    while the next ones render, and held compressed (:class:`Packed`).
    """
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="gzip") as pool:
        try:
            rendered, keys = _render_changed(site, out_dir, previous, report, pool if twins else None)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        tree = {rel: doc.result() if isinstance(doc, Future) else doc for rel, doc in rendered.items()}
    return tree, keys


def _render_changed(site: Site, out_dir: Path, previous: dict[str, str], report: BuildReport,
                    pool: ThreadPoolExecutor | None) -> tuple[dict[str, Document | Future[Packed]], dict[str, str]]:
    twins = pool is not None
    tree: dict[str, Document | Future[Packed]] = {}
    ahead: deque[Future[Packed]] = deque()
    keys: dict[str, str] = {}
    existing = _files_under(out_dir) if previous else set()  # one directory walk, not a stat per file
    for path in site.paths():
        key = site.fingerprint(path)
        if key is not None:
            keys[path] = key
            twin = path + GZ if twins and _twinned(path) else None
            if (previous.get(path) == key and path in existing
                    and (twin is None or twin in existing)):
                report.unchanged.append(path)
                if twin is not None:
                    report.unchanged.append(twin)
                continue
        try:
            resource = site.get(path)
        except Exception as exc:
            raise BuildError(f"rendering {path} failed ({type(exc).__name__}: {exc}); "
                             "nothing was written, the previous tree is unchanged") from exc
        assert resource is not None, path
        if pool is not None and _twinned(path):
            tree[path] = job = pool.submit(_pack, resource.body)
            ahead.append(job)
            if len(ahead) > _GZIP_AHEAD:  # bounds the uncompressed documents in memory
                ahead.popleft().result()
        else:
            tree[path] = resource.body
    return tree, keys


def build(config: Config, seeds_dir: Path | None = None, out_dir: Path | None = None, *,
          jobs: int | None = None, use_cache: bool = True) -> BuildReport:
    """Parse (re-using the cache), render what changed, write atomically, drop stale files."""
    started = time.perf_counter()
    out = out_dir or config.out_dir
    notices: list[str] = []
    store = open_store(config, notices) if use_cache else None
    try:
        site = load_site(config, seeds_dir, store=store, jobs=jobs)
        site.load.notices[:0] = notices
        report = BuildReport(out, site.load, feeds=len(site.catalog.feeds))
        scope = f"{out.resolve()}\0"
        previous = {k.removeprefix(scope): v for k, v in store.output_digests().items()
                    if k.startswith(scope)} if store else {}
        tree, keys = render_changed(site, out, previous, report)
        if store and tree:
            # Forget the digests of the files about to be replaced first: if this build is
            # killed part-way, the next one must not trust them for files it never wrote.
            store.save_output_digests({scope + k: v for k, v in keys.items()
                                       if k not in tree and previous.get(k) == v})
        write_tree(tree, out, report, keep=set(site.paths()))
        if store:
            store.save_output_digests({scope + k: v for k, v in keys.items()})
    finally:
        if store:
            store.close()
    if config.websub_hub:
        notify_hub(site, report)
    report.seconds = time.perf_counter() - started
    return report


def notify_hub(site: Site, report: BuildReport) -> None:
    """Tell the WebSub hub about the feeds whose current document was just rewritten.

    Archives, pages and unchanged feeds are never announced; a hub that cannot
    be reached or refuses becomes warnings in the report, never a failed build.
    """
    config = site.config
    assert config.websub_hub
    feeds = set(site.feed_paths())
    changed = [rel for rel in report.written if rel in feeds]
    result = websub.publish(config.websub_hub, [websub.topic_url(config, rel) for rel in changed])
    report.pings = len(result.pinged)
    report.ping_failures = len(result.failed)
    report.warnings += result.warnings()
