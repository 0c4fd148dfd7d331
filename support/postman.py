"""`make postman`: the Postman collection (docs/postman/) run by newman against a server
of its own, started as `make run` starts one: runserver on the embedded defaults (a SQLite
file, the in-process cache, eager Celery), here in a temporary directory so that the
collection's last folder (it deletes every post) never touches a developer's data.

    python -m support.postman [newman options...]     # e.g. --bail: stop at the first failure

Migrates, seeds the demo data (whose admin is the collection's default admin), serves on a
free loopback port, runs newman, stops the server by pid and deletes the directory. The
exit status is newman's; 2 when Node.js or newman is missing (the line printed says what
to install). The suite runs the same collection (blogapi/tests/test_postman.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from support import ROOT
from support.ports import HOST, free_port
from support.processes import StartError
from support.servers import Server

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


class EmbeddedServer:
    """`manage.py runserver` on the embedded defaults with a fresh SQLite file, seeded."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="blogapi-postman-"))
        self.log = self.dir / "server.log"
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
        port = free_port()
        # --noreload: the process started is the server itself, stopped by its pid.
        command = self.manage("runserver", f"{HOST}:{port}", "--noreload")
        self.server = Server("runserver", command, port, env=self.env, log=self.log)
        self.url = self.server.url

    def start(self) -> None:
        with open(self.log, "ab") as log:
            for command in (["migrate", "--noinput"], ["seed_demo", "--users", "5", "--posts", "20", "--todos", "2"]):
                done = subprocess.run(
                    self.manage(*command), env=self.env, stdout=log, stderr=subprocess.STDOUT, check=False
                )
                if done.returncode != 0:
                    raise StartError(f"manage.py {command[0]} failed; its output:\n{self.log.read_text()[-3000:]}")
        self.server.start()

    def manage(self, *arguments: str) -> list[str]:
        return [sys.executable, str(ROOT / "manage.py"), *arguments]

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    if missing := newman_missing():
        print(f"postman: {missing}", file=sys.stderr)
        return 2
    server = EmbeddedServer()
    try:
        try:
            server.start()
        except StartError as exc:
            print(f"postman: {exc}", file=sys.stderr)
            return 1
        print(f"postman: server on {server.url} (log: {server.log}), running {COLLECTION.relative_to(ROOT)}")
        command = newman_command(server.url, {}, *argv)
        returncode = subprocess.run(command, cwd=ROOT, check=False).returncode
        if returncode != 0:
            print(f"postman: newman exited with {returncode}; the server's log:", file=sys.stderr)
            print(server.log.read_text()[-5000:], file=sys.stderr)
        return returncode
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
