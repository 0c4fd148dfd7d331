"""C1 and C4 when Redis refuses writes but still answers reads: out of memory under
`noeviction`, the policy Redis applies once `maxmemory` is set and nothing else is.

An invalidation deletes generation tokens, which needs no memory, so it still succeeds;
a reader that cannot store a fresh token serves from the database. Two servers, near
cache on, a real redis-server made full with CONFIG SET."""

import pytest
import redis
import requests

from posts.tests.factories import PostFactory
from users.tests.factories import PASSWORD

from .processes import Gunicorn

pytestmark = pytest.mark.slow

LEASE = "0.5"


def titles_everywhere(servers, post_id: int) -> list[str]:
    titles = []
    for server in servers:
        titles.append(requests.get(f"{server.url}/api/v1/posts/{post_id}/", timeout=10).json()["title"])
        titles.append(requests.get(f"{server.url}/api/v2/posts/", timeout=10).json()["results"][0]["title"])
    return titles


def test_writes_succeed_and_no_read_is_stale_while_redis_is_out_of_memory_or_after(own_redis, user):
    post = PostFactory(user=user, title="before")
    env = {"REDIS_URL": own_redis.url(), "TEST_REDIS_DB": "0", "RESPONSE_CACHE_LEASE": LEASE}
    servers = [Gunicorn(**env), Gunicorn(**env)]
    client = redis.Redis.from_url(own_redis.url())
    detail = f"/api/v1/posts/{post.pk}/"
    try:
        credentials = {"username": user.username, "password": PASSWORD}
        access = requests.post(f"{servers[0].url}/api/v1/users/login/", json=credentials, timeout=10).json()["access"]
        token = {"Authorization": f"Bearer {access}"}
        for server in servers:
            for path in (detail, "/api/v2/posts/"):
                requests.get(server.url + path, timeout=10)
                assert requests.get(server.url + path, timeout=10).headers["X-Cache"] == "HIT"

        client.config_set("maxmemory-policy", "noeviction")
        client.config_set("maxmemory", client.info("memory")["used_memory"] // 2)
        with pytest.raises(redis.exceptions.OutOfMemoryError):
            client.set("probe", "x")  # Redis refuses every write now, and still answers reads
        during = []
        for n in range(3):
            edited = requests.patch(servers[n % 2].url + detail, json={"title": f"full {n}"}, headers=token, timeout=10)
            assert edited.status_code == 200
            during.append(titles_everywhere(servers, post.pk))

        client.config_set("maxmemory", 0)  # memory back
        after = titles_everywhere(servers, post.pk)
        edited = requests.patch(servers[1].url + detail, json={"title": "after"}, headers=token, timeout=10)
        after_write = titles_everywhere(servers, post.pk)
        resumed = [requests.get(servers[0].url + detail, timeout=10).headers["X-Cache"] for _ in range(3)]
    finally:
        for server in servers:
            server.stop()

    assert during == [[f"full {n}"] * 4 for n in range(3)]
    assert after == ["full 2"] * 4
    assert edited.status_code == 200
    assert after_write == ["after"] * 4
    assert resumed[-1] == "HIT"  # caching works again
