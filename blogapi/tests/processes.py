"""Real processes for tests, on this test run's database and cache (`child_env`): gunicorn
servers (support.servers), a test-owned redis-server that a test may kill, pause and restart
(support.redis_server), a Sentinel, an ORM shell."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.db import connection

from support import ROOT, servers
from support.ports import free_port
from support.processes import StartError
from support.redis_server import RedisServer

# gunicorn's readiness in the suite: it accepts connections within this many seconds.
START_SECONDS = 20


def child_env(**overrides: str) -> dict[str, str]:
    """The environment of a child process that runs on this test run's settings module,
    database and cache, whatever the environment the suite was started from says."""
    db = connection.settings_dict  # the test database pytest-django created
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    env = dict(os.environ)
    env.update(
        # What pytest-django loaded (`--ds`); settings.SETTINGS_MODULE is None under override_settings.
        DJANGO_SETTINGS_MODULE=os.environ["DJANGO_SETTINGS_MODULE"],
        DATABASE_URL=f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


HEALTH_IN_A_FRESH_PROCESS = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/api/health/")
print(json.dumps({"status": response.status_code, "body": response.json(), "cache_control": response["Cache-Control"]}))
"""


def health_in_a_fresh_process(env: dict[str, str]) -> dict:
    """GET /api/health/ in a new Python process with `env`: its status, body and Cache-Control."""
    completed = subprocess.run(
        [sys.executable, "-c", HEALTH_IN_A_FRESH_PROCESS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


class Gunicorn(servers.Gunicorn):
    """`gunicorn blogapi.wsgi:application` as deployed, on a free loopback port, on this test
    run's settings, database and cache (`env` adds to them); its output goes to the test's."""

    def __init__(self, **env: str) -> None:
        options = ("--timeout", "30", "--log-level", "warning")
        super().__init__(env=child_env(**env), options=options, timeout=START_SECONDS)


class OwnRedis(RedisServer):
    """A redis-server only this test uses: killing or pausing it harms nobody."""

    def __init__(self, *options: str) -> None:
        try:
            super().__init__(*options)
        except StartError as exc:
            pytest.skip(str(exc))

    def cache_settings(self) -> dict:
        """settings.CACHES with `default` on this server and short timeouts."""
        caches = {alias: dict(conf) for alias, conf in settings.CACHES.items()}
        caches["default"] = {
            **caches["default"],
            "LOCATION": self.url(),
            "OPTIONS": {
                **caches["default"].get("OPTIONS", {}),
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
            },
        }
        return caches


class OwnSentinel:
    """redis-server in Sentinel mode, watching `master` under `name` (a quorum of one)."""

    def __init__(self, master: OwnRedis, name: str) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="test-sentinel-")
        config = Path(self.dir) / "sentinel.conf"  # Sentinel rewrites it: a file of its own
        monitor = f"sentinel monitor {name} 127.0.0.1 {master.port} 1"
        lines = [f"port {self.port}", "bind 127.0.0.1", f"dir {self.dir}", monitor]
        config.write_text("\n".join(lines) + "\n")
        command = [master.binary, str(config), "--sentinel"]
        log = Path(self.dir) / "sentinel.log"
        self.server = servers.Server(
            "redis-sentinel", command, self.port, log=log, timeout=START_SECONDS, stop_signal=signal.SIGKILL
        )
        self.server.start()

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


SHELL_LOOP = """
import json, sys, traceback
from django.apps import apps as live_apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from posts.models import Post
from todos.models import Todo
from users.models import User
print("ready", flush=True)
for line in sys.stdin:
    try:
        exec(json.loads(line), globals())
        print("ok", flush=True)
    except Exception:
        print("error " + json.dumps(traceback.format_exc()), flush=True)
"""


class OrmShell:
    """`manage.py shell`, as an operator runs it: ORM code in a process of its own, sent a
    statement at a time; `run()` returns once the statement has returned there."""

    def __init__(self, **env: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", SHELL_LOOP],
            cwd=ROOT,
            env=child_env(**env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def run(self, code: str) -> None:
        self.process.stdin.write(json.dumps(code) + "\n")
        self.process.stdin.flush()
        reply = self.process.stdout.readline().strip()
        assert reply == "ok", json.loads(reply.removeprefix("error ")) if reply.startswith("error ") else reply

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(10)


class KeptHot:
    """Requests `paths` from a server again and again while a write happens elsewhere: the
    server holds leased copies of them the whole time, so a write that returned without
    waiting out the lease would leave them stale when the test reads next."""

    def __init__(self, base_url: str, paths: list[str], headers: dict | None = None) -> None:
        self.base_url, self.paths, self.headers = base_url, paths, headers or {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        session = requests.Session()
        while not self.stopping.is_set():
            for path in self.paths:
                session.get(self.base_url + path, headers=self.headers, timeout=10)
            time.sleep(0.02)

    def __enter__(self) -> KeptHot:
        self.thread.start()
        time.sleep(0.2)  # every path requested, and cached, at least once
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        self.thread.join(10)
