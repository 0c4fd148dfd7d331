"""While Redis is unreachable, logins still work (never a 500) and failed logins are still
limited: each process counts them in its own memory."""

import os
import shutil
import subprocess
import time

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from support.ports import free_port
from users.tests.factories import PASSWORD
from users.tests.test_login_throttle import PER_USERNAME, assert_throttled, fail, login

LOGIN = reverse("v1:user-login")


def caches_with_redis_at(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "blogapi-test",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        },
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "blogapi-local"},
    }


@pytest.fixture
def redis_unreachable():
    """The shared cache points at a port nobody listens on."""
    with override_settings(CACHES=caches_with_redis_at(free_port())):
        with pytest.raises(Exception):  # whatever django-redis raises: it is down
            caches["default"].get("probe")
        yield


def test_a_login_succeeds_while_redis_is_down(api, user, redis_unreachable, frozen_clock):
    response = login(api, "alice", PASSWORD)

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_failed_logins_are_still_limited_while_redis_is_down(api, user, redis_unreachable, frozen_clock):
    fail(api, "alice", PER_USERNAME)

    assert_throttled(login(api, "alice", PASSWORD))


def test_a_success_still_clears_the_count_while_redis_is_down(api, user, redis_unreachable, frozen_clock):
    fail(api, "alice", PER_USERNAME - 1)
    assert login(api, "alice", PASSWORD).status_code == 200

    fail(api, "alice", PER_USERNAME)

    assert_throttled(login(api, "alice", PASSWORD))


@pytest.fixture
def own_redis_server(tmp_path):
    """A redis-server of this test's own, so the test may kill it."""
    binary = os.environ.get("REDIS_SERVER_BIN") or shutil.which("redis-server")
    if not binary:
        pytest.skip("no redis-server binary (set REDIS_SERVER_BIN or put redis-server on PATH)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmp_path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_timeout=0.5)
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the test's redis-server did not start")
                time.sleep(0.05)
        yield process, client, port
    finally:
        process.kill()
        process.wait(timeout=5)


@pytest.mark.slow
def test_the_limit_holds_when_redis_dies_mid_attack(api, user, own_redis_server, frozen_clock):
    process, client, port = own_redis_server
    with override_settings(CACHES=caches_with_redis_at(port)):
        fail(api, "alice", 2)
        assert any(b"login-failures" in key for key in client.keys("*"))  # counted in Redis

        process.kill()
        process.wait(timeout=5)

        # Nothing counted in Redis can be read now: this process counts afresh, and still stops guessing.
        assert login(api, "alice", PASSWORD).status_code == 200
        fail(api, "alice", PER_USERNAME)
        assert_throttled(login(api, "alice", PASSWORD))
