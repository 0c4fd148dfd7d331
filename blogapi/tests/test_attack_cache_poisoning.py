"""Cache poisoning: whatever a client sends first (another format, odd headers, another
Host the deployment accepts, unknown parameters, another user's token), the next clean
request gets exactly what it gets from an empty cache: same status, body and headers.

Each case: the clean request's answer from an empty cache (the reference); the cache
emptied again; the poisoning request; the clean request, compared with the reference.
The poisoning requests come from clients of their own: a test client keeps the cookies it
is answered (here Django's deletion of a junk session cookie) and would send them on.
Lists ask one item per page, so their bodies hold absolute `next` links (scheme and host).
"""

import pytest
from django.core.cache import caches

from posts.tests.factories import PostFactory
from todos.tests.factories import TodoFactory

COMPARED_HEADERS = ("Content-Type", "Vary", "Cache-Control", "ETag", "Allow")

ANONYMOUS_TARGETS = [
    "/api/v1/posts/?page_size=1",
    "/api/v2/posts/?page_size=1",
    "/api/v1/posts/{post}/",
    "/api/v2/posts/{post}/",
    "/api/v2/users/?page_size=1",
]
PER_USER_TARGETS = [
    "/api/v1/todos/?page_size=1",
    "/api/v2/todos/?page_size=1",
    "/api/v2/todos/{todo}/",
    "/api/v1/users/me/",
]

JUNK_HEADERS = {
    "HTTP_X_ORIGINAL_URL": "/api/v1/users/",
    "HTTP_X_REWRITE_URL": "/api/v1/users/",
    "HTTP_X_HTTP_METHOD_OVERRIDE": "DELETE",
    "HTTP_FORWARDED": "for=203.0.113.9;host=evil.example;proto=https",
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_PORT": "8443",
    "HTTP_X_FORWARDED_PREFIX": "/evil",
    "HTTP_ACCEPT_ENCODING": "gzip, br",
    "HTTP_ACCEPT_LANGUAGE": "fr-CH, de;q=0.8",
    "HTTP_COOKIE": "sessionid=junk; csrftoken=junk",
    "HTTP_USER_AGENT": "() { :; }; echo poisoned",
    "HTTP_ORIGIN": "https://evil.example",
    "HTTP_IF_NONE_MATCH": '"junk"',
    "HTTP_RANGE": "bytes=0-10",
}

# name -> (query string to add, extra request headers, method)
POISONS = {
    "accept-html": ("", {"HTTP_ACCEPT": "text/html"}, "get"),
    "accept-anything": ("", {"HTTP_ACCEPT": "*/*"}, "get"),
    "format-api": ("format=api", {}, "get"),
    "format-json": ("format=json", {}, "get"),
    "unknown-parameters": ("utm_source=evil&callback=x&page_size=1", {}, "get"),
    "x-forwarded-host": ("", {"HTTP_X_FORWARDED_HOST": "evil.example"}, "get"),
    "host-localhost": ("", {"HTTP_HOST": "localhost"}, "get"),
    "host-loopback": ("", {"HTTP_HOST": "127.0.0.1"}, "get"),
    "host-with-port": ("", {"HTTP_HOST": "testserver:8080"}, "get"),
    "junk-headers": ("", JUNK_HEADERS, "get"),
    "head": ("", {}, "head"),
}


@pytest.fixture
def data(user, other_user):
    posts = [PostFactory(user=other_user), PostFactory(user=other_user)]
    todos = [TodoFactory(user=user), TodoFactory(user=user), TodoFactory(user=other_user)]
    return {"post": posts[0].pk, "todo": todos[0].pk}


def empty_the_cache() -> None:
    caches["default"].clear()


def with_query(path: str, query: str) -> str:
    if not query:
        return path
    return f"{path}{'&' if '?' in path else '?'}{query}"


def snapshot(response) -> dict:
    return {
        "status": response.status_code,
        "body": response.content,
        **{name: response.headers.get(name) for name in COMPARED_HEADERS},
    }


def assert_unpoisoned(clean_client, path: str, poison) -> None:
    empty_the_cache()
    reference = snapshot(clean_client.get(path))
    assert reference["status"] == 200, reference
    empty_the_cache()
    poison()
    after = snapshot(clean_client.get(path))
    assert after == reference, path


def poisoner(client, path: str, name: str):
    query, headers, method = POISONS[name]
    return lambda: getattr(client, method)(with_query(path, query), **headers)


@pytest.mark.parametrize("name", POISONS)
def test_a_poisoning_request_never_changes_what_an_anonymous_client_gets_next(api, client_for, user, data, name):
    for template in ANONYMOUS_TARGETS:
        path = template.format(**data)
        # From a signed-in client: the public answer must not depend on who asked either.
        assert_unpoisoned(api, path, poisoner(client_for(user), path, name))


@pytest.mark.parametrize("name", POISONS)
def test_a_poisoning_request_never_changes_what_a_user_gets_next(client_for, user, other_user, data, name):
    alice = client_for(user)
    for template in PER_USER_TARGETS:
        path = template.format(**data)
        assert_unpoisoned(alice, path, poisoner(client_for(user), path, name))
        assert_unpoisoned(alice, path, poisoner(client_for(other_user), path, name))


@pytest.mark.parametrize("path", ["/api/v1/posts/?page_size=1", "/api/v1/users/me/"])
def test_an_indent_parameter_in_accept_never_changes_what_a_client_gets_next(client_for, user, data, path):
    alice = client_for(user)

    assert_unpoisoned(alice, path, lambda: client_for(user).get(path, HTTP_ACCEPT="application/json; indent=4"))
