import pytest
from django.test import override_settings

from blogapi import caching, postman

from .processes import Gunicorn, OwnRedis


@pytest.fixture
def own_redis():
    """The response cache on a redis-server this test owns (and may kill or pause)."""
    redis = OwnRedis()
    with override_settings(CACHES=redis.cache_settings(), RESPONSE_CACHE_RETRY_AFTER=0.2):
        caching._health.__init__()
        yield redis
    caching._health.__init__()
    redis.stop()


@pytest.fixture(scope="module")
def two_servers(django_db_setup, django_db_blocker):
    """Two gunicorn processes, as deployed, sharing the test database and Redis."""
    with django_db_blocker.unblock():
        servers = [Gunicorn(), Gunicorn()]
    yield servers
    for server in servers:
        server.stop()


def pytest_terminal_summary(terminalreporter):
    """A skipped newman run ends the output with one line saying what to install (pytest
    itself shows skip reasons only with -rs)."""
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if "test_postman.py" in report.nodeid]
    if skipped and (missing := postman.newman_missing()):
        terminalreporter.write_line(f"The Postman collection was not run: {missing}", yellow=True)
