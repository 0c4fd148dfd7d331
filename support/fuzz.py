"""Schemathesis (4.x) against both API versions of a running server: the runner of `make fuzz`
(bench/fuzz.py, against a production-like deployment) and of its short run in `make test`
(blogapi/tests/test_fuzz.py, against a gunicorn on the test database).

    users = {"v1": Identity("fuzzer-v1", password), "v2": Identity("fuzzer-v2", password)}
    outcomes = fuzz_all(base_url, users, admin, max_examples=3, max_time=35, seed=1)

`schemathesis run --checks all` on `/api/schema/v1/` and `/api/schema/v2/` at once (two
processes): a normal user's pass over every operation, each version as a user of its own
(the two passes run at once: with one user, one pass's random DELETE of a to-do could
remove what the other had just created and was checking it could read back), then, given
an admin, an admin's pass over the operations whose answer depends on the role. Authentication goes through the login
endpoint (support/fuzz_hooks.py); checks and their reasons are in support/schemathesis.toml.
Each pass's `Outcome` counts its requests and 5xx from schemathesis' report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from support import ROOT

CONFIG = Path(__file__).resolve().with_name("schemathesis.toml")
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
        "SCHEMATHESIS_HOOKS": "support.fuzz_hooks",
        "PYTHONPATH": str(ROOT),
        "FUZZ_USERNAME": identity.username,
        "FUZZ_PASSWORD": identity.password,
        "FUZZ_ADMIN_ID": str(identity.admin_id or ""),
    }
    started = time.monotonic()
    # Our own fixed command line against our own loopback server.
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=max_time + 120)
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
    base_url: str,
    users: dict[str, Identity],
    admin: Identity | None,
    *,
    max_examples: int,
    max_time: int,
    seed: int | None,
) -> list[Outcome]:
    """Both versions at once, each as its own user; then, if given, both at once as the admin."""
    passes = [(users[version], None, version) for version in VERSIONS]
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
