"""The near cache (docs/CACHING.md, "Leases"): within a lease a hit asks Redis nothing and
anonymous hits are answered before the rest of Django, yet C1 holds across processes
because a write returns only after every lease read before it has run out."""

import os
import signal
import time
import tracemalloc
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.test import override_settings
from redis import Redis
from rest_framework.throttling import AnonRateThrottle

from blogapi.caching import near as near_module
from blogapi.caching import stats
from blogapi.caching.entries import Entry
from blogapi.metrics import CACHE_LOOKUPS, REQUESTS
from posts.tests.factories import PostFactory
from posts.views import PostViewSet
from todos.tests.factories import TodoFactory
from todos.views import TodoViewSet
from users.models import User
from users.tests.factories import PASSWORD

from .conftest import writing_as_a_server
from .processes import Gunicorn

LEASE = 0.5


def one_long_lease(seconds: float = 3.0):
    """One process, a lease longer than the requests that follow: every hit after the first
    comes from memory. (A write made under it waits as long: data is made before.)"""
    return override_settings(RESPONSE_CACHE_LEASE=seconds)


def dispatches(monkeypatch, viewset=PostViewSet, seen_as=lambda request: request.path) -> list:
    """What reached DRF's dispatch of `viewset` (by default each request's path)."""
    seen = []
    real = viewset.dispatch

    def counted(self, request, *args, **kwargs):
        seen.append(seen_as(request))
        return real(self, request, *args, **kwargs)

    monkeypatch.setattr(viewset, "dispatch", counted)
    return seen


# --- The front: anonymous hits before Django's view machinery -------------------------------


def test_an_anonymous_hit_is_answered_before_drf_with_the_bytes_and_headers_of_the_full_path(api, monkeypatch):
    PostFactory.create_batch(3)
    seen = dispatches(monkeypatch)
    with one_long_lease():
        miss = api.get("/api/v1/posts/")
        hit = api.get("/api/v1/posts/")

    assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT")
    assert seen == ["/api/v1/posts/"]  # the hit never reached the view
    assert hit.content == miss.content
    assert {k: v for k, v in hit.items() if k != "X-Cache"} == {k: v for k, v in miss.items() if k != "X-Cache"}


def test_a_front_hit_is_logged_counted_and_measured_like_any_hit(api, caplog):
    PostFactory()
    with one_long_lease():
        api.get("/api/v2/posts/")
        requests_before = REQUESTS.labels("v2:post-list", "GET", "200")._value.get()
        hits_before = CACHE_LOOKUPS.labels("post-list", "hit")._value.get()
        with caplog.at_level("INFO", logger="blogapi.request"):
            assert api.get("/api/v2/posts/")["X-Cache"] == "HIT"

    assert REQUESTS.labels("v2:post-list", "GET", "200")._value.get() == requests_before + 1
    assert CACHE_LOOKUPS.labels("post-list", "hit")._value.get() == hits_before + 1
    assert stats()["views"]["post-list"] == {"hits": 1, "misses": 1}
    assert [r.getMessage().split(" ")[:3] + r.getMessage().split(" ")[-1:] for r in caplog.records] == [
        ["GET", "/api/v2/posts/", "200", "cache=HIT"]
    ]


def test_conditional_requests_and_bad_credentials_take_the_full_path(api, client_for, user, monkeypatch):
    PostFactory()
    seen = dispatches(monkeypatch)
    with one_long_lease():
        first = api.get("/api/v1/posts/")
        with_token = client_for(user).get("/api/v1/posts/")
        revalidated = api.get("/api/v1/posts/", HTTP_IF_NONE_MATCH=first["ETag"])
        bad_token = api.get("/api/v1/posts/", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert (with_token.status_code, with_token["X-Cache"]) == (200, "HIT")  # a valid token: the front answers
    assert (revalidated.status_code, revalidated["X-Cache"]) == (304, "HIT")
    assert bad_token.status_code == 401  # credentials are always checked: never answered from memory
    assert seen == ["/api/v1/posts/"] * 3


def test_a_per_user_hit_is_answered_before_drf_only_to_its_user_with_a_valid_token(
    client_for, user, other_user, monkeypatch
):
    TodoFactory(user=user, title="mine")
    TodoFactory(user=other_user, title="theirs")
    alice, bob, anonymous = client_for(user), client_for(other_user), client_for(None)
    seen = dispatches(monkeypatch, TodoViewSet, seen_as=lambda request: request.META.get("HTTP_AUTHORIZATION", "")[-4:])
    with one_long_lease():
        first = [alice.get("/api/v1/todos/"), bob.get("/api/v1/todos/")]
        again = [alice.get("/api/v1/todos/"), bob.get("/api/v1/todos/")]
        refused = [
            anonymous.get("/api/v1/todos/"),
            anonymous.get("/api/v1/todos/", HTTP_AUTHORIZATION="Bearer not-a-token"),
            anonymous.get("/api/v1/todos/", HTTP_AUTHORIZATION=alice._credentials["HTTP_AUTHORIZATION"] + "x"),
        ]

    assert [r.json()["results"][0]["title"] for r in again] == ["mine", "theirs"]
    assert [(r["X-Cache"], r.content) for r in again] == [("HIT", first[0].content), ("HIT", first[1].content)]
    assert [r.status_code for r in refused] == [401, 401, 401]
    tokens = [client._credentials["HTTP_AUTHORIZATION"][-4:] for client in (alice, bob)]
    assert seen == [*tokens, "", "oken", tokens[0][1:] + "x"]  # the hits never reached the view; refusals did


def test_a_logged_in_reader_of_a_public_list_gets_the_answer_kept_for_anyone(api, client_for, user, monkeypatch):
    PostFactory()
    seen = dispatches(monkeypatch)
    with one_long_lease():
        anonymous = api.get("/api/v1/posts/")
        logged_in = client_for(user).get("/api/v1/posts/")

    assert (logged_in["X-Cache"], logged_in.content) == ("HIT", anonymous.content)
    assert seen == ["/api/v1/posts/"]


class GenerousThrottle(AnonRateThrottle):
    rate = "1000/min"


def test_a_view_that_throttles_is_never_answered_by_the_front(api, monkeypatch):
    monkeypatch.setattr(PostViewSet, "throttle_classes", [GenerousThrottle])
    PostFactory()
    seen = dispatches(monkeypatch)
    with one_long_lease():
        answers = [api.get("/api/v1/posts/")["X-Cache"] for _ in range(3)]

    assert answers == ["MISS", "HIT", "HIT"]  # cached, yet every request counted by the throttle
    assert seen == ["/api/v1/posts/"] * 3


def test_a_revalidation_is_answered_by_the_front_with_the_304_of_the_full_path(api, client_for, user, monkeypatch):
    PostFactory()
    seen = dispatches(monkeypatch)
    with one_long_lease():
        etag = api.get("/api/v1/posts/")["ETag"]
        full_path = api.get("/api/v1/posts/", HTTP_IF_NONE_MATCH=etag)  # the first 304 is learned
        fronts = [api.get("/api/v1/posts/", HTTP_IF_NONE_MATCH=value) for value in (etag, f'W/{etag}, "x"', "*")]
        changed = api.get("/api/v1/posts/", HTTP_IF_NONE_MATCH='"another"')

    assert seen == ["/api/v1/posts/"] * 2
    assert [r.status_code for r in [full_path, *fronts]] == [304] * 4
    assert all(r.items() == full_path.items() and r.content == b"" for r in fronts)
    assert (changed.status_code, changed["X-Cache"], changed["ETag"]) == (200, "HIT", etag)


def test_the_front_keeps_formats_and_hosts_apart(api):
    PostFactory(title="one")
    with one_long_lease():
        api.get("/api/v1/posts/?page_size=5")
        json_hit = api.get("/api/v1/posts/?page_size=5")
        html = api.get("/api/v1/posts/?page_size=5", HTTP_ACCEPT="text/html")
        other_host = api.get("/api/v1/posts/?page_size=5", HTTP_HOST="localhost")

    assert json_hit["X-Cache"] == "HIT" and json_hit["Content-Type"] == "application/json"
    assert html["Content-Type"].startswith("text/html")
    assert other_host["X-Cache"] == "MISS"
    assert "http://localhost/" not in json_hit.content.decode() and other_host.json()["count"] == 1


def test_an_own_write_is_seen_at_once_even_within_a_long_lease(api, client_for, user):
    post = PostFactory(user=user, title="before")
    with one_long_lease(1.0):
        for _ in range(2):
            api.get(f"/api/v1/posts/{post.pk}/")
            api.get("/api/v1/posts/")
        patched = client_for(user).patch(f"/api/v1/posts/{post.pk}/", {"title": "after"}, format="json")
        detail, listed = api.get(f"/api/v1/posts/{post.pk}/"), api.get("/api/v1/posts/")

    assert patched.status_code == 200
    assert (detail["X-Cache"], detail.json()["title"]) == ("MISS", "after")
    assert listed.json()["results"][0]["title"] == "after"


def test_within_a_lease_hits_ask_redis_nothing(own_redis, api, client_for, user):
    PostFactory(user=user)
    urls = ["/api/v1/posts/", "/api/v2/posts/", "/api/v1/users/me/"]
    alice = client_for(user)
    redis = Redis.from_url(own_redis.url())
    with one_long_lease():
        for url in urls:  # misses, then hits that learn the views' Vary and fill the near cache
            for _ in range(2):
                alice.get(url)
                api.get(url)
        before = commands_served(redis)
        answers = [(r.status_code, r.get("X-Cache")) for url in urls for r in (alice.get(url), api.get(url))]

    assert commands_served(redis) == before
    assert answers == [(200, "HIT")] * 5 + [(401, None)]  # anonymous /me: refused, as without a cache


def commands_served(redis: Redis) -> int:
    """Commands Redis has run, by its own counters (the INFO asking for them excluded)."""
    return sum(stat["calls"] for name, stat in redis.info("commandstats").items() if name != "cmdstat_info")


def test_a_per_user_hit_needs_no_database_not_even_a_health_check(
    client_for, user, django_assert_num_queries, monkeypatch
):
    alice = client_for(user)
    checks = []
    with one_long_lease():
        alice.get("/api/v1/todos/")
        alice.get("/api/v1/todos/")
        monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
        connection.health_check_done = False  # as at the start of a request
        with django_assert_num_queries(0):
            assert alice.get("/api/v1/todos/")["X-Cache"] == "HIT"
    assert checks == []


# --- The bound ------------------------------------------------------------------------------


def test_the_near_cache_stays_within_its_bound_under_100000_distinct_keys():
    bound = 8 * 1024 * 1024
    with override_settings(RESPONSE_CACHE_NEAR_BYTES=bound, RESPONSE_CACHE_LEASE=1.0):
        near = near_module._NearCache()
        body = b'{"id": 1, "title": "a post", "content": "' + b"x" * 400 + b'"}'
        tracemalloc.start()
        try:
            baseline = tracemalloc.get_traced_memory()[0]
            for n in range(100_000):
                key = f"resp:post-retrieve:{n:040x}"
                near.put(key, Entry("0" * 50, f'"{n:032x}"', "application/json", "Accept", "no-cache", body + b" "))
            used = tracemalloc.get_traced_memory()[0] - baseline
        finally:
            tracemalloc.stop()

    assert near.nbytes <= bound
    assert used <= bound * 1.1, f"{used:,} bytes held for a bound of {bound:,}"
    assert 0 < len(near) < 100_000  # the least recently used went
    assert near.get(f"resp:post-retrieve:{99_999:040x}") is not None
    assert near.get(f"resp:post-retrieve:{0:040x}") is None


# --- Across processes -------------------------------------------------------------------------


@pytest.fixture
def two_leasing_servers():
    servers = [Gunicorn(RESPONSE_CACHE_LEASE=str(LEASE)) for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


def worker_pids(server: Gunicorn) -> list[int]:
    path = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    return [int(pid) for pid in path.read_text().split()]


def login(server: Gunicorn, user) -> dict[str, str]:
    tokens = requests.post(
        f"{server.url}/api/v1/users/login/", json={"username": user.username, "password": PASSWORD}, timeout=10
    )
    return {"Authorization": f"Bearer {tokens.json()['access']}"}


def hot(server: Gunicorn, path: str, headers=None) -> None:
    requests.get(server.url + path, headers=headers or {}, timeout=10)
    assert requests.get(server.url + path, headers=headers or {}, timeout=10).headers["X-Cache"] == "HIT"


@pytest.mark.slow
def test_a_server_frozen_across_a_write_answers_fresh_when_it_resumes(two_leasing_servers, user):
    writer, frozen = two_leasing_servers
    post = PostFactory(user=user, title="before")
    token = login(writer, user)
    detail = f"/api/v1/posts/{post.pk}/"
    hot(frozen, detail)
    hot(frozen, "/api/v1/posts/")

    pids = [frozen.process.pid, *worker_pids(frozen)]
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)  # holds a lease taken just now, and cannot see anything happen
    try:
        patched = requests.patch(writer.url + detail, json={"title": "after"}, headers=token, timeout=10)
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)

    assert patched.status_code == 200
    assert requests.get(frozen.url + detail, timeout=10).json()["title"] == "after"
    assert requests.get(frozen.url + "/api/v1/posts/", timeout=10).json()["results"][0]["title"] == "after"


@pytest.mark.slow
def test_a_deactivated_user_is_refused_by_every_process_at_once(two_leasing_servers, user):
    token = login(two_leasing_servers[0], user)
    for server in two_leasing_servers:  # both hold the user under a lease, and the views
        hot(server, "/api/v1/users/me/", token)
        hot(server, "/api/v1/todos/", token)

    with writing_as_a_server(str(LEASE)):
        User.objects.filter(pk=user.pk).update(is_active=False)  # a third process

    for server in two_leasing_servers:
        for path in ("/api/v1/users/me/", "/api/v1/todos/"):
            assert requests.get(server.url + path, headers=token, timeout=10).status_code == 401, (server.url, path)


@pytest.mark.slow
def test_a_write_while_redis_is_paused_waits_the_lease_and_nothing_stale_follows(own_redis, user):
    post = PostFactory(user=user, title="before")
    lease = 1.5  # well above what the write spends on timeouts while Redis does not answer
    env = {"REDIS_URL": own_redis.url(), "TEST_REDIS_DB": "0", "RESPONSE_CACHE_LEASE": str(lease)}
    servers = [Gunicorn(**env) for _ in range(2)]
    detail = f"/api/v1/posts/{post.pk}/"
    try:
        token = login(servers[0], user)
        for server in servers:
            hot(server, detail)
            hot(server, "/api/v1/posts/")

        own_redis.pause()
        try:
            started = time.monotonic()
            patched = requests.patch(servers[0].url + detail, json={"title": "after"}, headers=token, timeout=10)
            took = time.monotonic() - started
            during = [requests.get(server.url + detail, timeout=10).json()["title"] for server in servers]
        finally:
            own_redis.resume()
        after = [requests.get(server.url + detail, timeout=10).json()["title"] for server in servers]
        time.sleep(lease + 1.0)  # recovered: the epoch is gone, a lease has passed, caching resumes
        resumed = [requests.get(server.url + detail, timeout=10) for server in servers for _ in range(2)]
    finally:
        for server in servers:
            server.stop()

    assert patched.status_code == 200
    assert took >= lease
    assert during == after == ["after", "after"]
    assert [r.json()["title"] for r in resumed] == ["after"] * 4
    assert "HIT" in [r.headers["X-Cache"] for r in resumed]
