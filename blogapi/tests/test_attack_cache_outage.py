"""Found by the Redis SIGSTOP drill (`make drills`, docs/RELIABILITY.md): a write made by a
process whose cache circuit is still open, just after Redis came back, is not seen by
another process that already uses the cache again, until the writer's background retry
replaces the epoch (up to RESPONSE_CACHE_RETRY_AFTER later, 1 s as deployed)."""

import pytest
import requests
from django.test import override_settings

from posts.tests.factories import PostFactory

from .processes import Gunicorn

pytestmark = pytest.mark.slow


def test_a_write_just_after_redis_resumes_is_seen_at_once_by_another_process(own_redis, client_for, user):
    post = PostFactory(user=user, title="before")
    reader = Gunicorn(REDIS_URL=own_redis.url(), TEST_REDIS_DB="0", GUNICORN_ACCESS_LOG="")
    detail = f"{reader.url}/api/v1/posts/{post.pk}/"
    try:
        requests.get(detail, timeout=10)
        assert requests.get(detail, timeout=10).headers["X-Cache"] == "HIT"  # the other process caches it

        # This process's circuit opens on a stalled Redis; a longer pause before it retries
        # makes the window the drill hit by chance as wide as the test needs.
        with override_settings(RESPONSE_CACHE_RETRY_AFTER=3.0):
            own_redis.pause()
            try:
                assert client_for(user).get(f"/api/v1/posts/{post.pk}/").status_code == 200
            finally:
                own_redis.resume()
            edited = client_for(user).patch(f"/api/v1/posts/{post.pk}/", {"title": "after"}, format="json")
            seen_by_the_other_process = requests.get(detail, timeout=10).json()["title"]
    finally:
        reader.stop()

    assert edited.status_code == 200
    assert seen_by_the_other_process == "after"
