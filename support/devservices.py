"""Make sure a real PostgreSQL and Redis exist for the test suite, then run a command.

Usage::

    python -m support.devservices -- pytest -q

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
returns a URL; raises ``StartError``) and must then call ``stop_started()``.
Standard library only: it runs before anything else of `make test`.

Knobs, mainly for testing this script itself:

* ``DEVSERVICES_PG_PORT`` / ``DEVSERVICES_REDIS_PORT``: port probed for an existing
  server (default 5432 / 6379); point at an unused port to force a throwaway server.
* ``DEVSERVICES_SEARCH_PATH_ONLY=1``: look for PostgreSQL binaries on PATH only,
  not in /usr/lib/postgresql/*/bin.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable

from support.ports import HOST
from support.postgres import Postgres, create_database, find_pg_bindir, pg_exec
from support.processes import StartError
from support.redis_server import RedisServer, redis_pings

DB_NAME = "blogapi"

# How to stop and delete each throwaway server this module started: stop_started() runs these.
STARTED: list[Callable[[], None]] = []


def log(msg: str) -> None:
    print(f"devservices: {msg}", file=sys.stderr, flush=True)


def find_or_start_postgres() -> str:
    """Return a DATABASE_URL for an existing or freshly started PostgreSQL."""
    if os.environ.get("DATABASE_URL"):
        log("using DATABASE_URL from the environment")
        return os.environ["DATABASE_URL"]
    port = int(os.environ.get("DEVSERVICES_PG_PORT", "5432"))
    for user in ("postgres", "root"):
        if pg_exec(port, user, "SELECT 1"):
            create_database(port, user, DB_NAME)
            log(f"using PostgreSQL on {HOST}:{port} (user {user})")
            return f"postgres://{user}@{HOST}:{port}/{DB_NAME}"
    if not find_pg_bindir():
        raise StartError(
            f"PostgreSQL is not running on {HOST}:{port} and no initdb/postgres binary was "
            "found; install it (Debian: apt-get install postgresql) or set DATABASE_URL"
        )
    cluster = Postgres(database=DB_NAME, settings=("full_page_writes=off",), prefix="devservices-pg-", new_session=True)
    STARTED.append(cluster.remove)
    owner = f", as user {cluster.user}" if cluster.user else ""
    log(f"started throwaway PostgreSQL on {HOST}:{cluster.port} (pid {cluster.server.pid}{owner})")
    return cluster.url


def find_or_start_redis() -> str:
    """Return a REDIS_URL for an existing or freshly started Redis."""
    if os.environ.get("REDIS_URL"):
        log("using REDIS_URL from the environment")
        return os.environ["REDIS_URL"]
    port = int(os.environ.get("DEVSERVICES_REDIS_PORT", "6379"))
    if redis_pings(port):
        log(f"using Redis on {HOST}:{port}")
        return f"redis://{HOST}:{port}/0"
    if not shutil.which("redis-server"):
        raise StartError(
            f"Redis is not running on {HOST}:{port} and no redis-server binary was found; "
            "install it (Debian: apt-get install redis-server) or set REDIS_URL"
        )
    redis = RedisServer(stop_signal=signal.SIGTERM, new_session=True)
    STARTED.append(redis.stop)
    log(f"started throwaway Redis on {HOST}:{redis.port} (pid {redis.server.pid})")
    return redis.url(0)


def stop_started() -> None:
    """Stop only what we started, newest first (by pid: a grace period, then SIGKILL), and
    delete their directories."""
    while STARTED:
        STARTED.pop()()


def in_terminal_foreground() -> bool:
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, AttributeError, ValueError):  # no tty, or stdin closed
        return False


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        log("usage: python -m support.devservices -- COMMAND [ARGS...]")
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
    except StartError as exc:
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
