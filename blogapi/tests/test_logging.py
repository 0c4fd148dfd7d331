"""One log line per request: method, path, status, duration and cache HIT/MISS."""

import logging
import re
import time

import pytest

from posts import selectors
from posts.tests.factories import PostFactory
from users.tests.factories import PASSWORD

LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms cache=(?P<cache>HIT|MISS|-)$")


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="blogapi.request")

    def lines() -> list[dict]:
        records = [record for record in caplog.records if record.name == "blogapi.request"]
        assert all(record.levelno == logging.INFO for record in records)
        parsed = [LINE.match(record.getMessage()) for record in records]
        assert all(parsed), [record.getMessage() for record in records]
        return [match.groupdict() for match in parsed]

    return lines


def test_each_request_logs_one_line_with_cache_outcome_and_its_duration(api, user, request_lines, monkeypatch):
    PostFactory(user=user)
    real_selector = selectors.posts_published

    def slow_selector(**kwargs):
        time.sleep(0.05)  # a slow query: the miss must log at least this long
        return real_selector(**kwargs)

    monkeypatch.setattr(selectors, "posts_published", slow_selector)

    api.get("/api/v1/posts/?page=1")
    api.get("/api/v1/posts/?page=1")

    first, second = request_lines()
    assert {key: first[key] for key in ("method", "path", "status", "cache")} == {
        "method": "GET",
        "path": "/api/v1/posts/?page=1",
        "status": "200",
        "cache": "MISS",
    }
    assert (second["status"], second["cache"]) == ("200", "HIT")
    assert float(first["ms"]) >= 50.0  # the time the request took, not a constant
    assert float(second["ms"]) < 50.0  # a hit never reaches the slow query


def test_uncached_requests_and_errors_are_logged_too(client_for, user, request_lines):
    client = client_for(user)

    client.post("/api/v1/posts/", {"title": "t", "content": "c"}, format="json")
    client.get("/api/v1/posts/999999/")
    client.get("/api/v1/nothing/")

    assert [(line["method"], line["path"], line["status"], line["cache"]) for line in request_lines()] == [
        ("POST", "/api/v1/posts/", "201", "-"),
        ("GET", "/api/v1/posts/999999/", "404", "-"),  # errors are never cached
        ("GET", "/api/v1/nothing/", "404", "-"),
    ]


def test_a_rejected_url_is_logged_with_its_status(api, request_lines):
    api.get("/api/v2/posts/?search=%00")

    (line,) = request_lines()
    assert (line["status"], line["cache"]) == ("400", "-")


def test_failed_login_is_a_warning(api, user, caplog):
    caplog.set_level(logging.INFO)

    api.post("/api/v1/users/login/", {"username": "alice", "password": "wrong"}, format="json")
    api.post("/api/v1/users/login/", {"username": "alice", "password": PASSWORD}, format="json")

    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert [record.name for record in warnings] == ["users.auth"]
    assert "alice" in warnings[0].getMessage()
