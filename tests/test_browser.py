"""The index page and the feeds' HTML views in a real headless browser (Debian ``chromium``).

A real server (werkzeug, in a thread) runs the app on 127.0.0.1; Chromium loads
pages from it with ``--dump-dom`` / ``--screenshot``, with no other network
(``--host-resolver-rules``) and a fresh profile per run. Every Chromium run is
bounded by a timeout and its whole process group is killed if it overruns.
Skips when chromium is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path

import feedparser
import lxml.html
import pytest
from werkzeug.serving import make_server

from feedsmith import pages
from feedsmith.web import DevRequestHandler, create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian chromium is not installed (apt-get install -y chromium; .ci/run installs it)",
)

RUN_SECONDS = 90  # one Chromium launch, page load included
FETCH_SECONDS = 10
READER_ACCEPT = "application/atom+xml,application/rss+xml,application/xml;q=0.9,*/*;q=0.1"
CSP_VIOLATION = "Content Security Policy"


@dataclass
class Browser:
    dom: str
    log: str  # Chromium's stderr: console messages (--enable-logging=stderr)

    def doc(self) -> lxml.html.HtmlElement:
        return lxml.html.document_fromstring(self.dom)


def chromium(url: str, *, screenshot: Path | None = None) -> Browser:
    """Chromium's DOM of ``url`` after load (or a screenshot), within RUN_SECONDS."""
    with tempfile.TemporaryDirectory(prefix="feedsmith-chromium-") as profile:
        args = [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
            f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--enable-logging=stderr", "--v=0",
        ]
        args += [f"--screenshot={screenshot}", "--window-size=1024,1400"] if screenshot else ["--dump-dom"]
        process = subprocess.Popen([*args, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            out, err = process.communicate(timeout=RUN_SECONDS)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            pytest.fail(f"chromium did not finish {url} within {RUN_SECONDS}s")
        except BaseException:
            _kill_group(process)
            raise
        finally:
            _kill_group(process)  # helpers (zygote, renderer) it may have left behind
    log = err.decode("utf-8", "replace")
    assert process.returncode == 0, f"chromium exited {process.returncode} on {url}:\n{log[-2000:]}"
    return Browser(out.decode("utf-8", "replace"), log)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only the processes it started
    except (ProcessLookupError, PermissionError):
        pass


def fetch(url: str, accept: str | None = None) -> tuple[str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=FETCH_SECONDS) as response:
        return response.headers["Content-Type"], response.read()


class _Front:
    """The app as the browser sees it, plus two test-only doors.

    ``/__as-xml/<path>``: the feed document as a feed reader gets it, labelled
    ``application/xml`` - Chromium shows ``application/rss+xml`` as text and
    runs a document's ``<?xml-stylesheet?>`` only for XML types.
    ``/__control.xml``: a trivial XSLT document, to tell "this Chromium no
    longer runs XSLT" from "feed.xsl is broken".
    """

    CONTROL_XML = b'<?xml version="1.0"?>\n<?xml-stylesheet type="text/xsl" href="/__control.xsl"?>\n<x/>'
    CONTROL_XSL = (b'<?xml version="1.0"?>\n<xsl:stylesheet version="1.0" '
                   b'xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/">'
                   b'<html><body><p id="control">xslt runs</p></body></html></xsl:template></xsl:stylesheet>')

    def __init__(self) -> None:
        self.app = None
        self.accepts: dict[str, str] = {}  # path -> the Accept the browser sent

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        self.accepts[path] = environ.get("HTTP_ACCEPT", "")
        if path in ("/__control.xml", "/__control.xsl"):
            body = self.CONTROL_XML if path.endswith(".xml") else self.CONTROL_XSL
            kind = "application/xml" if path.endswith(".xml") else "text/xsl"
            start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))])
            return [body]
        if path.startswith("/__as-xml/"):
            environ = {**environ, "PATH_INFO": path[len("/__as-xml"):], "HTTP_ACCEPT": READER_ACCEPT}

            def relabel(status, headers, exc_info=None):
                headers = [(k, "application/xml; charset=utf-8" if k.lower() == "content-type" else v)
                           for k, v in headers]
                return start_response(status, headers, exc_info)

            return self.app(environ, relabel)
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def live(config, tmp_path_factory):
    """(base URL, app, front) of a real server on 127.0.0.1 over a copy of the bundled seeds."""
    from .conftest import SEEDS

    root = tmp_path_factory.mktemp("browser")
    seeds = root / "seeds"
    shutil.copytree(SEEDS, seeds)
    front = _Front()
    server = make_server("127.0.0.1", 0, front, threaded=True, request_handler=DevRequestHandler)
    base = f"http://127.0.0.1:{server.server_port}/"
    site_config = replace(config, seeds_dir=seeds, out_dir=root / "feeds", state_dir=root / "state",
                          base_url=base)
    front.app = create_app(site_config)
    thread = threading.Thread(target=server.serve_forever, name="feedsmith-test-server", daemon=True)
    thread.start()
    try:
        yield base, front.app, front
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def no_csp_violations(run: Browser) -> None:
    violations = [line for line in run.log.splitlines() if CSP_VIOLATION in line]
    assert not violations, violations


# ------------------------------------------------------------ the index


def test_index_renders_with_every_feed_and_count(live):
    base, app, front = live
    run = chromium(base)
    doc = run.doc()
    assert front.accepts["/"].startswith("text/html")
    site = app.extensions["feedsmith"].site
    assert doc.xpath("string(//h1)") == app.config["FEEDSMITH"].title
    for feed in site.catalog.feeds.values():
        (row,) = doc.xpath(f"//li[@id='feed-{feed.path.replace('/', '-')}']")
        assert feed.name in row.text_content()
        n = len(feed.articles)
        assert row.xpath("string(.//*[contains(@class, 'count')])") == f"({n} article{'s' * (n != 1)})"
        assert row.xpath("string(.//h3/a/@href)") == f"{base}{feed.path}.html"
    no_csp_violations(run)  # the one style block is allowed by its hash


def test_index_autodiscovery_links_resolve_to_valid_feeds(live):
    base, app, _ = live
    doc = chromium(base + "index.html").doc()
    links = doc.xpath("/html/head/link[@rel='alternate']")
    site = app.extensions["feedsmith"].site
    assert len(links) == 3 * len(site.catalog.feeds)
    for link in links:
        href = link.get("href")
        assert href.startswith(base), href
        content_type, body = fetch(href, READER_ACCEPT)
        assert content_type.split(";")[0] == link.get("type"), href
        assert body == site.get(href[len(base):]).body
        if link.get("type") == "application/feed+json":
            assert json.loads(body)["items"]
        else:
            parsed = feedparser.parse(body)
            assert parsed.bozo == 0, (href, parsed.get("bozo_exception"))
            assert parsed.entries
    # And with no Accept at all (scripts, curl): the same feed bytes.
    assert fetch(links[0].get("href"))[1] == site.get(links[0].get("href")[len(base):]).body


def test_index_screenshot(live, tmp_path):
    base, _, _ = live
    shot = tmp_path / "index.png"
    chromium(base, screenshot=shot)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000


# ------------------------------------------------------------ a feed's HTML view


def _assert_view(doc: lxml.html.HtmlElement, feed, url: str, app) -> None:
    config = app.config["FEEDSMITH"]
    assert doc.xpath("string(//h1)") == feed.title(config.title)
    assert doc.xpath("string(//input[@id='feed-url']/@value)") == url
    titles = [h.text_content() for h in doc.xpath("//li[@class='entry']/h3")]
    assert titles == [a.title for a in feed.articles[:config.item_limit]]
    assert titles


def test_feed_html_view_renders_entries(live):
    base, app, _ = live
    feed = app.extensions["feedsmith"].site.catalog.feed("topics/ai")
    run = chromium(f"{base}topics/ai.html")
    _assert_view(run.doc(), feed, f"{base}topics/ai.atom", app)
    no_csp_violations(run)


def test_the_browsers_accept_header_gets_the_view(live):
    """What Chromium sent for a page, sent again from Python to a feed URL: the HTML view."""
    base, app, front = live
    chromium(base)
    accept = front.accepts["/"]
    assert accept.startswith("text/html,")
    content_type, body = fetch(f"{base}topics/ai.rss", accept)
    assert content_type == "text/html; charset=utf-8"
    assert body == app.extensions["feedsmith"].site.view("topics/ai.rss").body


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_opening_a_feed_url_shows_the_html_view(live, fmt):
    base, app, front = live
    feed = app.extensions["feedsmith"].site.catalog.feed("all")
    run = chromium(f"{base}all.{fmt}")
    assert front.accepts[f"/all.{fmt}"].startswith("text/html")
    _assert_view(run.doc(), feed, f"{base}all.{fmt}", app)
    no_csp_violations(run)
    # A feed reader asking for the same URL still gets the feed.
    content_type, body = fetch(f"{base}all.{fmt}", READER_ACCEPT)
    assert not content_type.startswith("text/html")
    assert body == app.extensions["feedsmith"].site.get(f"all.{fmt}").body


# ------------------------------------------------------------ feed.xsl in a browser


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_feed_xsl_renders_the_feed_document(live, fmt):
    """The feed document itself, as a browser that gets XML would show it: through feed.xsl.

    Served with the app's own headers (its CSP included), only relabelled
    ``application/xml`` so that Chromium applies the stylesheet at all.
    """
    base, app, _ = live
    if 'id="control"' not in chromium(base + "__control.xml").dom:
        pytest.skip("this Chromium no longer runs XSLT (browsers are removing it)")
    feed = app.extensions["feedsmith"].site.catalog.feed("topics/ai")
    run = chromium(f"{base}__as-xml/topics/ai.{fmt}")
    doc = run.doc()
    assert doc.xpath("//h1"), run.dom[:500]
    _assert_view(doc, feed, f"{base}topics/ai.{fmt}", app)
    # Chromium's own XSLT deprecation banner (style attributes) breaks the CSP; the
    # stylesheet's style block - the pages' one, allowed by its hash - never does.
    blocked = re.findall(r"a hash \('(sha256-[^']+)'\)", run.log)
    assert pages.STYLE_CSP_SOURCE.strip("'") not in blocked
    assert not re.search(r"Refused to load the stylesheet|XSLT.*(?:blocked|refused)", run.log, re.I), run.log
