"""Make sure a real PostgreSQL and Redis exist for the test suite, then run a command.

Usage::

    python -m blogapi.devservices -- pytest -q
    python blogapi/devservices.py -- pytest -q      # same, without the package

Per service: an explicit ``DATABASE_URL`` / ``REDIS_URL`` in the environment wins and
nothing is probed or started.  Otherwise a server already running on 127.0.0.1
(PostgreSQL 5432 with a passwordless ``postgres``/``root`` login, Redis 6379) is used;
failing that a throwaway server is started on a free port in a temp dir, and stopped
(by pid) and deleted when the command ends.  The command sees:

* ``DATABASE_URL``     postgres://USER@127.0.0.1:PORT/blogapi (database created if missing)
* ``REDIS_URL``        redis://127.0.0.1:PORT/0
* ``REDIS_SERVER_BIN`` path of ``redis-server`` if on PATH (tests start their own Redis)

The exit status is the command's; 2 if a service is missing and cannot be started.
Other code may call ``find_or_start_postgres()`` / ``find_or_start_redis()`` (each
returns a URL; raises ``DevServicesError``) and must then call ``stop_started()``.

Knobs, mainly for testing this script itself:

* ``DEVSERVICES_PG_PORT`` / ``DEVSERVICES_REDIS_PORT``: port probed for an existing
  server (default 5432 / 6379); point at an unused port to force a throwaway server.
* ``DEVSERVICES_SEARCH_PATH_ONLY=1``: look for PostgreSQL binaries on PATH only,
  not in /usr/lib/postgresql/*/bin.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

HOST = "127.0.0.1"
DB_NAME = "blogapi"


class DevServicesError(Exception):
    """A service is unavailable and cannot be started; the message says what to install."""


# Everything this module started, with the signal that stops it cleanly;
# stop_started() tears down exactly these.
STARTED: list[tuple[subprocess.Popen[bytes], signal.Signals]] = []
TEMP_DIRS: list[str] = []


def log(msg: str) -> None:
    print(f"devservices: {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def redis_pings(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def pg_exec(port: int, user: str, sql: str) -> bool:
    """Run one autocommit statement as USER (no password); True if it succeeded."""
    try:
        import psycopg
    except ImportError:  # stdlib-only fallback: the psql client, if installed
        psql = shutil.which("psql")
        if not psql:
            return False
        args = f"-w -X -q -h {HOST} -p {port} -U {user} -d postgres -c".split()
        done = subprocess.run([psql, *args, sql], capture_output=True, check=False)
        return done.returncode == 0
    try:
        conninfo = f"host={HOST} port={port} user={user} dbname=postgres connect_timeout=2"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # fixed literal SQL from this module
        return True
    except psycopg.Error:
        return False


def ensure_database(port: int, user: str) -> None:
    # Fails harmlessly with "already exists"; Django's test runner only needs it to exist.
    pg_exec(port, user, f'CREATE DATABASE "{DB_NAME}"')


def find_pg_bindir() -> str | None:
    """First dir holding both initdb and postgres: PATH, then /usr/lib/postgresql newest first."""
    on_path = (shutil.which("initdb"), shutil.which("postgres"))
    dirs = [os.path.dirname(p) for p in on_path if p]
    if os.environ.get("DEVSERVICES_SEARCH_PATH_ONLY") != "1":
        installed = glob.glob("/usr/lib/postgresql/*/bin")  # Debian's versioned layout
        dirs += sorted(installed, key=lambda d: [int(n) for n in re.findall(r"\d+", d)])[::-1]
    for d in dirs:
        if all(os.access(os.path.join(d, b), os.X_OK) for b in ("initdb", "postgres")):
            return d
    return None


def unprivileged_user() -> str | None:
    """initdb/postgres refuse to run as root, so pick a user to drop to (None: not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name).pw_name
        except KeyError:
            continue
    raise DevServicesError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


def as_user(user: str | None) -> dict[str, Any]:
    """Popen kwargs dropping to USER. We use Popen(user=...) rather than runuser/su so that
    our pid *is* the server and stopping it is a plain signal (runuser answers SIGTERM by
    SIGKILLing postgres 2s later, which orphans its backends)."""
    if not user:
        return {}
    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


def make_tmpdir(kind: str, owner: str | None = None) -> str:
    tmpdir = tempfile.mkdtemp(prefix=f"devservices-{kind}-")
    TEMP_DIRS.append(tmpdir)
    if owner:
        shutil.chown(tmpdir, owner, pwd.getpwnam(owner).pw_gid)
    return tmpdir


def log_tail(tmpdir: str, name: str) -> str:
    with open(os.path.join(tmpdir, f"{name}.log"), errors="replace") as f:
        return f.read()[-2000:]


def spawn(
    name: str,
    cmd: list[str],
    tmpdir: str,
    stop: signal.Signals,
    user: str | None = None,
) -> subprocess.Popen[bytes]:
    """Start a server logging to tmpdir/NAME.log, in its own session so that a Ctrl-C
    aimed at the tests doesn't kill it while they are still tearing down."""
    with open(os.path.join(tmpdir, f"{name}.log"), "ab") as logf:
        proc = subprocess.Popen(
            cmd,
            cwd=tmpdir,
            stdin=subprocess.DEVNULL,
            stdout=logf,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **as_user(user),
        )
    STARTED.append((proc, stop))
    return proc


def wait_until(name: str, proc: subprocess.Popen[bytes], ready: Callable[[], bool], tmpdir: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if ready():
            return
        if proc.poll() is not None:
            break  # it died: no point waiting, show its log instead
        time.sleep(0.2)
    raise DevServicesError(f"throwaway {name} did not come up; its log:\n{log_tail(tmpdir, name)}")


def find_or_start_postgres() -> str:
    """Return a DATABASE_URL for an existing or freshly started PostgreSQL."""
    if os.environ.get("DATABASE_URL"):
        log("using DATABASE_URL from the environment")
        return os.environ["DATABASE_URL"]
    port = int(os.environ.get("DEVSERVICES_PG_PORT", "5432"))
    for user in ("postgres", "root"):
        if pg_exec(port, user, "SELECT 1"):
            ensure_database(port, user)
            log(f"using PostgreSQL on {HOST}:{port} (user {user})")
            return f"postgres://{user}@{HOST}:{port}/{DB_NAME}"
    bindir = find_pg_bindir()
    if not bindir:
        raise DevServicesError(
            f"PostgreSQL is not running on {HOST}:{port} and no initdb/postgres binary was "
            "found; install it (Debian: apt-get install postgresql) or set DATABASE_URL"
        )
    run_as = unprivileged_user()
    tmpdir = make_tmpdir("pg", run_as)
    data = os.path.join(tmpdir, "data")
    # Trust auth is fine: the cluster only listens on 127.0.0.1 and lives for one run.
    initdb_args = ["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]
    initdb = subprocess.run(
        [os.path.join(bindir, "initdb"), "-D", data, "--no-sync", *initdb_args],
        cwd=tmpdir,
        capture_output=True,
        text=True,
        check=False,
        **as_user(run_as),
    )
    if initdb.returncode != 0:
        raise DevServicesError(f"initdb failed:\n{(initdb.stdout + initdb.stderr)[-2000:]}")
    port = free_port()
    # Durability is pointless for a throwaway test cluster; turning it off is much faster.
    fast = ("fsync=off", "full_page_writes=off", "synchronous_commit=off")
    listen = ["-h", HOST, "-p", str(port), "-k", tmpdir]
    postgres = [os.path.join(bindir, "postgres"), "-D", data, *listen]
    postgres += [arg for setting in fast for arg in ("-c", setting)]
    # SIGINT is postgres's "fast" shutdown; SIGTERM ("smart") would wait for any client
    # the tests leaked to disconnect.
    proc = spawn("postgres", postgres, tmpdir, signal.SIGINT, run_as)
    wait_until("postgres", proc, lambda: pg_exec(port, "postgres", "SELECT 1"), tmpdir)
    ensure_database(port, "postgres")
    owner = f", as user {run_as}" if run_as else ""
    log(f"started throwaway PostgreSQL on {HOST}:{port} (pid {proc.pid}{owner})")
    return f"postgres://postgres@{HOST}:{port}/{DB_NAME}"


def find_or_start_redis() -> str:
    """Return a REDIS_URL for an existing or freshly started Redis."""
    if os.environ.get("REDIS_URL"):
        log("using REDIS_URL from the environment")
        return os.environ["REDIS_URL"]
    port = int(os.environ.get("DEVSERVICES_REDIS_PORT", "6379"))
    if redis_pings(port):
        log(f"using Redis on {HOST}:{port}")
        return f"redis://{HOST}:{port}/0"
    server = shutil.which("redis-server")
    if not server:
        raise DevServicesError(
            f"Redis is not running on {HOST}:{port} and no redis-server binary was found; "
            "install it (Debian: apt-get install redis-server) or set REDIS_URL"
        )
    tmpdir = make_tmpdir("redis")
    port = free_port()
    # No persistence: the data is throwaway and the temp dir is deleted afterwards.
    opts = ["--bind", HOST, "--save", "", "--appendonly", "no", "--daemonize", "no"]
    cmd = [server, "--port", str(port), "--dir", tmpdir, *opts]
    proc = spawn("redis", cmd, tmpdir, signal.SIGTERM)
    wait_until("redis", proc, lambda: redis_pings(port), tmpdir)
    log(f"started throwaway Redis on {HOST}:{port} (pid {proc.pid})")
    return f"redis://{HOST}:{port}/0"


class RedisServer:
    """A redis-server of the caller's own on a free port, which it may kill, pause
    (SIGSTOP) and start again on the same port: the outage tests and the fault drills
    use one, so that no one else's Redis is harmed. No persistence; `options` are more
    redis-server arguments (e.g. "--replicaof", "127.0.0.1", "6379")."""

    def __init__(self, *options: str) -> None:
        self.options = options
        binary = os.environ.get("REDIS_SERVER_BIN") or shutil.which("redis-server")
        if not binary:
            raise DevServicesError("redis-server not found (Debian: apt-get install redis-server)")
        self.binary = binary
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="redis-server-")
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def url(self, db: int = 0) -> str:
        return f"redis://{HOST}:{self.port}/{db}"

    def start(self) -> None:
        options = ["--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", self.dir]
        self.process = subprocess.Popen([self.binary, *options, *self.options], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not redis_pings(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise DevServicesError(f"redis-server on port {self.port} did not come up")
            time.sleep(0.05)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def stop_started() -> None:
    """Stop only what we started, newest first (10s grace, then SIGKILL); drop temp dirs."""
    while STARTED:
        proc, stop = STARTED.pop()
        if proc.poll() is None:
            proc.send_signal(stop)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    while TEMP_DIRS:
        shutil.rmtree(TEMP_DIRS.pop(), ignore_errors=True)


def in_terminal_foreground() -> bool:
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, AttributeError, ValueError):  # no tty, or stdin closed
        return False


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        log("usage: python -m blogapi.devservices -- COMMAND [ARGS...]")
        return 2
    command = argv[argv.index("--") + 1 :]
    child: subprocess.Popen[bytes] | None = None

    def on_signal(signum: int, _frame: object) -> None:
        # Pass the signal to the command and let it decide; before it runs, just abort.
        if child is None or child.poll() is not None:
            raise KeyboardInterrupt
        # A terminal's Ctrl-C already reached the command (same process group); sending
        # a second SIGINT would interrupt e.g. pytest's own teardown.
        if not (signum == signal.SIGINT and in_terminal_foreground()):
            child.send_signal(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        env = dict(os.environ)
        env["DATABASE_URL"] = find_or_start_postgres()
        env["REDIS_URL"] = find_or_start_redis()
        if server := shutil.which("redis-server"):
            env["REDIS_SERVER_BIN"] = server
        child = subprocess.Popen(command, env=env)
        code = child.wait()
        # Like a shell: a command killed by signal N exits with 128+N.
        return code if code >= 0 else 128 - code
    except DevServicesError as exc:
        log(str(exc))
        return 2
    except OSError as exc:  # the command itself could not be started
        log(f"cannot run {command[0]!r}: {exc}")
        return 127
    except KeyboardInterrupt:
        return 130
    finally:
        # A second Ctrl-C must not interrupt the teardown and leave servers behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_started()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
