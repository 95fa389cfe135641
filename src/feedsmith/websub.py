"""WebSub: advertise the hub, and tell it which feeds changed after a static build.

The feeds name the hub themselves (``rel="hub"`` / ``rel="self"`` links in RSS
and Atom, ``hubs`` in JSON Feed, see :mod:`feedsmith.render`); the live app
adds the same pair as an HTTP ``Link`` header (:func:`link_header`). After a
build, :func:`publish` sends the hub one ``hub.mode=publish`` request per
changed feed URL, the form every hub accepts. Nothing here can fail a build:
each problem comes back as a warning.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

from .config import Config
from .render import canonical_url

TIMEOUT = 5.0  # seconds per request
WORKERS = 4  # requests in flight at once
USER_AGENT = "feedsmith (WebSub publisher)"
SHOWN_FAILURES = 5  # failures listed one by one in the warnings; the rest are counted


def topic_url(config: Config, path: str) -> str:
    """The URL a feed is known by to the hub: exactly its ``rel="self"`` link."""
    return canonical_url(config.url(path))


def link_header(config: Config, path: str) -> str:
    """``Link: <hub>; rel="hub", <self>; rel="self"`` for a feed path (the hub must be set)."""
    assert config.websub_hub, "no hub configured"
    return f'<{canonical_url(config.websub_hub)}>; rel="hub", <{topic_url(config, path)}>; rel="self"'


@dataclass
class PublishResult:
    hub: str
    pinged: list[str] = field(default_factory=list)  # topic URLs the hub accepted
    failed: list[tuple[str, str]] = field(default_factory=list)  # (topic URL, reason)

    def warnings(self) -> list[str]:
        if not self.failed:
            return []
        lines = [f"WebSub hub {self.hub} was not told about {url}: {reason}"
                 for url, reason in self.failed[:SHOWN_FAILURES]]
        if len(self.failed) > SHOWN_FAILURES:
            lines.append(f"WebSub hub {self.hub} was not told about {len(self.failed) - SHOWN_FAILURES} "
                         "more feeds; subscribers get those changes when they poll")
        return lines


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirected publish request is a failure: urllib would re-send it as a GET."""

    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


class _Unreachable(Exception):
    """The hub could not be reached at all (as opposed to refusing one request)."""


def _ping(hub: str, url: str, timeout: float) -> None:
    body = urlencode({"hub.mode": "publish", "hub.url": url}).encode("ascii")
    request = urllib.request.Request(hub, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(65536)
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        raise ValueError(f"the hub answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise _Unreachable(f"cannot reach the hub ({reason})") from None
    if not 200 <= status < 300:
        raise ValueError(f"the hub answered {status}")


def publish(hub: str, urls: Sequence[str], *, timeout: float = TIMEOUT, workers: int = WORKERS) -> PublishResult:
    """Tell ``hub`` that each of ``urls`` changed; never raises for network or hub problems.

    The first request goes alone: when the hub cannot be reached at all, the
    rest are not tried (one timeout, not one per feed).
    """
    result = PublishResult(hub)
    todo = list(dict.fromkeys(urls))
    if not todo:
        return result

    def attempt(url: str) -> tuple[str, str | None, bool]:
        try:
            _ping(hub, url, timeout)
            return url, None, False
        except _Unreachable as exc:
            return url, str(exc), True
        except ValueError as exc:
            return url, str(exc), False

    first = attempt(todo[0])
    outcomes = [first]
    if first[2]:  # unreachable: the others would fail the same way
        outcomes += [(url, first[1], True) for url in todo[1:]]
    elif len(todo) > 1:
        with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="websub") as pool:
            outcomes += list(pool.map(attempt, todo[1:]))
    for url, problem, _ in outcomes:
        if problem is None:
            result.pinged.append(url)
        else:
            result.failed.append((url, problem))
    return result
