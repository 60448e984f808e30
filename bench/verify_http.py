"""Verification under gunicorn (DESIGN §9):

- `/v/<id>` server-rendered ≥ 0.6 × the throughput of a trivial route (`/healthz`) in the
  same run: `wrk` (Debian's package) loads both routes, alternating, against one gunicorn;
  throughput and latency percentiles are wrk's;
- the status API's p99 latency at 200 requests/s < 25 ms: wrk can't pace requests, so an
  open-loop asyncio client here sends one request every 5 ms (a new connection each, as
  gunicorn's sync workers close them) and reports p50/p95/p99.

Server: gunicorn, 2 sync workers, `APP_ENV=production` (random SECRET_KEY and case-log key,
plain HTTP on a free 127.0.0.1 port, so cookies are not marked Secure) over a temporary
SQLite database holding one issued certificate. Rate limiting stays on (memory storage) with
a limit no benchmark reaches, so its cost is measured. Each row runs for at most 15 s.
"""
import asyncio
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
RATIO_TARGET = 0.6
P99_TARGET_MS = 25
API_RATE = 200
WRK_SECONDS = 3  # per leg; two legs per route
API_SECONDS = 8


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url, tmp, **extra):
    """Environment for gunicorn with the production config on loopback."""
    from cryptography.fernet import Fernet

    return dict(os.environ, APP_ENV="production", DATABASE_URL=database_url,
                SECRET_KEY=secrets.token_urlsafe(48), CASELOG_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
                SIGNING_KEYS_DIR=f"{tmp}/keys", SESSION_COOKIE_SECURE="0", TRUST_PROXY="0",
                VERIFY_RATE_LIMIT="1000000 per minute", LOG_LEVEL="WARNING",
                RATELIMIT_STORAGE_URI=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
                MAIL_SERVER="smtp.invalid",  # the outbox only queues; nothing is sent in a bench
                PUBLIC_BASE_URL="https://pranikah-kupang.example.org", **extra)


def start_gunicorn(env, workers=2, log=None):
    """gunicorn on a free loopback port; (process, base URL) once `/healthz` answers."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--log-level", "warning", "course_app:create_app()"],
        cwd=ROOT, env=env, stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(process)
    raise RuntimeError("gunicorn did not start")


def stop_gunicorn(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# --- wrk -------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url, seconds=WRK_SECONDS, connections=8):
    """wrk's requests/s, latency percentiles (ms) and non-2xx/3xx + socket error count."""
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    percentiles = {int(p): _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    # a sync worker closes every connection: wrk counts those closes as read errors; only
    # connect/write errors and timeouts are failures
    if socket_errors:
        errors += sum(int(socket_errors.group(i)) for i in (1, 3, 4))
    return {"rps": rps, "requests": requests, "latency_ms": percentiles, "errors": errors}


def compare(base, trivial_path, page_path, legs=2):
    """Alternate trivial and page legs against the same server; summed throughput each."""
    trivial, page = [], []
    for _ in range(legs):
        trivial.append(wrk(base + trivial_path))
        page.append(wrk(base + page_path))
    return trivial, page


# --- paced client ----------------------------------------------------------------------------

def paced_latencies(port, path, rate=API_RATE, seconds=API_SECONDS):
    """Open loop: a request starts every 1/rate s whatever the earlier ones do (so a slow
    server can't slow the generator down and hide its latency), each on a new connection.
    Latency is from that request's scheduled start to the end of the response, in ms."""
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").encode()

    async def one(scheduled, latencies, failures):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            status = await reader.readline()
            await reader.read()
            writer.close()
        except OSError:
            failures.append(path)
            return
        if b" 200 " not in status:
            failures.append(status)
        latencies.append((time.perf_counter() - scheduled) * 1000)

    async def run():
        latencies, failures, tasks = [], [], []
        begin = time.perf_counter()
        for n in range(int(rate * seconds)):
            scheduled = begin + n / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(scheduled, latencies, failures)))
        await asyncio.gather(*tasks)
        return sorted(latencies), failures, time.perf_counter() - begin

    return asyncio.run(run())


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, max(0, round(len(sorted_values) * p / 100) - 1))]


def measure(tmp):
    from bench.certificates import measure_issue

    _median, certificate_id = measure_issue(runs=1, tmp=tmp)
    process, base = start_gunicorn(production_env(f"sqlite:///{tmp}/bench.sqlite3", tmp))
    page_path, api_path = f"/v/{certificate_id}", f"/api/v1/certificates/{certificate_id}"
    try:
        for path in ("/healthz", page_path, api_path):
            wrk(base + path, seconds=1)  # warm both workers
        trivial, page = compare(base, "/healthz", page_path)
        latencies, failures, elapsed = paced_latencies(int(base.rsplit(":", 1)[1]), api_path)
    finally:
        stop_gunicorn(process)
    return trivial, page, latencies, failures, elapsed


def table():
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: apt-get install -y wrk (make bench does it)")
    tmp = tempfile.mkdtemp(prefix="bench-http-")
    try:
        trivial, page, latencies, failures, elapsed = measure(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    trivial_rps = sum(r["rps"] for r in trivial) / len(trivial)
    page_rps = sum(r["rps"] for r in page) / len(page)
    ratio = page_rps / trivial_rps
    errors = sum(r["errors"] for r in trivial + page)

    def pcts(runs):
        return "/".join(f"{max(r['latency_ms'][p] for r in runs):.1f}" for p in (50, 90, 99))

    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
    rate = len(latencies) / elapsed
    return [
        ("/v/<id> throughput / /healthz (gunicorn, wrk)", f"{ratio:.2f} x", f">= {RATIO_TARGET} x trivial",
         RATIO_TARGET / ratio if ratio else 99.0, ratio >= RATIO_TARGET and errors == 0),
        ("  /v/<id> req/s; wrk p50/p90/p99 ms", f"{page_rps:.0f}", pcts(page), 0.0, True),
        ("  /healthz req/s; wrk p50/p90/p99 ms", f"{trivial_rps:.0f}", pcts(trivial), 0.0, True),
        (f"status API p99 at {API_RATE} req/s (gunicorn)", f"{p99:.1f} ms", f"< {P99_TARGET_MS} ms",
         p99 / P99_TARGET_MS, p99 < P99_TARGET_MS and not failures),
        ("  status API p50/p95 ms; achieved req/s", f"{p50:.1f}/{p95:.1f}", f"{rate:.0f} req/s, {len(failures)} failed",
         0.0, True),
    ]


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    for row in table():
        print(row)
