"""`manage.py cache_stats` and `manage.py cache_clear` against the real response cache."""

import json
import re
import time
from io import StringIO

import pytest
import requests
from django.core.cache import cache
from django.core.management import call_command

from blogapi import caching
from blogapi.tests.processes import Gunicorn
from posts.tests.factories import PostFactory


@pytest.fixture(autouse=True)
def _zero_counters():
    """Counts another test left in this process' buffer must not show up here."""
    caching.flush_counts()
    cache.clear()


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_cache_stats_shows_hits_and_misses_per_view(api):
    post = PostFactory()
    outcomes = [api.get("/api/v1/posts/")["X-Cache"] for _ in range(3)]
    outcomes.append(api.get(f"/api/v1/posts/{post.pk}/")["X-Cache"])
    assert outcomes == ["MISS", "HIT", "HIT", "MISS"]

    output = run("cache_stats")

    assert re.search(r"^post-list\s+2\s+1\s+66\.7%$", output, re.MULTILINE), output
    assert re.search(r"^post-retrieve\s+0\s+1\s+0\.0%$", output, re.MULTILINE), output
    assert re.search(r"^total\s+2\s+2\s+50\.0%$", output, re.MULTILINE), output
    assert "cached responses: 2" in output
    assert re.search(r"redis memory:\s+[1-9][\d,]* bytes", output), output


def test_cache_stats_json_is_machine_readable(api):
    PostFactory()
    for _ in range(3):
        api.get("/api/v2/posts/")

    report = json.loads(run("cache_stats", "--json"))

    assert report["views"] == {"post-list": {"hits": 2, "misses": 1, "hit_ratio": 0.6667}}
    assert report["totals"] == {"hits": 2, "misses": 1, "hit_ratio": 0.6667}
    assert report["entries"] == 1
    assert report["memory_bytes"] > 0


def test_cache_stats_with_no_traffic_shows_no_ratio():
    report = json.loads(run("cache_stats", "--json"))

    assert report["views"] == {}
    assert report["totals"] == {"hits": 0, "misses": 0, "hit_ratio": None}
    assert report["entries"] == 0
    assert re.search(r"^total\s+0\s+0\s+-$", run("cache_stats"), re.MULTILINE)


def test_cache_clear_drops_every_cached_response(api, client_for, user):
    PostFactory(user=user)
    for path in ("/api/v1/posts/", "/api/v2/posts/"):
        api.get(path)
        assert api.get(path)["X-Cache"] == "HIT"
    todos = client_for(user)
    todos.get("/api/v1/todos/")

    output = run("cache_clear")

    assert output == "Dropped 3 cached response(s).\n"
    assert json.loads(run("cache_stats", "--json"))["entries"] == 0
    assert api.get("/api/v1/posts/")["X-Cache"] == "MISS"
    assert api.get("/api/v2/posts/")["X-Cache"] == "MISS"
    assert todos.get("/api/v1/todos/")["X-Cache"] == "MISS"
    assert api.get("/api/v1/posts/")["X-Cache"] == "HIT"


def test_cache_clear_keeps_the_hit_and_miss_counts(api):
    PostFactory()
    api.get("/api/v1/posts/")
    api.get("/api/v1/posts/")

    run("cache_clear")

    assert json.loads(run("cache_stats", "--json"))["views"]["post-list"] == {
        "hits": 1,
        "misses": 1,
        "hit_ratio": 0.5,
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flush_seconds", "stop_first"),
    [pytest.param("0.3", False, id="flushed-while-running"), pytest.param("0", True, id="flushed-at-exit")],
)
def test_cache_stats_sees_what_a_server_process_counted(flush_seconds, stop_first):
    post = PostFactory()
    web = Gunicorn(RESPONSE_CACHE_STATS_FLUSH_SECONDS=flush_seconds)
    try:
        outcomes = [requests.get(f"{web.url}/api/v1/posts/{post.pk}/", timeout=10).headers["X-Cache"] for _ in range(4)]
        assert outcomes == ["MISS", "HIT", "HIT", "HIT"]
        if stop_first:
            web.stop()  # a clean exit hands over what the worker counted
        # No further request to that process: the counts arrive on their own.
        deadline = time.monotonic() + 10
        while caching.stats()["views"].get("post-retrieve") != {"hits": 3, "misses": 1}:
            assert time.monotonic() < deadline, caching.stats()
            time.sleep(0.1)
    finally:
        web.stop()

    assert re.search(r"^post-retrieve\s+3\s+1\s+75\.0%$", run("cache_stats"), re.MULTILINE)
