"""Shared machinery for the benchmarks: a fresh database per run, Django set up
for it in this process, users and tokens through the real `opsdesk` CLI, a
gunicorn server on 127.0.0.1, a small threaded HTTP client and latency
statistics.

Each benchmark process measures one database. `run_per_database` re-runs the
script once per database in a child process, because Django cannot switch
its default database once it is set up. Run the scripts as modules from the
repository root (`python -m bench.queue`): a script's own directory on
sys.path would let bench/queue.py shadow the standard library's `queue`.
"""

import argparse
import contextlib
import http.client
import importlib.util
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import psycopg

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_PORT = int(os.environ.get("PGPORT", "54329"))
PG_SERVER = f"postgres://opsdesk@127.0.0.1:{PG_PORT}"
DATABASES = ("postgresql", "sqlite")
BENCH_USER = "bench_agent"
BENCH_PASSWORD = "bench-Pa55word"


# ---------------------------------------------------------------- databases


def durable_postgres() -> None:
    """Make sure the private cluster runs with fsync on, as production does."""
    if _pg_setting("fsync") == "on":
        return
    print("note: (re)starting the private PostgreSQL cluster with PG_DURABLE=1 "
          "(fsync and synchronous_commit on); it stays in that mode. "
          "`./scripts/postgres stop && ./scripts/postgres` returns it to fast test mode.")
    subprocess.run([REPO / "scripts" / "postgres", "stop"], check=True)
    subprocess.run([REPO / "scripts" / "postgres"], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PG_DURABLE": "1"})
    if _pg_setting("fsync") != "on":
        raise SystemExit("PostgreSQL did not come back with fsync on")


def _pg_setting(name: str) -> str | None:
    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3) as conn:
            return conn.execute(f"SHOW {name}").fetchone()[0]
    except psycopg.OperationalError:
        return None


def fresh_database(kind: str, name: str, workdir: Path) -> str:
    """An empty database; returns its DATABASE_URL."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / (name + '.sqlite3')}"
    durable_postgres()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def server_environment(url: str, workdir: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "opsdesk.settings",
        "DATABASE_URL": url,
        "OPSDESK_VAR_DIR": str(workdir),
        "OPSDESK_SECRET_KEY": "bench-only-not-a-secret",
        "OPSDESK_LOG_LEVEL": "WARNING",
    }


def setup_django(url: str, workdir: Path) -> dict:
    """Point this process's Django at `url`; returns the environment for children."""
    env = server_environment(url, workdir)
    os.environ.update(env)
    import django

    django.setup()
    return env


def cli_available() -> bool:
    return importlib.util.find_spec("opsdesk.cli") is not None


def opsdesk(env: dict, *args: str) -> str:
    done = subprocess.run([BIN / "opsdesk", *args], env=env, cwd=env["OPSDESK_VAR_DIR"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"opsdesk {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def migrate_and_issue_token(env: dict, *, role: str = "agent") -> str:
    """Migrate, create the benchmark user and return an API token for it,
    through the real CLI when it exists."""
    if cli_available():
        opsdesk(env, "migrate")
        opsdesk({**env, "OPSDESK_PASSWORD": BENCH_PASSWORD}, "createuser", BENCH_USER,
                "--role", role)
        return opsdesk(env, "token", "create", "--user", BENCH_USER).strip()
    print("note: opsdesk.cli is not there yet; migrating and creating the user via the ORM")
    from django.core.management import call_command

    from opsdesk.core.models import ApiToken, User

    call_command("migrate", verbosity=0)
    user = User.objects.create_user(BENCH_USER, password=BENCH_PASSWORD, role=role)
    return ApiToken.issue(user, name="bench")[1]


def close_django_connections() -> None:
    from django.db import connections

    connections.close_all()


# ------------------------------------------------------------------- server


@dataclass
class ServerShape:
    workers: int
    threads: int

    def describe(self) -> str:
        return f"gunicorn gthread, {self.workers} workers x {self.threads} threads"


# Measured on 2 cores with 8 clients (bench/README.md): one thread per process
# and two processes per core. Threads in one process queue for its GIL while
# one of them holds the day's counter row, which every create waits for;
# more processes than that only add context switches.
DEFAULT_SHAPE = ServerShape(workers=2 * (os.cpu_count() or 1), threads=1)


def add_server_arguments(parser) -> None:
    parser.add_argument("--workers", type=int, default=DEFAULT_SHAPE.workers,
                        help="gunicorn worker processes (default: two per core)")
    parser.add_argument("--threads", type=int, default=DEFAULT_SHAPE.threads,
                        help="threads per worker")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict, shape: ServerShape):
    """Run `gunicorn opsdesk.wsgi:application` on 127.0.0.1; yields (host, port)."""
    port = free_port()
    log = Path(env["OPSDESK_VAR_DIR"]) / "gunicorn.log"
    command = [
        BIN / "gunicorn", "opsdesk.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(shape.workers), "--threads", str(shape.threads),
        "--worker-class", "gthread", "--keep-alive", "30", "--log-level", "warning",
    ]
    with log.open("w") as log_file:
        server = subprocess.Popen(command, env=env, cwd=env["OPSDESK_VAR_DIR"],
                                  stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_until_listening(port, server, log)
        yield ("127.0.0.1", port)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_listening(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        time.sleep(0.1)
    raise SystemExit(f"gunicorn did not start listening within 60 s:\n{log.read_text()}")


# ------------------------------------------------------------------- client


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float
    headers: dict = field(default_factory=dict)


class Client:
    """One keep-alive HTTP/1.1 connection with a cookie jar; not thread-safe."""

    def __init__(self, address: tuple[str, int], headers: dict | None = None):
        self.address = address
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self._connection = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> Response:
        headers = {**self.headers, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(*self.address, timeout=60)
            started = time.perf_counter()
            try:
                self._connection.request(method, path, body=body, headers=headers)
                answer = self._connection.getresponse()
                content = answer.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection; reconnect once.
                self._connection.close()
                self._connection = None
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - started
            self._remember_cookies(answer.headers.get_all("Set-Cookie") or [])
            if answer.getheader("Connection", "").lower() == "close":
                self._connection.close()
                self._connection = None
            return Response(answer.status, content, seconds, dict(answer.headers))
        raise AssertionError("unreachable")

    def _remember_cookies(self, lines: list[str]) -> None:
        for line in lines:
            name, _, rest = line.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def log_in(self, username: str, password: str) -> None:
        """Sign in to the console through the real login form (CSRF included)."""
        form = self.request("GET", "/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.body)
        if form.status != 200 or match is None:
            raise SystemExit(f"the login page did not offer a form (HTTP {form.status})")
        body = (f"csrfmiddlewaretoken={match.group(1).decode()}&username={username}"
                f"&password={password}").encode()
        answer = self.request("POST", "/login/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        if answer.status != 302:
            raise SystemExit(f"console login failed (HTTP {answer.status})")


@dataclass
class LoadResult:
    latencies: list[float]
    wall_seconds: float
    client_cpu_seconds: float
    statuses: Counter
    first_failure: str | None

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall_seconds


BASELINE_PATH = "/api/v1/teams"


def baseline_load(address, *, clients: int, headers: dict, total: int) -> LoadResult:
    """The same server and clients on an authenticated trivial endpoint (one
    small query): what this machine does per request before any real work.
    Figures divided by it compare across machines."""
    get = ("GET", BASELINE_PATH, None, {})
    run_load(address, clients=clients, total=clients * 10, headers=headers,
             make_request=lambda _i: get, expect=200)
    result = run_load(address, clients=clients, total=total, headers=headers,
                      make_request=lambda _i: get, expect=200)
    if result.first_failure:
        raise SystemExit(f"baseline failed: {result.first_failure}")
    return result


def run_load(address, *, clients: int, total: int, headers: dict, make_request,
             expect: int) -> LoadResult:
    """`total` requests from `clients` threads, each on its own connection.
    make_request(i) -> (method, path, body, extra headers); a status other than
    `expect` is counted and the first one kept for the report."""
    numbers = itertools.count()
    latencies: list[float] = []
    statuses: Counter = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def client_loop():
        client = Client(address, headers)
        while (i := next(numbers)) < total:
            method, path, body, extra = make_request(i)
            answer = client.request(method, path, body, extra)
            with lock:
                latencies.append(answer.seconds)
                statuses[answer.status] += 1
                if answer.status != expect and not failures:
                    failures.append(f"HTTP {answer.status}: {answer.body[:500]!r}")

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    cpu_before, started = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return LoadResult(latencies, wall, time.process_time() - cpu_before, statuses,
                      failures[0] if failures else None)


# ---------------------------------------------------------- CPU accounting


def process_cpu_seconds(matches) -> float:
    """User + system CPU of the live processes whose command line `matches`."""
    total_ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if not matches(command):
                continue
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total_ticks += int(fields[11]) + int(fields[12])
    return total_ticks / os.sysconf("SC_CLK_TCK")


def server_cpu_meter(port: int, database: str):
    """A function returning CPU seconds used so far by the gunicorn serving
    `port` and by the PostgreSQL backends connected to `database`."""

    def gunicorn_cpu():
        return process_cpu_seconds(lambda command: "gunicorn" in command
                                   and f"127.0.0.1:{port}" in command)

    def postgres_cpu():
        return process_cpu_seconds(lambda command: command.startswith("postgres: ")
                                   and f" {database} " in command)

    return lambda: (gunicorn_cpu(), postgres_cpu())


def machine_load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


# --------------------------------------------------------------- statistics


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def latency_summary(seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"p50 {percentile(ms, 0.50):6.1f} ms  p99 {percentile(ms, 0.99):6.1f} ms  "
            f"max {max(ms):6.1f} ms  (n={len(ms)})")


# ------------------------------------------------------------ orchestration


def run_per_database(description: str, add_arguments, run_one) -> None:
    """Parse arguments; measure one database here or each in a child process."""
    # Let `finally` blocks stop gunicorn when the benchmark is terminated.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database", choices=[*DATABASES, "both"], default="both")
    add_arguments(parser)
    args = parser.parse_args()
    if args.database != "both":
        with tempfile.TemporaryDirectory(prefix="opsdesk-bench-") as workdir:
            run_one(args, args.database, Path(workdir))
        return
    failed = []
    module = sys.modules["__main__"].__spec__.name
    for database in DATABASES:
        argv = [sys.executable, "-m", module, *sys.argv[1:], "--database", database]
        if subprocess.run(argv, cwd=REPO).returncode != 0:
            failed.append(database)
    if failed:
        raise SystemExit(f"benchmark failed on: {', '.join(failed)}")


def database_label(url: str) -> str:
    return unquote(url.split("@")[-1]) if url.startswith("postgres") else url
