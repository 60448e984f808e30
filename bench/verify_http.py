"""Verification under gunicorn (product §9):

- `/v/<id>` server-rendered ≥ 0.5 × the throughput of a trivial route (`/healthz`) in the
  same run, over `PAGE_IDS` distinct certificate ids: `wrk` (Debian's package) loads both
  routes, alternating, against one gunicorn; for the page a Lua script picks a random id from
  the list for every request, without cookies and without `If-None-Match` (a first scan: the
  page is rendered from the database every time, nothing is answered 304). Throughput and
  latency percentiles are wrk's. A reference row loads `/verify/scan` the same way: a page
  rendered from the same base template with neither database nor rate limit, to tell the
  cost of the verification view from the cost of any server-rendered page;
- the status API's p99 latency at 200 requests/s < 25 ms: wrk can't pace requests, so an
  open-loop asyncio client here sends one request every 5 ms (a new connection each, as
  gunicorn's sync workers close them) and reports p50/p95/p99.

Server: gunicorn, 2 sync workers, `APP_ENV=production` (random SECRET_KEY and case-log key,
plain HTTP on a free 127.0.0.1 port, so cookies are not marked Secure) over a temporary
SQLite database: one certificate issued for real (bench/certificates.py), then `PAGE_IDS`
copies of its row under new random ids, bulk-inserted (a mix of valid, used, expired and
revoked, with different names). Rate limiting stays on (Redis storage, as in production) with
a limit no benchmark reaches, so its cost is measured. Each row runs for at most 15 s.
"""
import asyncio
import copy
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
RATIO_TARGET = 0.5
PAGE_IDS = 5_000
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


#: wrk script: every request asks for `/v/<id>` of a random id from the file given after `--`.
RANDOM_ID_SCRIPT = """
local ids = {}

function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  math.randomseed(os.time())
end

function request()
  return wrk.format("GET", "/v/" .. ids[math.random(#ids)])
end
"""


def wrk(url, seconds=WRK_SECONDS, connections=8, script=None, script_args=()):
    """wrk's requests/s, latency percentiles (ms) and non-2xx/3xx + socket error count."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    if script_args:
        command += ["--", *map(str, script_args)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
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


def compare(base, trivial_path, reference_path, page_script, ids_file, legs=2):
    """Alternate trivial, reference and page legs against the same server; each leg's figures."""
    trivial, reference, page = [], [], []
    for _ in range(legs):
        trivial.append(wrk(base + trivial_path))
        reference.append(wrk(base + reference_path))
        page.append(wrk(base + "/", script=page_script, script_args=[ids_file]))
    return trivial, reference, page


# --- many certificates -----------------------------------------------------------------------

def seed_certificates(database_url, certificate_id, count=PAGE_IDS):
    """`count` more certificates: copies of the issued row `certificate_id` under new random ids, a tenth
    used, a twentieth expired, a twentieth revoked, each pair with its own names (the page never
    reads the PDF: copies hold a stub). Inserted in one executemany (issuing 5,000 for real would take minutes and measure issuing). Returns
    every certificate id, the issued ones first."""
    from sqlalchemy import create_engine, insert, select

    from course_app.models.certificates import Certificate
    from course_app.services.certificates import new_certificate_id
    from course_app.services.clock import utcnow

    table = Certificate.__table__
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            issued = connection.scalars(select(table.c.id)).all()
            original = connection.execute(select(table).where(table.c.id == certificate_id)).mappings().one()
            now = utcnow()
            rng = random.Random(7)
            rows = []
            for n in range(count):
                row = dict(original, id=new_certificate_id(), live_couple_id=None, pdf=b"%PDF-",
                           snapshot=copy.deepcopy(original["snapshot"]))
                for k, person in enumerate(row["snapshot"]["people"]):
                    person["name"] = f"Peserta Sintetis {n} {'AB'[k]}"
                kind = rng.random()
                if kind < 0.10:
                    row.update(used_at=now - timedelta(days=1), marriage_date=(now - timedelta(days=1)).date(),
                               marriage_institution_type="gereja", marriage_institution_name=f"Jemaat Sintetis {n}")
                elif kind < 0.15:
                    row.update(expires_at=now - timedelta(days=1))
                elif kind < 0.20:
                    row.update(revoked_at=now - timedelta(days=1), revocation_reason="data_error")
                rows.append(row)
            connection.execute(insert(table), rows)
    finally:
        engine.dispose()
    return issued + [row["id"] for row in rows]


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
    database_url = f"sqlite:///{tmp}/bench.sqlite3"
    ids = seed_certificates(database_url, certificate_id)
    ids_file, page_script = Path(tmp) / "ids.txt", Path(tmp) / "random-id.lua"
    ids_file.write_text("\n".join(ids) + "\n")
    page_script.write_text(RANDOM_ID_SCRIPT)
    process, base = start_gunicorn(production_env(database_url, tmp))
    api_path = f"/api/v1/certificates/{certificate_id}"
    try:
        for path in ("/healthz", "/verify/scan", api_path):
            wrk(base + path, seconds=1)  # warm both workers
        wrk(base + "/", seconds=1, script=page_script, script_args=[ids_file])
        trivial, reference, page = compare(base, "/healthz", "/verify/scan", page_script, ids_file)
        latencies, failures, elapsed = paced_latencies(int(base.rsplit(":", 1)[1]), api_path)
    finally:
        stop_gunicorn(process)
    floor = json.loads(subprocess.run(
        [str(BIN / "python"), "-m", "bench.verify_floor", str(ids_file)], cwd=ROOT,
        env=production_env(database_url, tmp), capture_output=True, text=True, check=True, timeout=300).stdout)
    return trivial, reference, page, latencies, failures, elapsed, len(ids), floor


def table():
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: apt-get install -y wrk (make bench does it)")
    tmp = tempfile.mkdtemp(prefix="bench-http-")
    try:
        trivial, reference, page, latencies, failures, elapsed, id_count, floor = measure(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    trivial_rps = sum(r["rps"] for r in trivial) / len(trivial)
    reference_rps = sum(r["rps"] for r in reference) / len(reference)
    page_rps = sum(r["rps"] for r in page) / len(page)
    ratio = page_rps / trivial_rps
    errors = sum(r["errors"] for r in trivial + reference + page)

    def pcts(runs):
        return "/".join(f"{max(r['latency_ms'][p] for r in runs):.1f}" for p in (50, 90, 99))

    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
    # At RATIO_TARGET the page may cost the machine (1/RATIO_TARGET - 1) trivial requests more
    # than the trivial route: that much CPU per request, all cores counted (bench/verify_floor.py).
    allowance_ms = (1 / RATIO_TARGET - 1) * (os.cpu_count() or 1) / trivial_rps * 1000
    extra = floor["extra_ms"]
    floor_ms = sum(extra.values())
    rate = len(latencies) / elapsed
    return [
        ("/v/<id> throughput / /healthz (gunicorn, wrk)", f"{ratio:.2f} x", f">= {RATIO_TARGET} x trivial",
         RATIO_TARGET / ratio if ratio else 99.0, ratio >= RATIO_TARGET and errors == 0),
        (f"  /v/<id> req/s over {id_count} ids; wrk p50/p90/p99 ms", f"{page_rps:.0f}", pcts(page), 0.0, True),
        ("  /healthz req/s; wrk p50/p90/p99 ms", f"{trivial_rps:.0f}", pcts(trivial), 0.0, True),
        ("  reference: /verify/scan (rendered, no db) / /healthz", f"{reference_rps / trivial_rps:.2f} x",
         f"{reference_rps:.0f} req/s", 0.0, True),
        (f"  {RATIO_TARGET} x allows the page this CPU over the trivial route", f"{allowance_ms:.2f} ms",
         f"{os.cpu_count()} cores / {trivial_rps:.0f} req/s", 0.0, True),
        ("  floor over trivial: rate limit + read + empty base.html", f"{floor_ms:.2f} ms",
         "/".join(f"{extra[k]:.2f}" for k in ("limited", "read", "shell")) + " ms (in-process)",
         floor_ms / allowance_ms if allowance_ms else 0.0, True),
        ("  /v/<id> over trivial (in-process)", f"{floor['page_extra_ms']:.2f} ms",
         f"trivial itself {floor['trivial_ms']:.2f} ms", 0.0, True),
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
