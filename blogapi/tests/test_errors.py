"""Bad input never breaks the API: every answer is a 4xx in the one JSON error shape
(`{"error": <reason phrase>, "message": <text>}`, plus `fields` for validation), never a
5xx, on PostgreSQL. Django's own 404 and 405 under /api/ are JSON too."""

import base64
import json
from http import HTTPStatus
from urllib.parse import quote, unquote

import pytest
from rest_framework.test import APIClient

from posts import selectors
from posts.models import Post
from posts.tests.factories import PostFactory
from todos.models import Todo
from todos.tests.factories import TodoFactory

HUGE = "99999999999999999999"  # beyond bigint


def cursor(query: str) -> str:
    """A hand-made v2 cursor (DRF's encoding: the query string, base64, URL-quoted)."""
    return quote(base64.b64encode(unquote(query).encode()).decode())


def assert_error(response, status: int, *, fields: list[str] | None = None) -> dict:
    """The error shape, exactly; returns the body."""
    assert response.status_code == status, (response.request.get("PATH_INFO"), response.content)
    assert response["Content-Type"] == "application/json"
    body = response.json()
    # Written alike whichever layer answered (DRF, or the middleware for Django's own errors).
    assert response.content == json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    assert body["error"] == HTTPStatus(status).phrase
    assert isinstance(body["message"], str) and body["message"]
    if fields is None:
        assert set(body) == {"error", "message"}
    else:
        assert set(body) == {"error", "message", "fields"}
        assert sorted(body["fields"]) == sorted(fields)
        assert all(isinstance(messages, list) and messages for messages in body["fields"].values())
        assert all(isinstance(message, str) for messages in body["fields"].values() for message in messages)
    assert "Traceback" not in response.content.decode()
    return body


@pytest.fixture
def alice(client_for, user):
    PostFactory(user=user)
    TodoFactory(user=user)
    return client_for(user)


# --- Bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"title": "a", ', id="truncated"),
        pytest.param(b"{'title': 'a'}", id="single-quotes"),
        pytest.param(b'{"title": NaN, "content": "b"}', id="nan"),
        pytest.param(b'{"title": "\xff", "content": "b"}', id="not-utf8"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested-too-deep"),
        pytest.param(b'{"title": "t", "content": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", id="deep-field"),
    ],
)
def test_malformed_json_is_400(alice, raw):
    for url in ("/api/v1/posts/", "/api/v2/todos/", "/api/v1/users/login/"):
        body = assert_error(alice.post(url, raw, content_type="application/json"), 400)
        assert body["message"].startswith("JSON parse error")


@pytest.mark.parametrize(("raw", "kind"), [(b'["a"]', "list"), (b'"a"', "str"), (b"5", "int"), (b"true", "bool")])
def test_a_body_that_is_not_an_object_is_400(alice, raw, kind):
    for url in ("/api/v1/posts/", "/api/v2/todos/"):
        body = assert_error(alice.post(url, raw, content_type="application/json"), 400, fields=["non_field_errors"])
        assert body["fields"]["non_field_errors"] == [f"Invalid data. Expected a dictionary, but got {kind}."]


def test_a_null_body_is_400(alice):
    assert_error(
        alice.post("/api/v1/posts/", b"null", content_type="application/json"), 400, fields=["non_field_errors"]
    )


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/posts/", {"title": 1, "content": "c"}, "title"),
        ("/api/v1/posts/", {"title": 1.5, "content": "c"}, "title"),
        ("/api/v1/posts/", {"title": True, "content": "c"}, "title"),
        ("/api/v1/posts/", {"title": ["t"], "content": "c"}, "title"),
        ("/api/v1/posts/", {"title": {"t": 1}, "content": "c"}, "title"),
        ("/api/v2/posts/", {"title": "t", "content": None}, "content"),
        ("/api/v2/posts/", {"title": "t", "content": "c", "category": ["news"]}, "category"),
        ("/api/v1/todos/", {"title": "t", "completed": "maybe"}, "completed"),
        ("/api/v1/todos/", {"title": "t", "completed": [True]}, "completed"),
        ("/api/v2/todos/", {"title": "t", "due_date": "not-a-date"}, "due_date"),
        ("/api/v2/todos/", {"title": "t", "due_date": 20300101}, "due_date"),
        ("/api/v2/todos/", {"title": "t", "priority": "urgent"}, "priority"),
        ("/api/v2/todos/", {"title": "t", "priority": ["high"]}, "priority"),
        ("/api/v2/todos/", {"title": "t", "description": {"a": 1}}, "description"),
    ],
)
def test_wrong_types_are_400_naming_the_field(alice, url, body, field):
    assert_error(alice.post(url, body, format="json"), 400, fields=[field])


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/posts/", {"title": "x" * 201, "content": "c"}, "title"),
        ("/api/v1/posts/", {"title": "t", "content": "c", "category": "x" * 51}, "category"),
        ("/api/v1/todos/", {"title": "x" * 201}, "title"),
        ("/api/v2/todos/", {"title": "t", "description": "x" * 10_001}, "description"),
        ("/api/v1/users/", {"username": "x" * 151, "password": "S3cure-pass-1"}, "username"),
    ],
)
def test_over_long_strings_are_400(alice, url, body, field):
    assert_error(alice.post(url, body, format="json"), 400, fields=[field])


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/posts/", {"title": "a\x00b", "content": "c"}, "title"),
        ("/api/v1/posts/", {"title": "t", "content": "c\x00"}, "content"),
        ("/api/v2/posts/", {"title": "t", "content": "c", "category": "\x00"}, "category"),
        ("/api/v1/todos/", {"title": "\x00"}, "title"),
        ("/api/v2/todos/", {"title": "t", "description": "d\x00"}, "description"),
    ],
)
def test_nul_bytes_in_body_fields_are_400(alice, url, body, field):
    assert_error(alice.post(url, body, format="json"), 400, fields=[field])


def test_nul_bytes_in_an_update_are_400_and_change_nothing(alice, user):
    post = PostFactory(user=user, title="Kept")

    assert_error(alice.patch(f"/api/v2/posts/{post.pk}/", {"title": "\x00"}, format="json"), 400, fields=["title"])

    post.refresh_from_db()
    assert post.title == "Kept"


def test_a_body_over_the_upload_limit_is_413_and_stores_nothing(alice, settings):
    too_big = json.dumps({"title": "big", "content": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    for url in ("/api/v1/posts/", "/api/v2/todos/", "/api/v1/users/login/"):
        body = assert_error(alice.post(url, too_big, content_type="application/json"), 413)
        assert f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes" in body["message"]
    assert not Post.objects.filter(title="big").exists()
    assert not Todo.objects.filter(title="big").exists()


def test_form_encoded_body_is_415(alice):
    response = alice.post("/api/v1/posts/", "title=a&content=b", content_type="application/x-www-form-urlencoded")

    assert_error(response, 415)


def test_text_body_is_415(alice):
    assert_error(alice.post("/api/v1/todos/", '{"title": "a"}', content_type="text/plain"), 415)


# --- Query strings -----------------------------------------------------------------------


NUL_URLS = [
    "/api/v2/posts/?search=%00",
    "/api/v2/posts/?category=%00",
    "/api/v1/posts/?user_id=%00",
    "/api/v2/posts/?ordering=%00",
    "/api/v2/posts/?cursor=%00",
    "/api/v1/posts/?page=%00",
    "/api/v2/todos/?completed=%00",
    "/api/v1/posts/?a%00b=1",
    "/api/v1/posts/%00/",
]


def test_nul_bytes_in_the_url_are_400(alice):
    for url in NUL_URLS:
        body = assert_error(alice.get(url), 400)
        assert body["message"] == "NUL bytes are not allowed in the URL.", url


@pytest.mark.parametrize(
    ("url", "status", "fields"),
    [
        (f"/api/v1/posts/?page={HUGE}", 404, None),
        ("/api/v1/posts/?page=0", 404, None),
        ("/api/v1/posts/?page=-1", 404, None),
        ("/api/v1/posts/?page=abc", 404, None),
        ("/api/v1/posts/?page=1.5", 404, None),
        ("/api/v1/posts/?page_size=abc", 400, ["page_size"]),
        ("/api/v1/posts/?page_size=0", 400, ["page_size"]),
        ("/api/v1/posts/?page_size=-5", 400, ["page_size"]),
        ("/api/v2/posts/?page_size=abc", 400, ["page_size"]),
        ("/api/v1/todos/?page_size=1.5", 400, ["page_size"]),
        (f"/api/v1/posts/?user_id={HUGE}", 400, ["user_id"]),
        ("/api/v1/posts/?user_id=1.5", 400, ["user_id"]),
        ("/api/v1/posts/?user_id=abc", 400, ["user_id"]),
        ("/api/v1/posts/?user_id=-1", 400, ["user_id"]),
        ("/api/v2/posts/?user_id=1e400", 400, ["user_id"]),
        ("/api/v2/posts/?category=" + "x" * 51, 400, ["category"]),
        ("/api/v2/posts/?cursor=garbage", 404, None),
        (f"/api/v2/posts/?cursor={cursor('p=2024')}", 404, None),  # not a timestamp
        (f"/api/v2/posts/?ordering=title&cursor={cursor('p=a%00b')}", 404, None),  # NUL inside the cursor
        (f"/api/v2/todos/?cursor={cursor('p=yesterday&r=1')}", 404, None),
        ("/api/v2/todos/?cursor=garbage", 404, None),
        ("/api/v2/posts/?ordering=password", 400, ["ordering"]),
        ("/api/v2/posts/?ordering=user__password", 400, ["ordering"]),
        ("/api/v2/posts/?ordering=title,secret", 400, ["ordering"]),
        ("/api/v2/posts/?ordering=--title", 400, ["ordering"]),
        ("/api/v2/todos/?completed=maybe", 400, ["completed"]),
    ],
)
def test_bad_query_parameters_are_4xx(alice, url, status, fields):
    assert_error(alice.get(url), status, fields=fields)


def test_huge_page_size_is_capped_not_an_error(alice):
    response = alice.get(f"/api/v1/posts/?page_size={HUGE}")

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_odd_search_terms_are_answered(alice):
    for search in ("%", "_", "\\", "'; DROP TABLE posts_post; --", "x" * 5000, "ü 日本"):
        response = alice.get("/api/v2/posts/", {"search": search})
        assert response.status_code == 200, search
        assert response.json()["results"] == [], search


# --- URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["posts", "todos"])
def test_huge_id_in_the_url_is_404(alice, resource):
    for version in ("v1", "v2"):
        for method in ("get", "put", "patch", "delete"):
            response = getattr(alice, method)(f"/api/{version}/{resource}/{HUGE}/", {"title": "t"}, format="json")
            assert_error(response, 404)


def test_huge_user_id_in_the_url_is_404(alice, admin_user, client_for):
    assert_error(alice.get(f"/api/v1/users/{HUGE}/"), 404)
    assert_error(client_for(admin_user).delete(f"/api/v1/users/{HUGE}/"), 404)


def test_non_digit_id_is_a_json_404(alice):
    for url in ("/api/v1/posts/abc/", "/api/v2/todos/1.5/", "/api/v1/posts/-1/", "/api/v1/users/x/"):
        body = assert_error(alice.get(url), 404)
        assert body == {"error": "Not Found", "message": "The requested resource was not found."}, url


def test_unknown_api_path_is_a_json_404(api):
    for url in ("/api/v1/nothing/", "/api/v3/posts/", "/api/", "/api/v1/posts/1/extra/"):
        assert_error(api.get(url), 404)


def test_unknown_path_outside_the_api_is_not_forced_to_json(api):
    response = api.get("/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("put", "/api/v1/posts/", "GET, POST, HEAD, OPTIONS"),
        ("delete", "/api/v1/todos/", "GET, POST, HEAD, OPTIONS"),
        ("post", "/api/v1/posts/{post}/", "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
        ("get", "/api/v1/posts/all/", "DELETE, OPTIONS"),
        ("get", "/api/v1/users/login/", "POST, OPTIONS"),
        ("post", "/api/health/", "GET, HEAD, OPTIONS"),
    ],
)
def test_method_not_allowed_is_a_json_405_with_allow(client_for, admin_user, user, method, url, allowed):
    post = PostFactory(user=admin_user)

    response = getattr(client_for(admin_user), method)(url.format(post=post.pk), {}, format="json")

    assert_error(response, 405)
    assert response["Allow"] == allowed


def test_unsupported_accept_is_406(alice, user):
    post = PostFactory(user=user)

    for url in ("/api/v1/posts/", f"/api/v2/posts/{post.pk}/", "/api/v1/todos/", "/api/v1/users/me/"):
        assert_error(alice.get(url, HTTP_ACCEPT="application/xml"), 406)


def test_a_bad_token_is_a_json_401(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    body = assert_error(api.get("/api/v1/posts/"), 401)

    assert body["message"] == "Given token not valid for any token type"


def test_an_unexpected_failure_is_a_json_500_without_details(api, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret: SELECT password FROM users_user")

    monkeypatch.setattr(selectors, "posts_published", broken)
    client = APIClient(raise_request_exception=False)

    response = client.get("/api/v1/posts/")

    assert response.status_code == 500
    assert response.json() == {
        "error": "Internal Server Error",
        "message": "The server could not complete the request.",
    }
    assert b"secret" not in response.content
