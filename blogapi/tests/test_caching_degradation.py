"""C4: with Redis killed or stalled, reads come from the database with no 5xx, writes
succeed, and once Redis answers again no stale response is served."""

import time

import pytest
from django.conf import settings

from posts.tests.factories import PostFactory

pytestmark = pytest.mark.slow


def wait_past_the_retry_pause() -> None:
    time.sleep(settings.RESPONSE_CACHE_RETRY_AFTER + 0.1)


def test_redis_killed_then_restarted(own_redis, api, client_for, user):
    post = PostFactory(user=user, title="before")
    author = client_for(user)
    api.get("/api/v1/posts/")
    assert api.get("/api/v1/posts/")["X-Cache"] == "HIT"

    own_redis.kill()
    during = [api.get("/api/v1/posts/"), api.get(f"/api/v2/posts/{post.pk}/")]
    created = author.post("/api/v1/posts/", {"title": "written while down", "content": "x"}, format="json")
    edited = author.patch(f"/api/v1/posts/{post.pk}/", {"title": "after"}, format="json")
    listed = api.get("/api/v1/posts/")

    assert [r.status_code for r in during] == [200, 200]
    assert (created.status_code, edited.status_code) == (201, 200)
    assert {p["title"] for p in listed.json()["results"]} == {"written while down", "after"}

    own_redis.start()
    wait_past_the_retry_pause()
    for _ in range(2):
        assert {p["title"] for p in api.get("/api/v1/posts/").json()["results"]} == {"written while down", "after"}
        assert api.get(f"/api/v2/posts/{post.pk}/").json()["title"] == "after"
    assert api.get("/api/v1/posts/")["X-Cache"] == "HIT"  # caching resumed


def test_redis_paused_keeps_cached_entries_that_must_not_come_back(own_redis, api, client_for, user):
    """SIGSTOP keeps Redis's memory: the entries cached before the pause are still
    there when it resumes, and the write made during the pause could not invalidate
    them. The recorded invalidation must be applied before anything is served."""
    post = PostFactory(user=user, title="before")
    for url in ("/api/v1/posts/", f"/api/v1/posts/{post.pk}/"):
        api.get(url)
        assert api.get(url)["X-Cache"] == "HIT"

    own_redis.pause()
    try:
        edited = client_for(user).patch(f"/api/v1/posts/{post.pk}/", {"title": "after"}, format="json")
        during = api.get(f"/api/v1/posts/{post.pk}/")
    finally:
        own_redis.resume()

    assert edited.status_code == 200
    assert (during.status_code, during.json()["title"]) == (200, "after")
    wait_past_the_retry_pause()
    assert api.get(f"/api/v1/posts/{post.pk}/").json()["title"] == "after"
    assert api.get("/api/v1/posts/").json()["results"][0]["title"] == "after"


def test_a_process_that_only_read_during_the_outage_serves_nothing_stale_after_it(own_redis, api, user):
    """Another process wrote while this one could not reach Redis (simulated by a
    direct database write that could not invalidate): having seen the outage, this
    process replaces the global epoch before reading the cache again."""
    post = PostFactory(user=user, title="before")
    api.get(f"/api/v1/posts/{post.pk}/")
    assert api.get(f"/api/v1/posts/{post.pk}/")["X-Cache"] == "HIT"

    own_redis.pause()
    try:
        assert api.get(f"/api/v1/posts/{post.pk}/").status_code == 200  # this process sees the outage
    finally:
        own_redis.resume()
    type(post).objects.filter(pk=post.pk).update(title="written elsewhere")  # no invalidation reached Redis

    wait_past_the_retry_pause()
    assert api.get(f"/api/v1/posts/{post.pk}/").json()["title"] == "written elsewhere"
