#!/usr/bin/env python3
"""What the live app costs per request, next to the least a Flask app can do.

    .venv/bin/python benchmarks/app_overhead.py [--seconds 5] [--rounds 3] [--no-wrk]

One gunicorn, started the way the README's "Deployment" section runs the app
(``--workers 2``, the default sync workers, bound to 127.0.0.1), serves two
WSGI apps through a tiny path dispatcher:

* ``/all.atom``: feedsmith (``feedsmith.web.create_app``), the cached
  50-entry feed, exactly as in production;
* ``/baseline/all.atom``: a minimal Flask handler returning the same bytes
  with the same ``Content-Type`` and ``ETag`` (and a bare 304 when
  ``If-None-Match`` equals it) - the yardstick;
* ``/bare/all.atom``: the same answers from a bare WSGI callable, no Flask -
  for context, the floor of this server and load generator.

A real load generator (``wrk``, installed from Debian when missing and
possible; else a threaded Python client) hits each for ``--seconds``, for 200
answers and for 304 answers (``If-None-Match``), always with a feed reader's
``Accept`` header, alternating the order over ``--rounds`` rounds; the table
shows the median requests/s and feedsmith's ratio to the Flask baseline
(target >= 0.9). Articles: 200 from ``synth.py`` under ``benchmarks/work/app-overhead``
(git-ignored). Results also go to ``benchmarks/work/app-overhead.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "work" / "app-overhead"
GUNICORN = Path(sys.executable).parent / "gunicorn"
FEED = "/all.atom"
BASELINE_PREFIX = "/baseline"
BARE_PREFIX = "/bare"
ARTICLES = 200
READER_ACCEPT = "application/atom+xml, application/rss+xml;q=0.9, application/xml;q=0.8, */*;q=0.1"
TARGET = 0.9


# ------------------------------------------------------------ the apps (run inside gunicorn)


def dispatcher():
    """gunicorn's app factory (``app_overhead:dispatcher()``): feedsmith and the baseline."""
    from flask import Flask, Response, request

    from feedsmith.config import load_config
    from feedsmith.web import create_app

    app = create_app(load_config(os.environ["FEEDSMITH_CONFIG"]))
    warm = app.test_client().get(FEED)  # rendered and cached in this worker before any load
    assert warm.status_code == 200, warm.status
    body, etag, content_type = warm.data, warm.headers["ETag"], warm.headers["Content-Type"]

    baseline = Flask("baseline")

    @baseline.get(BASELINE_PREFIX + FEED)
    def same_bytes() -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, content_type=content_type, headers={"ETag": etag})

    ok = [("Content-Type", content_type), ("Content-Length", str(len(body))), ("ETag", etag)]

    def bare(environ, start_response):
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            start_response("304 Not Modified", [("ETag", etag)])
            return []
        start_response("200 OK", ok)
        return [body]

    def dispatch(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(BASELINE_PREFIX + "/"):
            return baseline(environ, start_response)
        if path.startswith(BARE_PREFIX + "/"):
            return bare(environ, start_response)
        return app(environ, start_response)

    return dispatch


# ------------------------------------------------------------ the harness


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def find_wrk(allowed: bool) -> str | None:
    if not allowed:
        return None
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    log("installing wrk with apt-get …")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    return shutil.which("wrk")


def prepare() -> Path:
    """200 synthetic articles and a config over them; the config's path."""
    seeds = WORK / "seeds"
    if not (seeds.is_dir() and len(list(seeds.rglob("*.*"))) >= ARTICLES):
        shutil.rmtree(seeds, ignore_errors=True)
        subprocess.run([sys.executable, str(HERE / "synth.py"), "--n", str(ARTICLES), "--out", str(seeds)],
                       check=True, stdout=subprocess.DEVNULL, timeout=600)
    config = WORK / "config.yaml"
    # The repository's config (provider registry, topic rules) with this run's folders.
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(seeds_dir|out_dir|state_dir):.*\n", "", text)
    text += f"\nseeds_dir: {seeds}\nout_dir: {WORK / 'feeds'}\nstate_dir: {WORK / 'state'}\n"
    config.write_text(text, encoding="utf-8")
    return config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(config: Path, port: int, logfile: Path) -> subprocess.Popen:
    env = dict(os.environ, FEEDSMITH_CONFIG=str(config), PYTHONPATH=str(HERE))
    with open(logfile, "wb") as out:
        return subprocess.Popen(
            [str(GUNICORN), "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
             "app_overhead:dispatcher()"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=WORK, start_new_session=True)


def get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}); see {WORK / 'gunicorn.log'}")
        try:
            if get(url, {})[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout}s")


def wrk_rps(wrk: str, url: str, seconds: int, headers: dict[str, str], expect: int) -> float:
    cmd = [wrk, "-t2", "-c16", f"-d{seconds}s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    result = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60)
    found = re.search(r"Requests/sec:\s*([\d.]+)", result.stdout)
    if not found:
        raise SystemExit(f"wrk failed: {result.stdout}{result.stderr}")
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", result.stdout)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", result.stdout)
    if bad or (errors and int(errors.group(4))):
        log(f"  warning: {url}: {bad.group(0) if bad else ''} {errors.group(0) if errors else ''}")
    return float(found.group(1))


def python_rps(url: str, seconds: int, headers: dict[str, str], expect: int, threads: int = 16) -> float:
    """Fallback load generator: threads of http.client requests (gunicorn sync closes each connection)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    stop = time.perf_counter() + seconds
    counts = [0] * threads

    def worker(k: int) -> None:
        while time.perf_counter() < stop:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            try:
                conn.request("GET", parts.path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == expect:
                    counts[k] += 1
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=5, help="length of each load run")
    ap.add_argument("--rounds", type=int, default=3, help="rounds (the table shows the median)")
    ap.add_argument("--no-wrk", action="store_true", help="use the Python load client")
    args = ap.parse_args(argv)

    WORK.mkdir(parents=True, exist_ok=True)
    config = prepare()
    wrk = find_wrk(not args.no_wrk)
    generator = (f"wrk -t2 -c16 -d{args.seconds}s" if wrk
                 else f"python client, 16 threads, {args.seconds} s")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_gunicorn(config, port, WORK / "gunicorn.log")
    try:
        wait_ready(base + BASELINE_PREFIX + FEED, proc)
        reader = {"Accept": READER_ACCEPT}
        status, headers, body = get(base + FEED, reader)
        status_b, headers_b, body_b = get(base + BASELINE_PREFIX + FEED, reader)
        assert status == status_b == 200 and body == body_b, "the baseline must return the feed's bytes"
        assert headers["ETag"] == headers_b["ETag"] and headers["Content-Type"] == headers_b["Content-Type"]
        entries = body.count(b"<entry>") + body.count(b"<entry ")
        conditional = {**reader, "If-None-Match": headers["ETag"]}
        assert get(base + BARE_PREFIX + FEED, reader)[2] == body
        for url in (base + FEED, base + BASELINE_PREFIX + FEED, base + BARE_PREFIX + FEED):
            assert get(url, conditional)[0] == 304, url
        log(f"feed {FEED}: {len(body)} bytes, {entries} entries; load: {generator}; "
            f"gunicorn --workers 2 (sync) on 127.0.0.1:{port}")

        scenarios = (("200", reader, 200), ("304 (If-None-Match)", conditional, 304))
        targets = (("baseline", base + BASELINE_PREFIX + FEED), ("feedsmith", base + FEED),
                   ("bare", base + BARE_PREFIX + FEED))
        figures: dict[tuple[str, str], list[float]] = {}
        for name, hdrs, expect in scenarios:  # warm-up: connections, caches, CPU frequency
            for _, url in targets:
                (wrk_rps(wrk, url, 1, hdrs, expect) if wrk else python_rps(url, 1, hdrs, expect))
        for round_ in range(args.rounds):
            for name, hdrs, expect in scenarios:
                order = targets if round_ % 2 == 0 else targets[::-1]
                for who, url in order:
                    rps = (wrk_rps(wrk, url, args.seconds, hdrs, expect) if wrk
                           else python_rps(url, args.seconds, hdrs, expect))
                    figures.setdefault((name, who), []).append(rps)
                    log(f"  round {round_ + 1} {name:<20} {who:<9} {rps:9.0f} req/s")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    rows = []
    print(f"\nfeedsmith app overhead: {FEED} ({entries} entries, {len(body)} bytes), "
          f"gunicorn --workers 2, {generator}, median of {args.rounds}")
    print(f"{'response':<22}{'Flask baseline':>15}{'feedsmith':>11}{'ratio':>7}  {'(target >= ' + str(TARGET) + ')':<18}"
          f"{'bare WSGI':>10}{'vs bare':>9}")
    print(f"{'':<22}{'req/s':>15}{'req/s':>11}{'':>7}  {'':<18}{'req/s':>10}")
    for name, _, _ in scenarios:
        baseline_rps = statistics.median(figures[(name, "baseline")])
        app_rps = statistics.median(figures[(name, "feedsmith")])
        bare_rps = statistics.median(figures[(name, "bare")])
        ratio = app_rps / baseline_rps
        verdict = "ok" if ratio >= TARGET else "BELOW TARGET"
        print(f"{name:<22}{baseline_rps:>15.0f}{app_rps:>11.0f}{ratio:>7.2f}  {verdict:<18}"
              f"{bare_rps:>10.0f}{app_rps / bare_rps:>9.2f}")
        rows.append({"response": name, "baseline_rps": baseline_rps, "feedsmith_rps": app_rps,
                     "bare_rps": bare_rps, "ratio": ratio,
                     "runs": {who: figures[(name, who)] for who, _ in targets}})
    (HERE / "work" / "app-overhead.json").write_text(json.dumps(
        {"feed": FEED, "bytes": len(body), "entries": entries, "load_generator": generator,
         "server": "gunicorn --workers 2 (sync)", "rounds": args.rounds, "results": rows}, indent=2) + "\n")
    return 0 if all(r["ratio"] >= TARGET for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
