"""Hostile HTTP against the live app: odd methods and parameters through the Flask
test client, and raw requests (paths sent verbatim) against the production
server command from the README - gunicorn with two workers - on 127.0.0.1.

Complements tests/test_http.py (headers, validators, the usual hostile paths
through the test client); nothing here repeats those.
"""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from feedsmith.config import Config

from .conftest import REPO, SEEDS
from .feedcheck import assert_valid
from .test_hostile_input import NASTY, assert_html_safe, front_matter

GUNICORN = Path(sys.executable).with_name("gunicorn")
SECRET = "s3cr3t-config-marker"  # in the config file, which must never be served
VERSION = re.compile(r"\d+\.\d+|python|werkzeug|flask", re.I)


# ------------------------------------------------------------ a real server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hostile_seeds(folder: Path) -> None:
    shutil.copytree(SEEDS, folder)
    (folder / "nasty.md").write_text(front_matter(NASTY, None, topics=["../../etc/passwd", "<b>x</b>"]))
    (folder / "binary.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "broken.md").write_text("---\ntitle: [oops\n---\nbody\n")
    (folder / "-rf.txt").write_text(front_matter("Dash file", "https://example.com/dash"))
    (folder / "passwd.md").symlink_to("/etc/passwd")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn --workers 2 --bind 127.0.0.1:<port> feedsmith.wsgi:app, stopped whatever happens."""
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in this environment")
    root = tmp_path_factory.mktemp("live")
    hostile_seeds(root / "seeds")
    config_file = root / "config.yaml"
    config_file.write_text(f"# {SECRET}\nseeds_dir: seeds\nout_dir: out\nstate_dir: state\n"
                           "reload_interval: 0.5\nbase_url: https://feeds.example.org/\n")
    port = free_port()
    env = {**os.environ, "FEEDSMITH_CONFIG": str(config_file), "FLASK_DEBUG": "1", "FLASK_ENV": "development",
           "PYTHONPATH": str(REPO / "src")}
    log = (root / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{port}", "feedsmith.wsgi:app"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((root / "gunicorn.log").read_text(errors="replace")) from None
                time.sleep(0.1)
        yield {"port": port, "root": root, "seeds": root / "seeds", "log": root / "gunicorn.log"}
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(5)
        log.close()


def raw(port: int, request: bytes, timeout: float = 10) -> tuple[int, dict[str, list[str]], bytes]:
    """Send bytes exactly as given; parse status line, headers (all values kept) and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return status, headers, body


def get(port: int, target: str, method: str = "GET", headers: dict[str, str] | None = None, body: str = ""):
    """One request with the target sent verbatim (nothing normalises it on the way)."""
    headers = {**(headers or {}), **({"Content-Length": str(len(body))} if body else {})}
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Connection: close\r\n\r\n{body}"
    return raw(port, request.encode("latin-1"))


def assert_harmless(status: int, headers: dict[str, list[str]], body: bytes, what: str) -> None:
    assert status < 500, (what, status, body[:200])
    assert b"root:x:0:0" not in body and SECRET.encode() not in body, what
    assert b"Traceback" not in body and b"Werkzeug" not in body and b"debugger.js" not in body, what
    assert len(headers.get("server", [])) <= 1, (what, headers.get("server"))
    for server in headers.get("server", []):
        assert not VERSION.search(server), (what, server)


def assert_app_headers(headers: dict[str, list[str]], what: str) -> None:
    assert headers.get("x-content-type-options") == ["nosniff"], what
    csp = headers.get("content-security-policy", [""])[0]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, what
    if headers.get("content-type", [""])[0].startswith("text/html"):
        assert "script-src" not in csp and "'unsafe-inline'" not in csp, what


TRAVERSALS = [
    "/../../etc/passwd", "/..%2f..%2fetc%2fpasswd", "/topics/..%2f..%2fetc%2fpasswd.rss",
    "/topics/../../etc/passwd", "//etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%252e%252e/etc/passwd",
    "/..\\..\\etc\\passwd", "/topics/..%5c..%5cconfig.yaml", "/config.yaml", "/../config.yaml",
    "/seeds/000_cc5dbb56b522b53d.txt", "/../seeds/passwd.md", "/state/cache.sqlite3", "/.feedsmith-manifest",
    "/articles/%00.html", "/all.rss%00.yaml", "/all.rss;.yaml", "/all.rss/..%2f..%2fconfig.yaml",
    "/topics/" + "a" * 3000 + ".rss",  # (gunicorn itself refuses request lines over 4094 bytes) "/" + "x/" * 300 + "all.rss", "/%ff%fe%c0%af.rss", "/%c0%ae%c0%ae/etc/passwd",
    "/?" + "q=" + "%00" * 100, "/all.rss?limit=1&limit=2", "/index.html#frag", "/all.atom?q=<script>",
]


@pytest.mark.parametrize("target", TRAVERSALS, ids=[t[:60] for t in TRAVERSALS])
def test_raw_hostile_paths_against_gunicorn(server, target):
    status, headers, body = get(server["port"], target)
    assert_harmless(status, headers, body, target)
    assert status in (200, 400, 404, 414), (target, status)
    if status == 200:
        assert target.startswith(("/all.", "/index.html", "/?")), (target, body[:100])
    assert_app_headers(headers, target)
    if status >= 400:
        assert headers["content-type"][0].startswith("text/plain") and len(body) < 5000, (target, body[:200])


def test_absolute_form_and_odd_request_targets(server):
    port = server["port"]
    for target in (f"http://127.0.0.1:{port}/../../etc/passwd", "http://evil.example/all.rss", "*",
                   "all.rss", "/all.rss?%", "/all.rss?limit=%zz"):
        status, headers, body = get(port, target)
        assert_harmless(status, headers, body, target)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "POST", "PROPFIND", "MKCOL", "COPY", "MOVE",
                                    "LOCK", "TRACE", "BREW", "SEARCH"])
def test_odd_methods_against_gunicorn(server, method):
    for target in ("/all.atom", "/", "/topics/nope.rss", "/../../etc/passwd"):
        status, headers, body = get(server["port"], target, method=method,
                                    body="x=1&y" if method in ("PUT", "POST", "PROPFIND") else "")
        assert_harmless(status, headers, body, f"{method} {target}")
        assert 400 <= status < 500, (method, target, status)
        if status == 405:
            assert_app_headers(headers, f"{method} {target}")
            assert set(headers["allow"][0].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
            assert len(body) < 100 and b"<" not in body


@pytest.mark.parametrize("query", ["limit=-1", f"limit={10 ** 9}", "limit=abc", "limit=1e3", "limit=0x10",
                                   "limit=%EF%BC%91", "since=9999-99-99", "topic=../../etc/passwd%00",
                                   "provider=" + "p" * 300, "q=" + "%ff" * 300])
def test_bad_parameters_are_a_short_400_over_the_wire(server, query):
    status, headers, body = get(server["port"], f"/all.atom?{query}")
    assert_harmless(status, headers, body, query)
    assert status == 400, (query, status, body)
    assert headers["content-type"][0].startswith("text/plain") and body.count(b"\n") == 1 and len(body) < 300
    assert_app_headers(headers, query)


def test_over_long_requests_are_refused_by_the_server(server):
    port = server["port"]
    for request in (
        f"GET /{'a' * 10_000}.rss HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        f"GET /all.rss HTTP/1.1\r\nHost: x\r\nX-Big: {'b' * 20_000}\r\nConnection: close\r\n\r\n",
        "GET /all.rss HTTP/1.1\r\nHost: x\r\n" + "".join(f"X-{i}: y\r\n" for i in range(200)) + "Connection: close\r\n\r\n",
        "GET /all.rss HTTP/1.1\r\nHost: x\r\nX-Evil: a\nb\r\n\r\n",
        "GET /all.rss HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET\x00/all.rss HTTP/1.1\r\n\r\n",
    ):
        status, headers, body = raw(port, request.encode("latin-1"))
        assert 400 <= status < 500 or (status == 200 and "9.9" in request), (request[:40], status)
        assert_harmless(status, headers, body, request[:40])
    status, _, _ = get(port, "/all.rss")  # and the server is still fine
    assert status == 200


def test_host_header_does_not_change_links(server):
    port = server["port"]
    plain = get(port, "/all.atom")[2]
    spoofed = raw(port, b"GET /all.atom HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\n"
                        b"X-Forwarded-Proto: http\r\nConnection: close\r\n\r\n")[2]
    assert spoofed == plain and b"evil.example" not in spoofed
    assert b"https://feeds.example.org/" in plain


def test_the_werkzeug_debugger_is_not_reachable(server):
    """FLASK_DEBUG=1 is in the server's environment: still no debugger, console or resources."""
    port = server["port"]
    index = get(port, "/")[2]
    for target, expected in (("/console", 404), ("/console?__debugger__=yes&cmd=printpin&s=x", 404),
                             ("/?__debugger__=yes&cmd=resource&f=debugger.js", 200),
                             ("/all.rss?__debugger__=yes&cmd=resource&f=style.css", 400)):
        status, headers, body = get(port, target)
        assert_harmless(status, headers, body, target)
        assert status == expected, (target, status)
        if status == 200:
            assert body == index  # the index page; the parameters are ignored


def test_every_served_document_is_valid_and_safe(server):
    port = server["port"]
    status, headers, index = get(port, "/")
    assert status == 200
    assert_html_safe("/", index)
    assert NASTY.encode() not in index  # escaped, never raw markup
    paths = sorted(set(re.findall(r'href="https://feeds\.example\.org/([^"#?]+)"', index.decode())))
    assert "all.atom" in paths and any(p.startswith("topics/") for p in paths)
    for path in paths:
        status, headers, body = get(port, "/" + path)
        assert status == 200, path
        assert_app_headers(headers, path)
        assert_valid(path, body)
        if path.endswith(".html"):
            assert_html_safe(path, body)
    health = json.loads(get(port, "/healthz")[2])
    assert health["problems"] >= 3  # the binary, the broken file and the symlink, reported not served


def test_concurrent_requests_while_seeds_change(server):
    """Both workers reload under traffic; every answer is a complete, valid document."""
    port, seeds = server["port"], server["seeds"]

    def fetch(i: int) -> tuple[str, int, bytes]:
        path = ("/all.atom", "/all.rss", "/all.json", "/", "/feeds.opml")[i % 5]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return path, response.status, response.read()
        finally:
            conn.close()

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(fetch, i) for i in range(200)]
        for step in range(6):
            target = seeds / f"churn-{step % 2}.md"
            target.write_text(front_matter(f"Churn {step}", f"https://example.com/churn/{step}"))
            if step % 3 == 2:
                target.unlink()
            time.sleep(0.25)
        results = [f.result() for f in futures]
    for path, status, body in results:
        assert status == 200, (path, status, body[:200])
        assert_valid(path.lstrip("/") or "index.html", body)


# ------------------------------------------------------------ the Flask app (what the wire tests can't reach)


@pytest.fixture
def hostile_app(config: Config, tmp_path: Path):
    from feedsmith.web import create_app

    hostile_seeds(tmp_path / "seeds")
    app = create_app(replace(config, seeds_dir=tmp_path / "seeds", reload_interval=0.0))
    return app


def test_debug_stays_off_even_when_the_environment_asks(config, tmp_path, monkeypatch):
    from feedsmith.web import create_app

    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("FLASK_ENV", "development")
    app = create_app(replace(config, seeds_dir=SEEDS))
    assert app.debug is False and app.config["DEBUG"] is False
    assert app.config.get("PROPAGATE_EXCEPTIONS") in (None, False)
    started = {}
    monkeypatch.setattr("flask.Flask.run", lambda self, *a, **k: started.update(k, args=a))
    app.run(host="127.0.0.1", port=1)
    assert started.get("debug", started["args"][2] if len(started.get("args", ())) > 2 else None) is False


def test_an_exception_anywhere_is_a_plain_500_without_details(hostile_app, monkeypatch):
    from feedsmith import web

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(web, "parse_query", boom)
    response = hostile_app.test_client().get("/all.atom?limit=5")
    assert response.status_code >= 500
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    assert response.mimetype == "text/plain" and len(response.data) < 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("method", ["PROPFIND", "MKCOL", "COPY", "LOCK", "TRACE", "SEARCH", "BREW"])
def test_webdav_and_made_up_methods(hostile_app, method):
    client = hostile_app.test_client()
    for url in ("/all.atom", "/", "/nope", "/healthz"):
        response = client.open(url, method=method)
        assert response.status_code == 405, (method, url, response.status_code)
        assert response.mimetype == "text/plain" and len(response.data) < 100
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_options_on_unknown_paths_is_harmless(hostile_app):
    response = hostile_app.test_client().options("/../../etc/passwd")
    assert response.status_code in (200, 204, 404)
    assert b"root:" not in response.data


def test_hostile_topic_slugs_are_reachable_and_safe(hostile_app):
    client = hostile_app.test_client()
    site = hostile_app.extensions["feedsmith"].site
    topics = [f for f in site.catalog.feeds_of("topic")]
    names = {f.name: f.slug for f in topics}
    assert names["../../etc/passwd"] == "etc-passwd"
    response = client.get("/topics/etc-passwd.atom")
    assert response.status_code == 200 and b"root:x" not in response.data
    assert_valid("topics/etc-passwd.atom", response.data)
