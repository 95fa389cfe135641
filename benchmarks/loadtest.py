#!/usr/bin/env python3
"""Load test of the live app under the production server command, while the seeds change.

    .venv/bin/python benchmarks/loadtest.py [--duration 60] [--connections 64] [--articles 500]

What it does, all on 127.0.0.1 and bounded in time:

1. Writes ``--articles`` synthetic seed files (benchmarks/synth.py) plus the
   bundled seeds into a temporary folder, and a config whose ``reload_interval``
   is 1 s.
2. Starts the server exactly as README.md "Deployment" says -
   ``gunicorn --workers 2 --bind 127.0.0.1:<port> 'feedsmith.wsgi:app'`` with
   ``FEEDSMITH_CONFIG`` naming that config.
3. For ``--duration`` seconds (default 60) at ``--connections`` concurrent
   connections (default 64) drives it with ``wrk --latency`` (installed with
   ``apt-get install -y wrk`` when missing; a Python thread client stands in
   when that fails) over the index, the OPML list, every format of the main,
   topic, provider and category feeds, filtered feeds and ``/healthz``, half
   of the requests asking for gzip and one in eight conditional
   (``If-Modified-Since`` in the future, so a 304).
4. Meanwhile a churn thread adds, rewrites and deletes seed files every
   second (so both workers keep reloading), a checker thread fetches the feeds
   over its own connection and validates every answer with
   :func:`feedsmith.check.check_document` (a truncated or half-updated feed
   fails it), and a sampler reads the RSS of the gunicorn master and workers
   from ``/proc`` every second.

It prints a summary table and exits 1 when any request failed (socket errors,
timeouts, a status other than 2xx/304), any checked document was invalid, or
memory grew after warm-up by more than ``--max-memory-growth`` (average RSS
of the second half against the first 10 s after a 10 s warm-up).
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(HERE))

from feedsmith.check import check_document  # noqa: E402

VENV_BIN = Path(sys.executable).parent
WARMUP = 10.0  # seconds before memory counts as "after warm-up"
FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ set-up


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_wrk() -> str | None:
    """wrk, installed from Debian when missing (needs root and network); None if impossible."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        log("wrk is missing and cannot be installed (not root or no apt-get)")
        return None
    log("installing wrk: apt-get update && apt-get install -y wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=300)
        done = subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, capture_output=True,
                              text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log(f"apt-get failed: {exc}")
        return None
    if done.returncode != 0:
        log(f"apt-get install wrk failed: {done.stderr.strip()[-300:]}")
    return shutil.which("wrk")


def prepare(root: Path, articles: int, port: int) -> Path:
    seeds = root / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    if articles:
        import synth

        synth.write(articles, seeds / "synth", seed=1, quiet=True)
    config = root / "config.yaml"
    config.write_text(
        f"title: feedsmith load test\nbase_url: http://127.0.0.1:{port}/\n"
        "seeds_dir: seeds\nout_dir: out\nstate_dir: state\nreload_interval: 1.0\n", encoding="utf-8")
    return config


def start_server(root: Path, config: Path, port: int, workers: int) -> subprocess.Popen:
    gunicorn = VENV_BIN / "gunicorn"
    if not gunicorn.exists():
        gunicorn = Path(shutil.which("gunicorn") or "gunicorn")
    command = [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "feedsmith.wsgi:app"]
    log("server: FEEDSMITH_CONFIG=" + str(config) + " " + " ".join(command))
    env = {**os.environ, "FEEDSMITH_CONFIG": str(config), "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen(command, cwd=root, env=env, start_new_session=True,
                            stdout=(root / "gunicorn.log").open("wb"), stderr=subprocess.STDOUT)


def wait_ready(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited before it was ready")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def discover(port: int) -> tuple[list[str], list[str]]:
    """(every path to load, the feed documents the checker validates) from the index page."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
        index = response.read().decode("utf-8")
    base = f"http://127.0.0.1:{port}/"
    linked = sorted({m for m in re.findall(r'href="' + re.escape(base) + r'([^"#?]+)"', index)})
    feeds = [p for p in linked if p.endswith((".rss", ".atom", ".json"))]
    mains = [p for p in feeds if p.startswith("all.")]
    others = [p for p in feeds if not p.startswith("all.")]
    # The bundled seeds are never touched by the churn, so these feeds exist throughout.
    chosen = mains + others[: 45]
    paths = ["/", "/index.html", "/feeds.opml", "/healthz", *("/" + p for p in chosen),
             "/all.atom?limit=5", "/all.rss?q=ai", "/all.json?limit=10&q=the"]
    return paths, ["/" + p for p in chosen] + ["/feeds.opml", "/all.atom?limit=5"]


# ------------------------------------------------------------------ background threads


class Churn(threading.Thread):
    """Every second: add a seed file, rewrite one, delete one (round robin)."""

    def __init__(self, seeds: Path, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.folder = seeds / "churn"
        self.stop = stop
        self.ops = {"added": 0, "changed": 0, "deleted": 0}
        self.live: list[Path] = []
        self.counter = 0

    def article(self, n: int, version: int) -> str:
        return (f"---\ntitle: \"Churn article {n} (version {version})\"\n"
                f"excerpt: \"A story that comes and goes, number {n}.\"\n"
                f"publishedDateTime: 2024-06-{1 + n % 28:02d}T{n % 24:02d}:00:00Z\n"
                f"originalUrl: https://churn.example.com/story/{n}\n"
                f"provider: {{name: Churn News, domain: churn.example.com}}\n"
                f"topics: [AI]\n---\n"
                f"The body of churn article {n}, version {version}. It changes every few seconds.\n")

    def run(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        step = 0
        while not self.stop.wait(1.0):
            step += 1
            try:
                action = step % 3
                if action == 1 or not self.live:
                    self.counter += 1
                    path = self.folder / f"churn-{self.counter:05d}.md"
                    path.write_text(self.article(self.counter, 1), encoding="utf-8")
                    self.live.append(path)
                    self.ops["added"] += 1
                elif action == 2:
                    path = self.live[step % len(self.live)]
                    n = int(path.stem.split("-")[1])
                    path.write_text(self.article(n, step), encoding="utf-8")
                    self.ops["changed"] += 1
                elif len(self.live) > 3:
                    self.live.pop(0).unlink()
                    self.ops["deleted"] += 1
            except OSError as exc:
                log(f"churn: {exc}")


class Checker(threading.Thread):
    """Fetches feed documents continuously and validates each complete answer."""

    def __init__(self, port: int, paths: list[str], stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port, self.paths, self.stop = port, paths, stop
        self.checked = 0
        self.invalid: list[str] = []
        self.errors: list[str] = []

    def run(self) -> None:
        conn = None
        n = 0
        while not self.stop.is_set():
            path = self.paths[n % len(self.paths)]
            gz = n % 2 == 1
            n += 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", path, headers={"Accept-Encoding": "gzip"} if gz else {})
                response = conn.getresponse()
                body = response.read()
                if response.getheader("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if response.status != 200:
                    self.errors.append(f"{path}: HTTP {response.status}")
                    continue
                length = response.getheader("Content-Length")
                problems = check_document(path.split("?")[0], body)
                if length is not None and gz is False and int(length) != len(body):
                    problems.append(f"Content-Length {length} but {len(body)} bytes")
                self.checked += 1
                if problems:
                    self.invalid.append(f"{path}: {problems[:2]}")
            except (OSError, http.client.HTTPException, EOFError) as exc:
                self.errors.append(f"{path}: {type(exc).__name__}: {exc}")
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()


def tree_pids(root_pid: int) -> list[int]:
    pids, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    todo.extend(int(k) for k in fh.read().split())
        except OSError:
            continue
    return pids


def rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MemorySampler(threading.Thread):
    """RSS of the gunicorn master plus workers, every second: (seconds since start, MiB, processes)."""

    def __init__(self, pid: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.pid, self.stop = pid, stop
        self.samples: list[tuple[float, float, int]] = []
        self.started = time.monotonic()

    def run(self) -> None:
        while True:
            pids = tree_pids(self.pid)
            self.samples.append((time.monotonic() - self.started, sum(rss_mib(p) for p in pids), len(pids)))
            if self.stop.wait(1.0):
                return


# ------------------------------------------------------------------ load generators

LUA = r"""
local paths = {%(paths)s}
local feeds = {%(feeds)s}
local counter = 0
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  ok, notmodified, other = 0, 0, 0
end

request = function()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  local headers = {}
  if counter %% 2 == 0 then headers["Accept-Encoding"] = "gzip" end
  if counter %% 8 == 3 and feeds[path] then headers["If-Modified-Since"] = "%(future)s" end
  return wrk.format("GET", path, headers)
end

response = function(status, headers, body)
  if status == 304 then notmodified = notmodified + 1
  elseif status >= 200 and status < 300 then ok = ok + 1
  else other = other + 1 end
end

done = function(summary, latency, requests)
  local o, n, x = 0, 0, 0
  for _, thread in ipairs(threads) do
    o = o + thread:get("ok"); n = n + thread:get("notmodified"); x = x + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "ok": %%d, "not_modified": %%d, "other": %%d, ' ..
    '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, "mean_us": %%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    o, n, x, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def run_wrk(wrk: str, port: int, paths: list[str], feeds: list[str], args, workdir: Path) -> dict:
    def lua_list(items):
        return ", ".join(json.dumps(p) for p in items)

    script = workdir / "load.lua"
    script.write_text(LUA % {
        "paths": lua_list(paths),
        "feeds": ", ".join(f"[{json.dumps(p)}] = true" for p in paths if p in feeds or p.startswith("/all.")),
        "future": FUTURE,
    })
    command = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
               "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}"]
    log(" ".join(command))
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 120)
    (workdir / "wrk.out").write_text(done.stdout + done.stderr)
    line = next((l for l in done.stdout.splitlines() if l.startswith("WRKJSON ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:]}\n{done.stdout[-500:]}")
    result = json.loads(line.removeprefix("WRKJSON "))
    result["tool"] = "wrk " + (subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split()[:2][-1]
                               if shutil.which(wrk) else "")
    result["raw"] = done.stdout
    return result


def run_python_client(port: int, paths: list[str], feeds: list[str], args) -> dict:
    """Stand-in for wrk: one keep-alive connection per thread, same request mix."""
    latencies: list[list[float]] = [[] for _ in range(args.connections)]
    counts = {"ok": 0, "not_modified": 0, "other": 0, "errors": 0, "bytes": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + args.duration

    def worker(k: int) -> None:
        conn = None
        n = k
        local = {"ok": 0, "not_modified": 0, "other": 0, "errors": 0, "bytes": 0}
        while time.monotonic() < deadline:
            n += 1
            path = paths[n % len(paths)]
            headers = {"Accept-Encoding": "gzip"} if n % 2 == 0 else {}
            if n % 8 == 3 and path in feeds:
                headers["If-Modified-Since"] = FUTURE
            started = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                local["bytes"] += len(response.read())
                status = response.status
                local["not_modified" if status == 304 else "ok" if 200 <= status < 300 else "other"] += 1
            except (OSError, http.client.HTTPException):
                local["errors"] += 1
                conn = None
                continue
            latencies[k].append(time.perf_counter() - started)
        with lock:
            for key, value in local.items():
                counts[key] += value

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(args.connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    flat = sorted(x for per in latencies for x in per)

    def pct(p: float) -> int:
        return int(flat[min(len(flat) - 1, int(p / 100 * len(flat)))] * 1e6) if flat else 0

    total = counts["ok"] + counts["not_modified"] + counts["other"]
    return {"requests": total + counts["errors"], "duration_us": int(elapsed * 1e6), "bytes": counts["bytes"],
            "connect": 0, "read": counts["errors"], "write": 0, "status": counts["other"], "timeout": 0,
            "ok": counts["ok"], "not_modified": counts["not_modified"], "other": counts["other"],
            "p50_us": pct(50), "p90_us": pct(90), "p99_us": pct(99), "max_us": pct(100),
            "mean_us": statistics.fmean(flat) * 1e6 if flat else 0.0, "tool": "python threads (wrk unavailable)",
            "raw": ""}


# ------------------------------------------------------------------ report


def memory_verdict(samples: list[tuple[float, float, int]], duration: float) -> dict:
    after = [(t, m) for t, m, _ in samples if t >= WARMUP]
    first = [m for t, m in after if t < WARMUP + 10]
    second = [m for t, m in after if t >= duration / 2]
    peak = max((m for _, m, _ in samples), default=0.0)
    a = statistics.fmean(first) if first else 0.0
    b = statistics.fmean(second) if second else 0.0
    return {"peak": peak, "early": a, "late": b, "growth": (b - a) / a if a else 0.0,
            "processes": max((n for _, _, n in samples), default=0)}


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    values = max(len(v) for _, v in rows)
    line = "+" + "-" * (width + 2) + "+" + "-" * (values + 2) + "+"
    out = [line]
    for key, value in rows:
        out.append(f"| {key:<{width}} | {value:<{values}} |")
    out.append(line)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    parser.add_argument("--threads", type=int, default=4, help="wrk threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, as in README)")
    parser.add_argument("--articles", type=int, default=500, help="synthetic seed files (default 500)")
    parser.add_argument("--max-memory-growth", type=float, default=0.25,
                        help="allowed RSS growth after warm-up, as a fraction (default 0.25)")
    parser.add_argument("--python-client", action="store_true", help="use the Python client even if wrk exists")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, wrk output)")
    args = parser.parse_args(argv)
    if args.duration < 1 or args.connections < 1:
        parser.error("--duration and --connections must be positive")

    wrk = None if args.python_client else find_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="feedsmith-loadtest-"))
    port = free_port()
    config = prepare(workdir, args.articles, port)
    server = start_server(workdir, config, port, args.workers)
    stop = threading.Event()
    threads: list[threading.Thread] = []
    try:
        wait_ready(port, server)
        paths, feeds = discover(port)
        log(f"{len(paths)} paths; checker validates {len(feeds)} documents; load for {args.duration}s "
            f"at {args.connections} connections")
        sampler = MemorySampler(server.pid, stop)
        churn = Churn(workdir / "seeds", stop)
        checker = Checker(port, feeds, stop)
        threads = [sampler, churn, checker]
        for thread in threads:
            thread.start()
        load = (run_wrk(wrk, port, paths, feeds, args, workdir) if wrk
                else run_python_client(port, paths, feeds, args))
        time.sleep(1.5)  # let the last reload land, then one more round of checks
        stop.set()
        for thread in threads:
            thread.join(60)
        health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).read())
    finally:
        stop.set()
        stop_server(server)

    memory = memory_verdict(sampler.samples, args.duration)
    seconds = load["duration_us"] / 1e6
    socket_errors = load["connect"] + load["read"] + load["write"] + load["timeout"]
    bad_status = load["other"]
    rows = [
        ("load generator", load["tool"]),
        ("server", f"gunicorn --workers {args.workers} (feedsmith.wsgi:app)"),
        ("duration / connections", f"{seconds:.1f} s / {args.connections}"),
        ("seed files", f"{args.articles} synthetic + 5 bundled + churn"),
        ("requests", f"{load['requests']:,}"),
        ("requests/s", f"{load['requests'] / seconds:,.0f}"),
        ("latency p50 / p90 / p99", f"{load['p50_us'] / 1000:.2f} / {load['p90_us'] / 1000:.2f} / "
                                    f"{load['p99_us'] / 1000:.2f} ms"),
        ("latency mean / max", f"{load['mean_us'] / 1000:.2f} / {load['max_us'] / 1000:.1f} ms"),
        ("transferred", f"{load['bytes'] / 1e6:,.1f} MB"),
        ("2xx / 304", f"{load['ok']:,} / {load['not_modified']:,}"),
        ("non-2xx/304 responses", f"{bad_status}"),
        ("socket errors (c/r/w/timeout)",
         f"{socket_errors} ({load['connect']}/{load['read']}/{load['write']}/{load['timeout']})"),
        ("checker: documents validated", f"{checker.checked:,}"),
        ("checker: invalid / failed", f"{len(checker.invalid)} / {len(checker.errors)}"),
        ("churn: added/changed/deleted", "/".join(str(churn.ops[k]) for k in ("added", "changed", "deleted"))),
        ("articles at the end", f"{health['articles']} ({health['problems']} problem files)"),
        ("RSS peak (master+workers)", f"{memory['peak']:.1f} MiB in {memory['processes']} processes"),
        ("RSS avg 10-20 s / 2nd half", f"{memory['early']:.1f} / {memory['late']:.1f} MiB "
                                       f"({memory['growth'] * 100:+.1f} %)"),
    ]
    print(table(rows))
    if load.get("raw"):
        latency = re.search(r"Latency Distribution\n((?:.*\n){4})", load["raw"])
        if latency:
            print("wrk --latency:\n" + latency.group(1).rstrip())
    for message in (checker.invalid + checker.errors)[:10]:
        print(f"  checker: {message}")
    failures = []
    if socket_errors or bad_status:
        failures.append(f"{socket_errors} socket errors, {bad_status} responses not 2xx/304")
    if checker.invalid or checker.errors:
        failures.append(f"{len(checker.invalid)} invalid documents, {len(checker.errors)} failed checks")
    if checker.checked == 0:
        failures.append("the checker validated nothing")
    if memory["growth"] > args.max_memory_growth:
        failures.append(f"memory grew {memory['growth'] * 100:.0f} % after warm-up")
    if args.keep:
        print(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print("PASS: no errors, every status 2xx/304, every checked document valid, memory flat")
    return 0


if __name__ == "__main__":
    sys.exit(main())
