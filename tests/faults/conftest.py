"""Fault tests run against a throwaway PostgreSQL the test starts on its own port — never the
shared server. initdb refuses to run as root, so the cluster runs as the `postgres` user."""
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


def pytest_collection_modifyitems(items):
    """`-m "not faults"` (make test-fast) leaves these out: they need PostgreSQL's server binaries."""
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    def __init__(self):
        if PG_BIN is None:
            pytest.fail("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.dir = Path(tempfile.mkdtemp(prefix="pk-faults-"))
        self.data = self.dir / "data"
        self.port = free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        try:
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)  # leave no empty cluster dirs behind
            raise
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool, *args):
        command = [str(PG_BIN / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self):
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "30",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                  "start")

    def stop(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def throwaway_postgres():
    server = ThrowawayPostgres()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def serve():
    """`serve(app)` → base URL of `app` served on a free loopback port for this test."""
    servers = []

    def start(app):
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()


# --- additions for the backup/restore and upload fault tests -------------------------------------
# (ThrowawayPostgres above is unchanged; these only add to it.)

def _pg(server, tool, *args, timeout=60):
    """Run a PostgreSQL client tool against `server` (as postgres when we are root)."""
    command = [str(PG_BIN / tool), "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, timeout=timeout)


def database_url(server, name):
    """The SQLAlchemy URL of database `name` in the throwaway cluster."""
    return f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/{name}"


def create_database(server, name):
    _pg(server, "createdb", name)
    return database_url(server, name)


def dump_database(server, name, path):
    """`pg_dump -Fc` of database `name` into `path` (a file inside the cluster's directory)."""
    _pg(server, "pg_dump", "-Fc", "--no-owner", "-f", str(path), name)
    return path


def restore_database(server, path, name):
    """`pg_restore` the custom-format dump at `path` into the (empty) database `name`."""
    _pg(server, "pg_restore", "--no-owner", "--exit-on-error", "--single-transaction",
        "-d", name, str(path))


class Gunicorn:
    """`.venv/bin/gunicorn` serving `course_app:create_app()` from the repository, with `env`."""

    def __init__(self, env, workers=2, timeout=30):
        root = Path(__file__).resolve().parents[2]
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="pk-gunicorn-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [str(root / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--worker-class", "sync", "--timeout", str(timeout),
             "--graceful-timeout", "2", "--no-control-socket", "course_app:create_app()"],
            cwd=root, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, deadline=60):
        """Until a worker answers /healthz. Four workers importing the app at once on a busy
        2-core machine (the suite's other worker, Chromium, PostgreSQL) took over 15 s."""
        import time
        import urllib.request
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.output())
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /healthz:\n" + self.output())

    def worker_pids(self):
        """Pids of the master's current worker processes: every live process whose parent is the
        master (read from /proc/*/stat, which, unlike a task's `children` file, is exact while
        processes are being forked)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # exited while we looked
            state, parent = fields[0], int(fields[1])
            if parent == self.process.pid and state not in ("Z", "X"):
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def worker_holding(self, client_port):
        """The worker pid whose socket is the server side of our connection from `client_port`."""
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                local, remote, inode = fields[1], fields[2], fields[9]
                if (int(local.rsplit(":", 1)[1], 16) == self.port
                        and int(remote.rsplit(":", 1)[1], 16) == client_port):
                    inodes.add(f"socket:[{inode}]")
        for pid in self.worker_pids():
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    if os.readlink(fd) in inodes:
                        return pid
                except OSError:
                    continue
        return None

    def output(self):
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # the master stops its workers
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                for pid in self.worker_pids():
                    try:
                        os.kill(pid, 9)
                    except ProcessLookupError:
                        pass
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


@pytest.fixture
def gunicorn():
    """`gunicorn(env, workers=2)` → a started, ready Gunicorn; stopped at teardown, always."""
    started = []

    def start(env, **options):
        server = Gunicorn(env, **options)
        started.append(server)
        return server.wait_ready()

    yield start
    for server in started:
        server.stop()
