"""What a drill (or `make fuzz`) starts, all of it its own and stopped by pid: a throwaway
PostgreSQL cluster it may restart, a redis-server it may kill or pause, gunicorns with the
production settings, a Celery worker it may SIGKILL, and an SMTP sink (aiosmtpd, in this
process), each from `support`. Nothing here signals a process it did not start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import request
from support import ROOT, devservices
from support.ports import HOST
from support.postgres import Postgres
from support.processes import child_pids, stop_process, wait_until
from support.redis_server import RedisServer
from support.servers import Gunicorn
from support.smtp import SmtpSink

PYTHON = sys.executable
SECRET_KEY = "drill-only-secret-key-0123456789-not-for-any-deployment"
STOP_GRACE = 15  # seconds a gunicorn or a Celery process has to stop before it is killed


def log(message: str) -> None:
    print(f"drills: {message}", file=sys.stderr, flush=True)


@dataclass
class Stack:
    """The services and processes of one drill (or fuzz) run; `stop()` ends every one of them."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="blogapi-drill-")))
    database_url: str = ""
    postgres: Postgres | None = None
    redis: RedisServer | None = None
    smtp: SmtpSink | None = None
    webs: list[Gunicorn] = field(default_factory=list)
    workers: list[subprocess.Popen] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)

    # --- services

    def start_services(self, *, own_postgres: bool = True, smtp: bool = False) -> None:
        if own_postgres:
            # Not under workdir: an unprivileged user owns its directory when we are root.
            self.postgres = Postgres(settings=("max_connections=200",), prefix="blogapi-drill-pg-", grace=30)
            self.database_url = self.postgres.url
        else:
            self.database_url = devservices.find_or_start_postgres()
        self.redis = RedisServer()
        if smtp:
            self.smtp = SmtpSink().start()
        log(f"PostgreSQL {self.database_url}, Redis {self.redis.url()}, work dir {self.workdir}")

    def env(self, **overrides: str) -> dict[str, str]:
        """A production deployment on this machine (blogapi.settings.production)."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "blogapi.settings.production",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url(0),
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "CELERY_BROKER_URL": "",
            "EMAIL_URL": self.smtp.url if self.smtp else "consolemail://",
            "GUNICORN_ACCESS_LOG": "",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        env.update(overrides)
        return env

    def manage(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env(), check=True, capture_output=True, text=True
        )
        return done.stdout

    def python(self, code: str) -> str:
        """Run Django code (`manage.py shell -c`) against the stack's database; its stdout."""
        return self.manage("shell", "--no-imports", "-c", code)

    # --- processes

    def start_web(self, name: str, *, workers: int = 2, timeout: int = 30) -> Gunicorn:
        web = Gunicorn(
            f"gunicorn {name}",
            env=self.env(),
            workers=workers,
            options=("--timeout", str(timeout), "--graceful-timeout", "5"),
            log=self.workdir / f"{name}.log",
            ready_path="/api/health/",
            grace=STOP_GRACE,
        )
        self.webs.append(web)
        return web

    def start_worker(self, broker_url: str, **env: str) -> subprocess.Popen:
        command = [PYTHON, "-m", "celery", "-A", "blogapi", "worker", "-l", "info", "-c", "2", "-P", "prefork"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        log_path = self.workdir / f"worker-{len(self.workers)}.log"
        with open(log_path, "ab") as output:
            worker = subprocess.Popen(  # noqa: S603
                command,
                cwd=ROOT,
                env=self.env(CELERY_BROKER_URL=broker_url, LOG_LEVEL="INFO", **env),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.workers.append(worker)
        wait_until(lambda: " ready." in log_path.read_text(errors="replace"), message="celery worker ready")
        return worker

    def start_beat(self, broker_url: str, **env: str) -> subprocess.Popen:
        log_path = self.workdir / "beat.log"
        command = [PYTHON, "-m", "celery", "-A", "blogapi", "beat", "-l", "info", "-s", str(self.workdir / "beat")]
        with open(log_path, "ab") as output:
            beat = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=self.env(CELERY_BROKER_URL=broker_url, **env), stdout=output, stderr=output
            )
        self.workers.append(beat)
        wait_until(lambda: "beat: Starting" in log_path.read_text(errors="replace"), message="celery beat")
        return beat

    def worker_logs(self) -> str:
        return "".join(path.read_text(errors="replace") for path in sorted(self.workdir.glob("worker-*.log")))

    def kill_worker(self, worker: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool processes (children of ours, read before the kill)."""
        pool = child_pids(worker.pid)
        worker.kill()
        worker.wait()
        for pid in pool:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def stop(self, keep_workdir: bool = False) -> None:
        for worker in self.workers:
            pool = child_pids(worker.pid)
            stop_process(worker, grace=STOP_GRACE)
            for pid in pool:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        for web in self.webs:
            web.stop()
        if self.smtp:
            self.smtp.stop()
        if self.redis:
            self.redis.stop()
        if self.postgres:
            self.postgres.remove()
        devservices.stop_started()
        if keep_workdir:
            log(f"logs kept in {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


# --- HTTP from the harness (the load process has its own) ---------------------------------------


def call(base_url: str, method: str, path: str, *, token: str | None = None, body=None):
    """(status, parsed JSON body or None), through the bench's own request helper."""
    reply = request(base_url, method, path, {"Authorization": f"Bearer {token}"} if token else None, body)
    try:
        return reply.status, reply.json() if reply.body else None
    except ValueError:
        return reply.status, None


def register_and_login(base_url: str, username: str, password: str, email_address: str = "") -> str:
    """A new user through the API; its access token."""
    status, body = call(
        base_url, "POST", "/api/v1/users/", body={"username": username, "password": password, "email": email_address}
    )
    if status != 201:
        raise RuntimeError(f"registering {username}: {status} {body}")
    status, body = call(base_url, "POST", "/api/v1/users/login/", body={"username": username, "password": password})
    if status != 200:
        raise RuntimeError(f"login {username}: {status} {body}")
    return body["access"]
