"""`make postman`: the Postman collection (docs/postman/) run by newman against a server
of its own, started as `make run` starts one: runserver on the embedded defaults (a SQLite
file, the in-process cache, eager Celery), here in a temporary directory so that the
collection's last folder (it deletes every post) never touches a developer's data.

    python -m blogapi.postman [newman options...]     # e.g. --bail: stop at the first failure

Migrates, seeds the demo data (whose admin is the collection's default admin), serves on a
free loopback port, runs newman, stops the server by pid and deletes the directory. The
exit status is newman's; 2 when Node.js or newman is missing (the line printed says what
to install). The suite runs the same collection (blogapi/tests/test_postman.py).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support.ports import HOST, free_port

ROOT = Path(__file__).resolve().parent.parent
POSTMAN_DIR = ROOT / "docs" / "postman"
COLLECTION = POSTMAN_DIR / "blogapi.postman_collection.json"
NEWMAN = POSTMAN_DIR / "node_modules" / ".bin" / "newman"
NPM_CI = "npm ci --prefix docs/postman"


def newman_missing() -> str | None:
    """What to install before newman can run (None: nothing)."""
    if not (shutil.which("node") and shutil.which("npm")):
        return f"Node.js is missing: apt-get install nodejs npm (Debian; .ci/run does it), then {NPM_CI}"
    if not NEWMAN.exists():
        return f"newman is not installed: {NPM_CI} (make postman and make test do it)"
    return None


def newman_command(base_url: str, variables: dict[str, str], *options: str) -> list[str]:
    """`newman run` of the collection against `base_url`. Environment variables outrank the
    collection's own, so these replace its defaults (baseUrl http://127.0.0.1:8000, ...)."""
    command = [str(NEWMAN), "run", str(COLLECTION)]
    for name, value in {"baseUrl": base_url, **variables}.items():
        command += ["--env-var", f"{name}={value}"]
    return [*command, *options]


def wait_for_server(process: subprocess.Popen, port: int, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with socket.socket() as sock:
            if sock.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the server did not come up on {HOST}:{port}; its log:\n{log.read_text()[-3000:]}")


class EmbeddedServer:
    """`manage.py runserver` on the embedded defaults with a fresh SQLite file, seeded."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="blogapi-postman-"))
        self.log = self.dir / "server.log"
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "blogapi.settings.local",
            "DATABASE_URL": f"sqlite:///{self.dir / 'db.sqlite3'}",
            # Set, even empty, these beat a developer's .env: no Redis, no broker, like `make run` on a fresh machine.
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
            "EMAIL_URL": "consolemail://",
            "PYTHONUNBUFFERED": "1",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as log:
            for command in (["migrate", "--noinput"], ["seed_demo", "--users", "5", "--posts", "20", "--todos", "2"]):
                done = subprocess.run(  # noqa: S603  # our own fixed command lines, here and below
                    self.manage(*command), env=self.env, stdout=log, stderr=subprocess.STDOUT, check=False
                )
                if done.returncode != 0:
                    raise RuntimeError(f"manage.py {command[0]} failed; its output:\n{self.log.read_text()[-3000:]}")
            # --noreload: the process started is the server itself, stopped by its pid.
            self.process = subprocess.Popen(  # noqa: S603
                self.manage("runserver", f"{HOST}:{self.port}", "--noreload"),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        wait_for_server(self.process, self.port, self.log)

    def manage(self, *arguments: str) -> list[str]:
        return [sys.executable, str(ROOT / "manage.py"), *arguments]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    if missing := newman_missing():
        print(f"postman: {missing}", file=sys.stderr)
        return 2
    server = EmbeddedServer()
    try:
        try:
            server.start()
        except RuntimeError as exc:
            print(f"postman: {exc}", file=sys.stderr)
            return 1
        print(f"postman: server on {server.url} (log: {server.log}), running {COLLECTION.relative_to(ROOT)}")
        command = newman_command(server.url, {}, *argv)
        returncode = subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603
        if returncode != 0:
            print(f"postman: newman exited with {returncode}; the server's log:", file=sys.stderr)
            print(server.log.read_text()[-5000:], file=sys.stderr)
        return returncode
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
