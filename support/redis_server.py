"""A redis-server of our own: `make test`'s throwaway Redis, and the one a test or a drill
may kill, pause (SIGSTOP) and start again on the same port, harming nobody else's.
Standard library only."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
from pathlib import Path

from support.ports import HOST, free_port
from support.processes import StartError
from support.servers import Server


def redis_pings(port: int) -> bool:
    """Whether a Redis on HOST:port answers PING."""
    try:
        with socket.create_connection((HOST, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """redis-server on a free loopback port with no persistence, in a temporary directory
    (its log: redis.log there), started when constructed. `options` are more redis-server
    arguments (e.g. "--replicaof", "127.0.0.1", "6379"). `stop()` ends it with
    `stop_signal` (SIGKILL by default: there is nothing to save) and deletes its directory;
    `kill()`, `pause()`, `resume()` and `start()` are for outage tests and drills.
    `new_session`: out of our process group (see support.postgres.Postgres)."""

    def __init__(self, *options: str, stop_signal: int = signal.SIGKILL, new_session: bool = False) -> None:
        binary = os.environ.get("REDIS_SERVER_BIN") or shutil.which("redis-server")
        if not binary:
            raise StartError("redis-server not found (Debian: apt-get install redis-server)")
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="redis-server-"))
        self.port = port = free_port()
        command = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
        command += ["--daemonize", "no", "--dir", str(self.dir), *options]
        self.server = Server(
            "redis-server",
            command,
            port,
            cwd=self.dir,
            log=self.dir / "redis.log",
            ready=lambda: redis_pings(port),
            stop_signal=stop_signal,
            start_new_session=new_session,
        )
        try:
            self.start()
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise

    def url(self, db: int = 0) -> str:
        return f"redis://{HOST}:{self.port}/{db}"

    def start(self) -> None:
        self.server.start()

    def kill(self) -> None:
        self.server.process.kill()
        self.server.process.wait()

    def pause(self) -> None:
        self.server.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.server.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.server.running():
            self.resume()  # a paused server would not act on any signal but SIGKILL
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
