"""Schemathesis against both API versions of a real gunicorn on PostgreSQL + Redis, as a
normal user authenticated through the login endpoint: the short run of `make fuzz`
(bench/fuzz.py, with the runner support/fuzz.py; the checks and why each holds are in
support/schemathesis.toml).

At least 1,000 requests, not one 5xx, and no check failed (schema conformance of every
status, header and body; invalid input refused, valid input accepted; auth not ignored).
A fixed seed keeps the generated cases the same from run to run.
"""

import pytest

from support.fuzz import VERSIONS, Identity, fuzz_all
from users.tests.factories import PASSWORD, UserFactory

from .processes import Gunicorn

pytestmark = pytest.mark.slow

SEED = 20261124


def test_schemathesis_finds_no_server_error_and_no_schema_violation():
    users = {version: Identity(UserFactory(username=f"fuzzer-{version}").username, PASSWORD) for version in VERSIONS}
    server = Gunicorn(GUNICORN_ACCESS_LOG="")
    try:
        outcomes = fuzz_all(server.url, users, None, max_examples=3, max_time=35, seed=SEED)
    finally:
        server.stop()

    for outcome in outcomes:
        print(outcome.line())  # shown with -s, and with a failure
    for outcome in outcomes:
        assert outcome.returncode == 0, outcome.output[-15_000:]
        assert outcome.server_errors == [], outcome.server_errors
    assert sum(outcome.requests for outcome in outcomes) >= 1_000, [outcome.line() for outcome in outcomes]
