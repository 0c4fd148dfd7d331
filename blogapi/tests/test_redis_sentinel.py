"""The response cache behind Redis Sentinel, configured by the environment alone
(REDIS_URL naming the master, REDIS_SENTINELS): it caches and invalidates on the master
the sentinel names, and never reads from a replica, whose lag could hand out a
generation token a write has already replaced (C1)."""

import time

import pytest
import redis
import requests

from posts.tests.factories import PostFactory
from users.tests.factories import PASSWORD

from .processes import Gunicorn, OwnRedis, OwnSentinel, child_env, health_in_a_fresh_process

pytestmark = pytest.mark.slow


@pytest.fixture
def sentinel_setup():
    master = OwnRedis()
    replica = OwnRedis("--replicaof", "127.0.0.1", str(master.port))
    sentinel = OwnSentinel(master, name="mymaster")
    watcher = redis.Redis(port=sentinel.port)
    deadline = time.monotonic() + 30  # Sentinel learns of replicas from the master's INFO, every 10 s
    while not any(int(r["port"]) == replica.port for r in watcher.sentinel_slaves("mymaster")):
        assert time.monotonic() < deadline, "the sentinel never saw the replica"
        time.sleep(0.2)
    yield master, replica, sentinel
    for server in (sentinel, replica, master):
        server.stop()


def commands_run(server: OwnRedis) -> set[str]:
    return {name.removeprefix("cmdstat_") for name in redis.Redis(port=server.port).info("commandstats")}


def test_the_cache_works_through_sentinel_and_reads_only_the_master(sentinel_setup, user):
    master, replica, sentinel = sentinel_setup
    post = PostFactory(user=user, title="before")
    web = Gunicorn(REDIS_URL="redis://mymaster/0", REDIS_SENTINELS=f"127.0.0.1:{sentinel.port}", TEST_REDIS_DB="0")
    session = requests.Session()
    detail = f"{web.url}/api/v1/posts/{post.pk}/"
    try:
        assert [session.get(detail, timeout=10).headers["X-Cache"] for _ in range(3)] == ["MISS", "HIT", "HIT"]
        access = session.post(
            f"{web.url}/api/v1/users/login/", json={"username": user.username, "password": PASSWORD}, timeout=10
        ).json()["access"]
        edited = session.patch(
            detail, json={"title": "after"}, headers={"Authorization": f"Bearer {access}"}, timeout=10
        )
        after = session.get(detail, timeout=10)
    finally:
        web.stop()

    assert edited.status_code == 200
    assert after.headers["X-Cache"] == "MISS"
    assert after.json()["title"] == "after"
    assert list(redis.Redis(port=master.port).scan_iter("*resp:*"))  # stored on the master the sentinel named
    assert {"mget", "set"} <= commands_run(master)
    assert not commands_run(replica) & {"get", "mget"}  # no read ever went to the replica


def test_a_deployment_configured_for_sentinel_reports_cache_and_broker_up(sentinel_setup):
    master, _, sentinel = sentinel_setup
    sentinels = f"127.0.0.1:{sentinel.port}"
    env = child_env(
        DJANGO_SETTINGS_MODULE="blogapi.settings.production",
        SECRET_KEY="a-deployment-secret-for-this-test-only-0123456789abcdef",
        ALLOWED_HOSTS="testserver",
        REDIS_URL="redis://mymaster/0",
        REDIS_SENTINELS=sentinels,
        CELERY_BROKER_URL=f"sentinel://{sentinels}",  # master_name: the one REDIS_URL names
    )

    result = health_in_a_fresh_process(env)

    assert result["body"] == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
    assert list(redis.Redis(port=master.port).scan_iter("blogapi:*health*"))  # the probe went to the master
