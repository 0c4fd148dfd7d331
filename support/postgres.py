"""PostgreSQL for development: probing a running server, and a throwaway cluster of our own.

    cluster = Postgres()                # initdb in a temporary directory, postgres on a free port
    cluster.url                         # postgres://postgres@127.0.0.1:<port>/blogapi
    cluster.stop(); cluster.start()     # a restart on the same port (the drills do)
    cluster.remove()                    # stopped by pid, its directory deleted

Standard library only (psycopg when installed, else the psql client): `make test` uses this
before the virtualenv's packages are known to be there.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from support.ports import HOST, free_port
from support.processes import StartError
from support.servers import Server

# Durability is pointless for a throwaway cluster; without it, it is much faster.
FAST = ("fsync=off", "synchronous_commit=off")


def pg_exec(port: int, user: str, sql: str) -> bool:
    """Run one autocommit statement as `user` (no password) on HOST:port; True if it succeeded."""
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
            conn.execute(sql)  # type: ignore[arg-type]  # fixed literal SQL from our callers
        return True
    except psycopg.Error:
        return False


def create_database(port: int, user: str, name: str) -> None:
    # Fails harmlessly with "already exists": callers only need it to exist.
    pg_exec(port, user, f'CREATE DATABASE "{name}"')


def find_pg_bindir() -> str | None:
    """First directory holding both initdb and postgres: PATH, then /usr/lib/postgresql
    newest first (unless DEVSERVICES_SEARCH_PATH_ONLY=1)."""
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
    raise StartError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


def as_user(user: str | None) -> dict[str, Any]:
    """Popen kwargs dropping to USER. Popen(user=...) rather than runuser/su, so that our
    pid *is* the server and stopping it is a plain signal (runuser answers SIGTERM by
    SIGKILLing postgres 2s later, which orphans its backends)."""
    if not user:
        return {}
    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


class Postgres:
    """A PostgreSQL cluster of our own in a temporary directory (owned by an unprivileged
    user when we run as root), trust auth for `postgres` on HOST only, listening on a free
    port, durability off (FAST, plus `settings` such as "max_connections=200"), with the
    database `database` created. It logs to postgres.log in its directory. `stop()` is
    SIGINT, postgres's "fast" shutdown (SIGTERM, "smart", would wait for every client to
    leave), then SIGKILL after `grace` seconds; `start()` starts it again on the same port.
    `new_session`: out of our process group, so that a Ctrl-C aimed at our command does not
    stop it while that command still tears down."""

    def __init__(
        self,
        *,
        database: str = "blogapi",
        settings: Sequence[str] = (),
        prefix: str = "blogapi-pg-",
        grace: float = 10.0,
        new_session: bool = False,
    ) -> None:
        bindir = find_pg_bindir()
        if bindir is None:
            raise StartError("initdb/postgres not found (Debian: apt-get install postgresql)")
        self.user = unprivileged_user()
        self.database = database
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        try:
            if self.user:
                shutil.chown(self.dir, self.user, pwd.getpwnam(self.user).pw_gid)
            self._initdb(bindir)
            self.port = port = free_port()
            command = [os.path.join(bindir, "postgres"), "-D", str(self.dir / "data")]
            command += ["-h", HOST, "-p", str(port), "-k", str(self.dir)]
            command += [arg for setting in (*FAST, *settings) for arg in ("-c", setting)]
            self.server = Server(
                "postgres",
                command,
                port,
                cwd=self.dir,
                log=self.dir / "postgres.log",
                ready=lambda: pg_exec(port, "postgres", "SELECT 1"),
                stop_signal=signal.SIGINT,
                grace=grace,
                start_new_session=new_session,
                **as_user(self.user),
            )
            self.start()
            create_database(port, "postgres", database)
        except BaseException:
            self.remove()
            raise

    def _initdb(self, bindir: str) -> None:
        # Trust auth is fine: the cluster only listens on HOST and lives for one run.
        command = [os.path.join(bindir, "initdb"), "-D", str(self.dir / "data"), "--no-sync"]
        command += ["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"]
        done = subprocess.run(command, cwd=self.dir, capture_output=True, text=True, check=False, **as_user(self.user))
        if done.returncode != 0:
            raise StartError(f"initdb failed:\n{(done.stdout + done.stderr)[-2000:]}")

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{self.database}"

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()

    def remove(self) -> None:
        """Stopped, and its directory deleted."""
        if hasattr(self, "server"):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
