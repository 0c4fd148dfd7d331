"""Server processes of ours on loopback ports, and the one way gunicorn is launched.

    web = Gunicorn("web-a", env=environment, workers=2, log=workdir / "web-a.log", ready_path="/api/health/")
    ...  web.url, web.port, web.process
    web.stop()                      # SIGTERM to its pid, a grace period, then SIGKILL

`Server` runs any command that listens on 127.0.0.1:`port` (the bench's peers, `manage.py
runserver`, redis-server, postgres); `Gunicorn` is `python -m gunicorn
blogapi.wsgi:application` as deployed (gunicorn.conf.py from the repository root), with the
flags its caller adds.
"""

from __future__ import annotations

import contextlib
import http.client
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from support import ROOT
from support.ports import HOST, free_port, port_open
from support.processes import stop_process, wait_started

WSGI_APPLICATION = "blogapi.wsgi:application"


def http_ok(port: int, path: str, timeout: float = 5.0) -> bool:
    """Whether GET `path` on HOST:port answers 200."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


class Server:
    """A server process of ours on HOST:`port`. `start()` runs `command` (in `cwd`, with
    `env`, its output appended to `log`, else to ours) and returns once it is ready: it
    accepts connections, or answers 200 at `ready_path`, or `ready()` says so. If it exits
    first or is not ready in `timeout` seconds, it is stopped and StartError tells why,
    with the end of its log. `stop()` sends `stop_signal` to its pid and SIGKILLs it after
    `grace` seconds. Other keyword arguments go to `subprocess.Popen` (user, group, ...)."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        port: int,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | str = ROOT,
        log: Path | None = None,
        ready_path: str | None = None,
        ready: Callable[[], bool] | None = None,
        timeout: float = 30.0,
        stop_signal: int = signal.SIGTERM,
        grace: float = 10.0,
        **popen: Any,
    ) -> None:
        self.name, self.command, self.port = name, list(command), port
        self.env = dict(env) if env is not None else None
        self.cwd, self.log, self.timeout = cwd, log, timeout
        self.stop_signal, self.grace, self.popen = stop_signal, grace, popen
        if ready is not None:
            self.ready = ready
        elif ready_path is not None:
            self.ready = lambda: http_ok(self.port, ready_path)
        else:
            self.ready = lambda: port_open(self.port)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self) -> Server:
        with contextlib.ExitStack() as files:  # the child keeps its own descriptor of the log
            output = files.enter_context(open(self.log, "ab")) if self.log is not None else None
            self.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if output is not None else None,
                **self.popen,
            )
        what = f"{self.name} on {HOST}:{self.port}"
        try:
            wait_started(self.process, self.ready, what=what, log=self.log, timeout=self.timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        stop_process(self.process, self.stop_signal, self.grace)


def gunicorn_command(port: int, *, workers: int = 1, options: Sequence[str] = ()) -> list[str]:
    """`gunicorn blogapi.wsgi:application` on HOST:port, reading gunicorn.conf.py from the
    working directory (the repository root) as deployed; `options` are more flags."""
    bind = ["--bind", f"{HOST}:{port}", "--workers", str(workers)]
    return [sys.executable, "-m", "gunicorn", WSGI_APPLICATION, *bind, *options]


class Gunicorn(Server):
    """`gunicorn blogapi.wsgi:application` on a free loopback port, started (and ready) when
    constructed; `env` is its whole environment (settings module, database, cache, ...)."""

    def __init__(
        self,
        name: str = "gunicorn",
        *,
        env: Mapping[str, str],
        workers: int = 1,
        options: Sequence[str] = (),
        **server: Any,
    ) -> None:
        port = free_port()
        super().__init__(name, gunicorn_command(port, workers=workers, options=options), port, env=env, **server)
        self.start()
