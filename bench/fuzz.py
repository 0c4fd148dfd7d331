"""`make fuzz`: schemathesis (4.x) against both API versions of a production-like deployment.

    python -m bench.fuzz [--max-examples N] [--max-time SECONDS] [--seed N]

Starts a throwaway PostgreSQL and a redis-server of its own (bench/drills/stack.py), one
gunicorn with the production settings, registers a normal user and an admin, then runs
`schemathesis run --checks all` on `/api/schema/v1/` and `/api/schema/v2/` at once (two
processes): a normal user's pass over every operation, then an admin's pass over the
operations whose answer depends on the role. Authentication goes through the login
endpoint (bench/fuzz_hooks.py); checks and their reasons are in bench/schemathesis.toml.
Prints one line per pass (requests, 5xx, schemathesis' verdict) and exits non-zero on
any failure. blogapi/tests/test_fuzz.py runs the same passes, shorter, inside `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "bench" / "schemathesis.toml"
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
VERSIONS = ("v1", "v2")
# The admin pass: where an admin's answer differs from a normal user's.
ADMIN_OPERATIONS = r"/users/$|/users/\{id\}/$|/posts/all/$|/posts/\{id\}/$"


@dataclass(frozen=True)
class Identity:
    username: str
    password: str
    admin_id: int | None = None  # an admin's own id: never deleted by its own pass


@dataclass
class Outcome:
    label: str
    returncode: int
    requests: int
    server_errors: list[str]
    seconds: float
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.server_errors and self.requests > 0

    def line(self) -> str:
        verdict = "ok" if self.ok else f"FAILED (schemathesis exit {self.returncode})"
        return (
            f"fuzz {self.label}: {self.requests} requests, {len(self.server_errors)} 5xx, "
            f"{self.seconds:.0f}s: {verdict}"
        )


def fuzz(
    base_url: str,
    version: str,
    identity: Identity,
    *,
    max_examples: int,
    max_time: int,
    seed: int | None = None,
    include_path_regex: str | None = None,
    label: str | None = None,
) -> Outcome:
    """One `schemathesis run` against one version's schema; its requests counted from its report."""
    report = Path(tempfile.mkstemp(prefix=f"fuzz-{version}-", suffix=".ndjson")[1])
    command = [SCHEMATHESIS, "--config-file", str(CONFIG), "run", f"{base_url}/api/schema/{version}/"]
    command += ["--url", base_url, "--checks", "all", "--max-examples", str(max_examples)]
    command += ["--max-time", str(max_time), "--no-color", "--report", "ndjson", "--report-ndjson-path", str(report)]
    if seed is not None:
        command += ["--seed", str(seed)]
    if include_path_regex:
        command += ["--include-path-regex", include_path_regex]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "bench.fuzz_hooks",
        "PYTHONPATH": str(ROOT),
        "FUZZ_USERNAME": identity.username,
        "FUZZ_PASSWORD": identity.password,
        "FUZZ_ADMIN_ID": str(identity.admin_id or ""),
    }
    started = time.monotonic()
    # Our own fixed command line against our own loopback server.
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=max_time + 120)  # noqa: S603
    try:
        requests, server_errors = _responses(report)
    finally:
        report.unlink(missing_ok=True)
    return Outcome(
        label or version,
        done.returncode,
        requests,
        server_errors,
        time.monotonic() - started,
        done.stdout + done.stderr,
    )


def _responses(report: Path) -> tuple[int, list[str]]:
    """Requests sent and the 5xx among them, from schemathesis' ndjson report."""
    requests, server_errors = 0, []
    for line in report.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        for interaction in finished["recorder"].get("interactions", {}).values():
            response = interaction.get("response")
            if response is None:
                continue
            requests += 1
            if response["status_code"] >= 500:
                request = interaction["request"]
                server_errors.append(f"{request['method']} {request['uri']} -> {response['status_code']}")
    return requests, server_errors


def fuzz_all(
    base_url: str, user: Identity, admin: Identity | None, *, max_examples: int, max_time: int, seed: int | None
) -> list[Outcome]:
    """Both versions at once as the user; then, if given, both at once as the admin."""
    passes = [(user, None, version) for version in VERSIONS]
    if admin is not None:
        passes += [(admin, ADMIN_OPERATIONS, version) for version in VERSIONS]
    outcomes = []
    with ThreadPoolExecutor(max_workers=len(VERSIONS)) as pool:
        for batch in (passes[:2], passes[2:]):
            futures = [
                pool.submit(
                    fuzz,
                    base_url,
                    version,
                    identity,
                    max_examples=max_examples,
                    max_time=max_time,
                    seed=seed,
                    include_path_regex=paths,
                    label=f"{version} {'admin' if identity.admin_id else 'user'}",
                )
                for identity, paths, version in batch
            ]
            outcomes += [future.result() for future in futures]
    return outcomes


def main(argv: list[str]) -> int:
    from bench.drills.stack import Stack, log, register_and_login

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100, help="test cases per operation and phase")
    parser.add_argument("--max-time", type=int, default=300, help="seconds per pass")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)

    stack = Stack(extra_env={"JWT_ACCESS_MINUTES": "120"})
    try:
        stack.start_services()
        stack.manage("migrate", "--noinput")
        web = stack.start_web("fuzz", workers=2)
        user = Identity("fuzzer", "fuzz-Pass-123456")
        register_and_login(web.url, user.username, user.password, "fuzzer@example.com")
        admin_id = stack.python(
            "from users.models import User; "
            "print(User.objects.create_user(username='fuzz-admin', password='fuzz-Admin-123456', role='admin').pk)"
        ).strip()
        admin = Identity("fuzz-admin", "fuzz-Admin-123456", int(admin_id))
        log(f"fuzzing {web.url}: {args.max_examples} examples per operation, {args.max_time}s per pass at most")
        outcomes = fuzz_all(
            web.url, user, admin, max_examples=args.max_examples, max_time=args.max_time, seed=args.seed
        )
    finally:
        stack.stop()
    for outcome in outcomes:
        if not outcome.ok:
            print(outcome.output[-20_000:])
    for outcome in outcomes:
        print(outcome.line())
    total = sum(outcome.requests for outcome in outcomes)
    print(f"fuzz total: {total} requests, {sum(len(o.server_errors) for o in outcomes)} 5xx")
    return 0 if all(outcome.ok for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
