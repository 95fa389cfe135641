"""Per-field extraction accuracy and speed over folders of articles with expectations.

Every ``NAME.<ext>`` with a ``NAME.expected.yaml`` beside it is parsed through
the real pipeline (``feedsmith.parse.parse_file``) and compared field by field:
title, provider, author, date (published), body start and no-boilerplate
(``body_excludes``). Only fields the expectation file names are scored. Misses
are listed so a rule can be fixed, and the plain-text extraction speed is
measured on one core.

    .venv/bin/python benchmarks/extraction_accuracy.py [FOLDER ...] [--config config.yaml]

Default folders: tests/data/articles, tests/data/html, tests/data/markdown.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from feedsmith.config import load_config  # noqa: E402
from feedsmith.errors import ParseError  # noqa: E402
from feedsmith.model import Article  # noqa: E402
from feedsmith.parse import ReadContext, decode, plaintext  # noqa: E402

DEFAULT_FOLDERS = [REPO / "tests/data/articles", REPO / "tests/data/html", REPO / "tests/data/markdown"]
FIELDS = ("title", "provider", "author", "date", "body start", "no boilerplate")


def _provider(article: Article) -> dict[str, Any] | None:
    p = article.provider
    return None if p is None else {"name": p.name, "domain": p.domain}


def score(article: Article, expected: dict[str, Any]) -> dict[str, tuple[bool, str]]:
    """field -> (hit, what was found) for each field the expectations name."""
    text = article.content_text or ""
    out: dict[str, tuple[bool, str]] = {}
    if "title" in expected:
        out["title"] = (article.title == expected["title"], repr(article.title))
    if "provider" in expected:
        got = _provider(article)
        want = expected["provider"]
        hit = got == want if not isinstance(want, dict) or "domain" in want else (
            got is not None and got["name"] == want.get("name"))
        out["provider"] = (hit, repr(got))
    if "author" in expected:
        out["author"] = (article.author == expected["author"], repr(article.author))
    if "published" in expected:
        want = expected["published"]
        want_dt = datetime.fromisoformat(str(want)) if want else None
        got_date = article.published.isoformat() if article.published else None
        out["date"] = (article.published == want_dt, repr(got_date))  # the same instant counts
    if "body_starts_with" in expected:
        out["body start"] = (text.startswith(expected["body_starts_with"]), repr(text[:60]))
    if expected.get("body_excludes"):
        leaked = [p for p in expected["body_excludes"] if p in text]
        out["no boilerplate"] = (not leaked, f"leaked {leaked}" if leaked else "clean")
    return out


def samples(folders: list[Path]) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for folder in folders:
        for expectation in sorted(folder.glob("*.expected.yaml")):
            stem = expectation.name.removesuffix(".expected.yaml")
            article = next((p for p in folder.glob(stem + ".*") if p != expectation
                            and not p.name.endswith(".expected.yaml")), None)
            if article is not None:
                found.append((article, yaml.safe_load(expectation.read_text(encoding="utf-8")) or {}))
    return found


def plaintext_speed(paths: list[Path], config: Any, seconds: float = 3.0) -> float:
    """Plain-text articles extracted per second of CPU time on one core (reader only)."""
    texts = []
    for path in paths:
        try:
            texts.append((path, decode(path.read_bytes(), path)[0]))
        except ParseError:
            continue
    texts = [(p, t) for p, t in texts if plaintext.READER.sniff(t)]
    if not texts:
        return 0.0
    done = 0
    started = time.process_time()
    while time.process_time() - started < seconds:
        for path, text in texts:
            plaintext.READER.read(text, ReadContext(path, config, _EPOCH))
            done += 1
    return done / (time.process_time() - started)


def main(argv: list[str] | None = None) -> int:
    from feedsmith.parse import parse_file

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument("--config", type=Path, default=REPO / "config.yaml")
    args = parser.parse_args(argv)
    config = load_config(args.config)

    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    cases = samples(args.folders)
    for path, expected in cases:
        try:
            article = parse_file(path, config)
        except ParseError as exc:
            misses.append(f"{path.relative_to(REPO)}: not parsed: {exc.reason}")
            for name in FIELDS:
                totals[name][1] += 1
            continue
        for name, (hit, found) in score(article, expected).items():
            totals[name][0] += hit
            totals[name][1] += 1
            if not hit:
                misses.append(f"{path.relative_to(REPO)}: {name}: found {found}")

    print(f"{len(cases)} articles with expectations in {len(args.folders)} folder(s)\n")
    print(f"{'field':16} {'hits':>6} {'of':>5} {'accuracy':>9}")
    for name in FIELDS:
        hits, total = totals[name]
        if total:
            print(f"{name:16} {hits:6} {total:5} {hits / total:9.1%}")
    print("\nmisses:" if misses else "\nmisses: none")
    for miss in misses:
        print(f"  {miss}")
    rate = plaintext_speed([p for p, _ in cases], config)
    print(f"\nplain-text extraction speed (one core, CPU time): {rate:,.0f} articles/s (target ≥ 1,000)")
    return 0


_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)

if __name__ == "__main__":
    sys.exit(main())
