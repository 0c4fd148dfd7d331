"""What a bench run starts and stops: its database, its Redis keys, its gunicorns.

Everything started here is recorded and stopped by pid (`Stack.stop`); the only data
touched is the run's own database (`blogapi_bench*`) and the keys under its own prefix
in its own Redis database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from support import ROOT, devservices
from support.ports import HOST
from support.servers import Gunicorn

PYTHON = sys.executable
KEY_PREFIX = "blogapi-bench"
SECRET_KEY = "bench-only-secret-key-0123456789-not-for-any-deployment"


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@dataclass
class Stack:
    """PostgreSQL + Redis located (or started) by support.devservices, and our gunicorns."""

    database: str
    redis_db: int
    spare_redis_db: int  # a second cache, for the invalidation cost with many entries
    no_near_redis_db: int  # the cache of the server without the near cache (another lease: never shared)
    database_url: str = ""
    redis_url: str = ""
    spare_redis_url: str = ""
    no_near_redis_url: str = ""
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="blogapi-bench-")))
    servers: list[Gunicorn] = field(default_factory=list)

    def locate_services(self) -> None:
        self.database_url = with_database(devservices.find_or_start_postgres(), self.database)
        redis = urlsplit(devservices.find_or_start_redis())
        self.redis_url = urlunsplit(redis._replace(path=f"/{self.redis_db}"))
        self.spare_redis_url = urlunsplit(redis._replace(path=f"/{self.spare_redis_db}"))
        self.no_near_redis_url = urlunsplit(redis._replace(path=f"/{self.no_near_redis_db}"))
        dbs = f"{self.redis_db}, {self.spare_redis_db} and {self.no_near_redis_db}"
        log(f"database {self.database}, Redis dbs {dbs} (keys under {KEY_PREFIX}:)")

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment of a production deployment on this machine."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "blogapi.settings.production",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CACHE_KEY_PREFIX": KEY_PREFIX,
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "CELERY_BROKER_URL": "",
            # Longer than a run: a hit case measures hits, not the miss of an entry expiring mid-run.
            "RESPONSE_CACHE_TTL": "3600",
            "PYTHONUNBUFFERED": "1",
        }
        env.update(overrides)
        return env

    # --- The database -----------------------------------------------------------------

    def _admin_connection(self):
        import psycopg

        parts = urlsplit(self.database_url)
        conninfo = f"host={parts.hostname} port={parts.port or 5432} user={parts.username} dbname=postgres"
        if parts.password:
            conninfo += f" password={parts.password}"
        return psycopg.connect(conninfo, autocommit=True)

    def create_database(self, *, fresh: bool) -> None:
        from psycopg import sql

        name = sql.Identifier(self.database)
        with self._admin_connection() as conn:
            if fresh:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.database]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(name))

    def manage(self, *args: str) -> float:
        """Run a manage.py command against the bench database; returns its wall time."""
        started = time.perf_counter()
        command = [PYTHON, "manage.py", *args]
        subprocess.run(command, cwd=ROOT, env=self.env(), check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        return time.perf_counter() - started

    # --- Redis ------------------------------------------------------------------------

    def redis(self, url: str = ""):
        import redis

        return redis.Redis.from_url(url or self.redis_url)

    def delete_our_keys(self) -> int:
        """Every key under our prefix, in both our Redis databases (nothing else is touched)."""
        deleted = 0
        for url in (self.redis_url, self.spare_redis_url, self.no_near_redis_url):
            client, batch = self.redis(url), []
            for key in client.scan_iter(match=f"{KEY_PREFIX}:*", count=5000):
                batch.append(key)
                if len(batch) == 5000:
                    deleted += client.unlink(*batch)
                    batch = []
            if batch:
                deleted += client.unlink(*batch)
        return deleted

    # --- gunicorn ---------------------------------------------------------------------

    def start_gunicorn(self, name: str, **env: str) -> str:
        """One sync worker on loopback; returns its base URL once it answers."""
        server = Gunicorn(
            f"gunicorn {name}",
            env=self.env(**env),
            options=("--worker-class", "sync", "--timeout", "60", "--graceful-timeout", "5"),
            log=self.workdir / f"{name}.log",
            ready_path="/api/health/",
        )
        self.servers.append(server)
        log(f"gunicorn {name} (pid {server.pid}) on {HOST}:{server.port}")
        return server.url

    def stop(self) -> None:
        """Stop every gunicorn we started (by pid), then whatever devservices started."""
        for server in reversed(self.servers):
            server.stop()
        self.servers.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)
        devservices.stop_started()
