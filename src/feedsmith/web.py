"""The live app: the same tree the static build writes, over HTTP."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request

from .build import load_site
from .config import Config
from .load import article_files
from .site import Site

log = logging.getLogger(__name__)
bp = Blueprint("feeds", __name__)


class LiveSite:
    """Holds the current :class:`Site` and swaps in a new one when the seeds change.

    The swap is one reference assignment, so a request sees either the old or
    the new catalog, never a half-updated one. A reload that fails keeps the
    last good site.
    """

    def __init__(self, config: Config, seeds_dir: Path | None = None) -> None:
        self.config = config
        self.seeds_dir = seeds_dir or config.seeds_dir
        self._lock = threading.Lock()
        self._signature = self._scan()
        self.site: Site = load_site(config, self.seeds_dir)
        self.loaded_at = time.time()
        self._checked_at = time.monotonic()
        self.reload_error: str | None = None

    def _scan(self) -> tuple[tuple[str, int, int], ...]:
        files, _ = article_files(self.seeds_dir, self.config.follow_symlinks) if self.seeds_dir.is_dir() else ([], [])
        signature = []
        for path in files:
            try:
                stat = path.stat()
            except OSError:
                continue
            signature.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(signature)

    def current(self) -> Site:
        """The site, reloaded first if the seeds changed since the last look."""
        if time.monotonic() - self._checked_at >= self.config.reload_interval:
            if self._lock.acquire(blocking=False):
                try:
                    self._reload_if_changed()
                finally:
                    self._lock.release()
        return self.site

    def _reload_if_changed(self) -> None:
        self._checked_at = time.monotonic()
        try:
            signature = self._scan()
            if signature == self._signature:
                return
            site = load_site(self.config, self.seeds_dir)
        except Exception as exc:  # keep serving the last good feeds
            self.reload_error = f"{type(exc).__name__}: {exc}"
            log.exception("reload failed; still serving the previous feeds")
            return
        self.site, self._signature = site, signature
        self.loaded_at = time.time()
        self.reload_error = None


def _live() -> LiveSite:
    return current_app.extensions["feedsmith"]


def _not_found(site: Site, path: str) -> Response:
    catalog = site.catalog
    lines = [f"No feed at /{path}."]
    for kind, label in (("topic", "Topics"), ("provider", "Providers"), ("category", "Categories")):
        slugs = [f.slug for f in catalog.feeds_of(kind)]
        lines.append(f"{label}: {', '.join(slugs) if slugs else '(none)'}")
    lines.append("Every feed is listed at / and in /feeds.opml.")
    return Response("\n".join(lines) + "\n", status=404, content_type="text/plain; charset=utf-8")


@bp.route("/", defaults={"path": ""})
@bp.route("/<path:path>")
def serve(path: str) -> Response:
    site = _live().current()
    resource = site.get(path)
    if resource is None:
        return _not_found(site, path)
    return Response(resource.body, content_type=resource.content_type)


def create_app(config: Config, seeds_dir: Path | None = None) -> Flask:
    app = Flask(__name__)
    app.config["FEEDSMITH"] = config
    app.extensions["feedsmith"] = LiveSite(config, seeds_dir)
    app.register_blueprint(bp)
    return app

