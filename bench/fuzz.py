"""`make fuzz`: schemathesis (4.x) against both API versions of a production-like deployment.

    python -m bench.fuzz [--max-examples N] [--max-time SECONDS] [--seed N]

Starts a throwaway PostgreSQL and a redis-server of its own (bench/drills/stack.py), one
gunicorn with the production settings, registers a normal user and an admin, then runs
support.fuzz: `schemathesis run --checks all` on `/api/schema/v1/` and `/api/schema/v2/` at
once, a normal user's pass over every operation, then an admin's pass over the operations
whose answer depends on the role (checks and their reasons: support/schemathesis.toml).
Prints one line per pass (requests, 5xx, schemathesis' verdict) and exits non-zero on
any failure. blogapi/tests/test_fuzz.py runs the same passes, shorter, inside `make test`.
"""

from __future__ import annotations

import argparse
import sys

from bench.drills.stack import Stack, log, register_and_login
from support.fuzz import VERSIONS, Identity, fuzz_all


def main(argv: list[str]) -> int:
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
        users = {version: Identity(f"fuzzer-{version}", "fuzz-Pass-123456") for version in VERSIONS}
        for user in users.values():
            register_and_login(web.url, user.username, user.password, f"{user.username}@example.com")
        admin_id = stack.python(
            "from users.models import User; "
            "print(User.objects.create_user(username='fuzz-admin', password='fuzz-Admin-123456', role='admin').pk)"
        ).strip()
        admin = Identity("fuzz-admin", "fuzz-Admin-123456", int(admin_id))
        log(f"fuzzing {web.url}: {args.max_examples} examples per operation, {args.max_time}s per pass at most")
        outcomes = fuzz_all(
            web.url, users, admin, max_examples=args.max_examples, max_time=args.max_time, seed=args.seed
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
