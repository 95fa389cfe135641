"""Is the last build still current? Answered from file sizes and times, reading no article.

A rebuild with nothing to do is the common case (a cron job, a deploy hook,
an editor saving a file that is then reverted), so it must cost a directory
walk, not a parse. After every complete build a small record is kept in the
state folder: a signature of everything the output depends on, and the
modification times of the output folders. The next build is skipped when

* the signature is the same: feedsmith's own code, the configuration (all but the
  live server's own settings, see ``Config.output_settings``),
  and the path, size and modification time of every article file (with the
  listing problems, e.g. a symbolic link not followed), and
* no output folder was touched since: adding, deleting or renaming a file
  changes its folder's modification time, so a deleted feed is rebuilt.

Anything unexpected (no record, an unreadable one, a folder that cannot be
listed) means "not current", and the full build decides what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import suppress
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .config import Config
from .load import Listing

RECORD_VERSION = 2


@dataclass
class LastBuild:
    """What a skipped build reports: the figures of the build it found current."""

    articles: int
    feeds: int
    problems: list[tuple[str, str]]  # (path, reason) of files that were skipped
    warnings: list[str] = field(default_factory=list)  # per-article warnings, as printed


def record_path(config: Config, out_dir: Path) -> Path:
    scope = hashlib.sha256(os.fsencode(out_dir.resolve())).hexdigest()[:12]
    return config.state_dir / f"last-build-{scope}.json"


@cache
def _code_digest() -> bytes:
    """Every source and static file of the package: a new feedsmith version is never skipped."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix != ".pyc"):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.digest()


def signature(config: Config, seeds_dir: Path, listing: Listing) -> str:
    """Changes whenever anything a build reads may have changed.

    ``listing`` is ``load.article_files(seeds_dir)``: the files the build itself reads.
    """
    digest = hashlib.sha256(_code_digest())
    digest.update(config.output_settings().encode())
    digest.update(f"gzip={config.gzip}\0".encode())
    digest.update(os.fsencode(seeds_dir.resolve()))
    for problem in listing.problems:
        digest.update(f"{problem.path}\0{problem.reason}\n".encode("utf-8", "surrogatepass"))
    digest.update("\n".join([f"{path}\0{stat[0]}\0{stat[1]}" if stat else f"{path}\0gone"
                             for path, stat in listing.stats().items()]).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _folder_times(out_dir: Path, files: Iterable[str]) -> dict[str, int]:
    folders = {""} | {rel.rpartition("/")[0] for rel in files if "/" in rel}
    times = {}
    for folder in folders:
        times[folder] = os.stat(out_dir / folder).st_mtime_ns
    return times


def remember(config: Config, out_dir: Path, sig: str, last: LastBuild, files: Iterable[str]) -> None:
    """Record a complete build (after its last file is in place); ``files`` are the tree's paths."""
    record: dict[str, Any] = {
        "version": RECORD_VERSION,
        "signature": sig,
        "folders": _folder_times(out_dir, files),
        "build": {"articles": last.articles, "feeds": last.feeds,
                  "problems": last.problems, "warnings": last.warnings},
    }
    path = record_path(config, out_dir)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(record, ensure_ascii=False), "utf-8", errors="surrogatepass")
        os.replace(tmp, path)
    except OSError:  # an unusable state folder only costs the shortcut
        with suppress(OSError):
            tmp.unlink(missing_ok=True)


def forget(config: Config, out_dir: Path) -> bool:
    """Drop the record before the output changes, so a killed build is never taken as current.

    True when there was one: the last build into ``out_dir`` then ran to its end.
    """
    try:
        record_path(config, out_dir).unlink()
        return True
    except OSError:
        return False


def _record(config: Config, out_dir: Path) -> dict[str, Any]:
    record = json.loads(record_path(config, out_dir).read_text("utf-8", errors="surrogatepass"))
    if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
        raise ValueError("not a record of this version")
    return record


def untouched_folders(config: Config, out_dir: Path) -> set[str] | None:
    """The output folders (relative, "" for ``out_dir``) in which no file was added, removed
    or renamed since the last complete build: their files are the ones it left. None
    when there is no record of one."""
    try:
        folders = _record(config, out_dir)["folders"]
        untouched = set()
        for folder, mtime_ns in folders.items():
            with suppress(OSError):
                if os.stat(out_dir / folder).st_mtime_ns == mtime_ns:
                    untouched.add(folder)
        return untouched
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def current(config: Config, out_dir: Path, sig: str) -> LastBuild | None:
    """The last build, when it is still current for signature ``sig``; else None."""
    try:
        record = _record(config, out_dir)
        if record.get("signature") != sig:
            return None
        for folder, mtime_ns in record["folders"].items():
            if os.stat(out_dir / folder).st_mtime_ns != mtime_ns:
                return None
        last = record["build"]
        return LastBuild(last["articles"], last["feeds"],
                         [(p, r) for p, r in last["problems"]], list(last["warnings"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
