import time

import pytest
from django.test import override_settings

from conftest import reset_process_cache_state
from support import postman

from .processes import Gunicorn, OwnRedis


@pytest.fixture
def own_redis():
    """The response cache on a redis-server this test owns (and may kill or pause)."""
    redis = OwnRedis()
    with override_settings(CACHES=redis.cache_settings(), RESPONSE_CACHE_RETRY_AFTER=0.2):
        reset_process_cache_state()
        yield redis
    reset_process_cache_state()
    redis.stop()


@pytest.fixture(scope="module")
def two_servers(django_db_setup, django_db_blocker):
    """Two gunicorn processes, as deployed, sharing the test database and Redis."""
    with django_db_blocker.unblock():
        servers = [Gunicorn(), Gunicorn()]
    yield servers
    for server in servers:
        server.stop()


def leases_run_out(lease: str):
    """For a module whose servers outlive its tests: each test starts once what the servers
    leased during the previous one has expired (that test's rows were truncated by the
    test database's teardown, raw SQL out of the ORM's sight)."""

    @pytest.fixture(autouse=True)
    def wait_out_the_previous_tests_leases():
        time.sleep(float(lease))

    return wait_out_the_previous_tests_leases


def writing_as_a_server(lease: str):
    """Writes this process makes for servers with `lease` to read: they wait it out, as
    every process sharing the cache does (the suite's own lease is shorter, for speed)."""
    return override_settings(RESPONSE_CACHE_LEASE=float(lease))


def pytest_terminal_summary(terminalreporter):
    """A skipped newman run ends the output with one line saying what to install (pytest
    itself shows skip reasons only with -rs)."""
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if "test_postman.py" in report.nodeid]
    if skipped and (missing := postman.newman_missing()):
        terminalreporter.write_line(f"The Postman collection was not run: {missing}", yellow=True)
