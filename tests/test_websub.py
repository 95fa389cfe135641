"""WebSub: feeds advertise the hub, and a build pings it for exactly the feeds that changed."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from lxml import etree

from feedsmith import websub
from feedsmith.build import build, load_site
from feedsmith.config import Config

ATOM = "{http://www.w3.org/2005/Atom}"
FORMATS = ("rss", "atom", "json")
STORIES = {
    "one": ("2024-05-03T10:00:00Z", ["AI"], "cnn.com", "CNN"),
    "two": ("2024-05-02T10:00:00Z", ["Chips"], "reuters.com", "Reuters"),
    "three": ("2024-05-01T10:00:00Z", ["AI", "Robots"], "reuters.com", "Reuters"),
}


def story(name: str, date: str, topics: list[str], domain: str, provider: str, title: str = "") -> str:
    return "\n".join(["---", f"title: {json.dumps(title or 'Story ' + name)}", f"publishedDateTime: {date}",
                      f"originalUrl: https://{domain}/{name}", "provider:", f"  name: {provider}",
                      f"  domain: {domain}", "topics:", *[f"  - {t}" for t in topics], "category: news",
                      "---", f"Body of {name}.", ""])


class Hub:
    """A WebSub hub stand-in on 127.0.0.1 that records every publish request."""

    def __init__(self, status: int = 204) -> None:
        self.requests: list[dict] = []
        self.status = status
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                hub.requests.append({"path": self.path, "type": self.headers.get("Content-Type"),
                                     "form": parse_qs(body)})
                self.send_response(hub.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def pinged(self) -> set[str]:
        urls = [url for r in self.requests for url in r["form"]["hub.url"]]
        assert len(urls) == len(set(urls)), "a feed was announced twice"
        return set(urls)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub():
    running = Hub()
    yield running
    running.close()


@pytest.fixture
def hub_seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "hub-seeds"
    folder.mkdir()
    for name, fields in STORIES.items():
        (folder / f"{name}.md").write_text(story(name, *fields), encoding="utf-8")
    return folder


@pytest.fixture
def hub_config(config: Config, hub_seeds: Path, tmp_path: Path, hub: Hub, monkeypatch) -> Config:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)  # the stub hub is on this machine
    return replace(config, seeds_dir=hub_seeds, out_dir=tmp_path / "feeds", state_dir=tmp_path / "state",
                   websub_hub=hub.url, reload_interval=0.0)


def feed_urls(config: Config, *feed_paths: str) -> set[str]:
    return {config.url(f"{path}.{fmt}") for path in feed_paths for fmt in FORMATS}


def test_the_first_build_announces_every_feed_and_a_rebuild_none(hub_config, hub):
    report = build(hub_config)
    site = load_site(hub_config)
    expected = {hub_config.url(p) for p in site.feed_paths()}
    assert len(expected) == 3 * len(site.catalog.feeds) > 10
    assert hub.pinged() == expected
    assert report.pings == len(expected) and report.ping_failures == 0 and report.warnings == []
    assert f"{len(expected)} hub pings" in report.summary()
    for request in hub.requests:
        assert request["path"] == "/hub"
        assert request["type"] == "application/x-www-form-urlencoded"
        assert request["form"]["hub.mode"] == ["publish"]
    hub.requests.clear()
    again = build(hub_config)
    assert hub.requests == [] and again.pings == 0
    assert "0 hub pings" in again.summary()


def test_a_changed_article_announces_only_the_feeds_that_contain_it(hub_config, hub, hub_seeds):
    build(hub_config)
    hub.requests.clear()
    (hub_seeds / "two.md").write_text(story("two", *STORIES["two"], title="Chips, corrected"), "utf-8")
    report = build(hub_config)
    assert hub.pinged() == feed_urls(hub_config, "all", "topics/chips", "providers/reuters-com",
                                     "categories/news")
    assert report.pings == 12
    assert not [r for r in hub.requests if "/archive/" in r["form"]["hub.url"][0]]


def test_archives_and_pages_are_never_announced(hub_config, hub, hub_seeds):
    config = replace(hub_config, item_limit=1)
    build(config)
    assert any("/archive/" in p.as_posix() for p in config.out_dir.rglob("*.atom"))
    assert hub.pinged() == {config.url(p) for p in load_site(config).feed_paths()}


def test_an_unreachable_hub_is_a_warning_not_a_failed_build(hub_config):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = replace(hub_config, websub_hub=f"http://127.0.0.1:{port}/hub")
    started = time.monotonic()
    report = build(config)
    assert time.monotonic() - started < 10  # one attempt, not one timeout per feed
    assert (config.out_dir / "all.atom").is_file()
    assert report.pings == 0 and report.ping_failures == 3 * len(load_site(config).catalog.feeds)
    assert report.warnings and all("WebSub hub" in w for w in report.warnings)
    assert "cannot reach the hub" in report.warnings[0]
    assert "hub pings (" in report.summary()


def test_a_hub_that_refuses_is_a_warning_per_feed(hub_config, hub):
    hub.status = 500
    report = build(hub_config)
    assert report.pings == 0 and report.ping_failures == len(hub.requests) > 0
    assert "answered 500" in report.warnings[0]
    assert len(report.warnings) == websub.SHOWN_FAILURES + 1  # the rest are counted, not listed


def test_the_cli_prints_pings_and_hub_warnings(hub_config, tmp_path, capsys):
    from feedsmith.cli import main

    config_file = tmp_path / "hub.yaml"
    config_file.write_text(
        f"seeds_dir: {hub_config.seeds_dir}\nout_dir: {hub_config.out_dir}\nstate_dir: {hub_config.state_dir}\n"
        "websub:\n  hub: http://127.0.0.1:9/hub\n", encoding="utf-8")
    assert main(["build", "--config", str(config_file), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert "0 hub pings (" in captured.out
    assert "warning: WebSub hub http://127.0.0.1:9/hub" in captured.err


# ------------------------------------------------------------- advertising


def test_feeds_advertise_the_hub_and_themselves(hub_config):
    site = load_site(hub_config)
    self_url = hub_config.url("topics/ai.{}")
    rss = etree.fromstring(site.get("topics/ai.rss").body).find("channel")
    rss_links = {l.get("rel"): l.get("href") for l in rss.findall(f"{ATOM}link")}
    assert rss_links["hub"] == hub_config.websub_hub and rss_links["self"] == self_url.format("rss")
    atom = etree.fromstring(site.get("topics/ai.atom").body)
    atom_links = {l.get("rel"): l.get("href") for l in atom.findall(f"{ATOM}link")}
    assert atom_links["hub"] == hub_config.websub_hub and atom_links["self"] == self_url.format("atom")
    doc = json.loads(site.get("topics/ai.json").body)
    assert doc["hubs"] == [{"type": "WebSub", "url": hub_config.websub_hub}]
    assert doc["feed_url"] == self_url.format("json")


def test_archives_do_not_advertise_the_hub(hub_config):
    config = replace(hub_config, item_limit=1)
    site = load_site(config)
    archive = site.archives(site.catalog.feeds["all"])[0]
    for fmt in FORMATS:
        body = site.get(archive.path(fmt)).body
        assert b"hub" not in body.replace(b"hub-seeds", b""), fmt


def test_the_live_app_sends_a_link_header_on_feeds(hub_config):
    from feedsmith.web import create_app

    client = create_app(replace(hub_config, item_limit=1)).test_client()
    for fmt in FORMATS:
        for attempt in range(2):  # first answer and cached answer
            response = client.get(f"/topics/ai.{fmt}", headers={"Accept-Encoding": "gzip" if attempt else ""})
            assert response.status_code == 200
            assert response.headers["Link"] == (f'<{hub_config.websub_hub}>; rel="hub", '
                                                f'<{hub_config.url(f"topics/ai.{fmt}")}>; rel="self"')
        assert "Link" not in client.get(f"/all/archive/2024-05.{fmt}").headers
    assert "Link" not in client.get("/").headers and "Link" not in client.get("/feeds.opml").headers
    etag = client.get("/all.atom").headers["ETag"]
    assert "Link" not in client.get("/all.atom", headers={"If-None-Match": etag}).headers


def test_no_hub_no_link_header_and_no_pings(hub_config, hub):
    from feedsmith.web import create_app

    config = replace(hub_config, websub_hub=None)
    report = build(config)
    assert report.pings is None and "hub pings" not in report.summary() and hub.requests == []
    assert "Link" not in create_app(config).test_client().get("/all.atom").headers


def test_a_hub_that_answers_garbage_or_redirects_is_a_warning(hub_config):
    """Whatever the hub does, the build finishes; a redirect is not followed (it would turn into a GET)."""
    import socketserver

    class Garbage(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.rfile.readline()
            self.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    for handler, reason in ((Garbage, "cannot reach the hub"), (Redirect, "answered 302")):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            config = replace(hub_config, websub_hub=f"http://127.0.0.1:{server.server_address[1]}/")
            result = websub.publish(config.websub_hub, [config.url("all.atom"), config.url("all.rss")])
            assert result.pinged == [] and len(result.failed) == 2
            assert reason in result.failed[0][1], result.failed
        finally:
            server.shutdown()
            server.server_close()
