"""C1 for every URL that answers an object. An id has one spelling (blogapi/routing.py):
ASCII digits, no leading zero. Django's `\\d` would also route "007", fullwidth and
Arabic-Indic digits, and the ORM reads them all as 7: each would answer the object under
a URL, and a cache key, of its own. They are 404s instead, on every process, before and
after writes, while the canonical URL is fresh at once on both processes."""

from urllib.parse import quote

import pytest
import requests

from posts.tests.factories import PostFactory
from todos.tests.factories import TodoFactory
from users.tests.factories import PASSWORD, UserFactory

from .conftest import leases_run_out
from .processes import Gunicorn

pytestmark = pytest.mark.slow

LEASE = "0.5"  # long enough that a process's leased copy would outlive a write that did not wait


def spellings(pk: int) -> dict[str, str]:
    digits = str(pk)
    return {
        "leading zeros": "00" + digits,
        "fullwidth": quote("".join(chr(0xFF10 + int(d)) for d in digits)),
        "arabic-indic": quote("".join(chr(0x0660 + int(d)) for d in digits)),
    }


_fresh_start = leases_run_out(LEASE)


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        pair = [Gunicorn(RESPONSE_CACHE_LEASE=LEASE), Gunicorn(RESPONSE_CACHE_LEASE=LEASE)]
    yield pair
    for server in pair:
        server.stop()


def login(server, user) -> dict[str, str]:
    credentials = {"username": user.username, "password": PASSWORD}
    response = requests.post(f"{server.url}/api/v1/users/login/", json=credentials, timeout=10)
    return {"Authorization": f"Bearer {response.json()['access']}"}


def get(server, path: str, headers=None) -> requests.Response:
    return requests.get(server.url + path, headers=headers or {}, timeout=10)


def assert_spellings_are_404(servers, collection: str, pk: int, headers=None) -> None:
    for version in ("v1", "v2"):
        for how, spelled in spellings(pk).items():
            for server in servers:
                response = get(server, f"/api/{version}/{collection}/{spelled}/", headers)
                assert response.status_code == 404, (how, version, response.text)
                assert response.json()["error"] == "Not Found"


def prime(servers, paths: list[str], headers=None) -> None:
    for server in servers:
        for path in paths:
            get(server, path, headers)
            assert get(server, path, headers).headers["X-Cache"] == "HIT", path


def test_a_post_answers_at_one_url_per_version_fresh_on_both_processes(servers, user):
    post = PostFactory(user=user, title="before")
    writer, _ = servers
    token = login(writer, user)
    canonical = [f"/api/v1/posts/{post.pk}/", f"/api/v2/posts/{post.pk}/"]
    prime(servers, canonical)
    assert_spellings_are_404(servers, "posts", post.pk)

    assert requests.patch(writer.url + canonical[0], json={"title": "after"}, headers=token).status_code == 200
    for server in servers:
        assert [get(server, path).json()["title"] for path in canonical] == ["after", "after"]
    assert_spellings_are_404(servers, "posts", post.pk)

    prime(servers, canonical)
    assert requests.delete(writer.url + canonical[1], headers=token).status_code == 204
    for server in servers:
        assert [get(server, path).status_code for path in canonical] == [404, 404]
    assert_spellings_are_404(servers, "posts", post.pk)


def test_a_user_answers_at_one_url_per_version_fresh_on_both_processes(servers, user, admin_user):
    writer, _ = servers
    canonical = [f"/api/v1/users/{user.pk}/", f"/api/v2/users/{user.pk}/"]
    prime(servers, canonical)
    assert_spellings_are_404(servers, "users", user.pk)

    renamed = requests.patch(writer.url + "/api/v1/users/me/", json={"username": "alice2"}, headers=login(writer, user))
    assert renamed.status_code == 200
    for server in servers:
        assert [get(server, path).json()["username"] for path in canonical] == ["alice2", "alice2"]
    assert_spellings_are_404(servers, "users", user.pk)

    prime(servers, canonical)
    assert requests.delete(writer.url + canonical[0], headers=login(writer, admin_user)).status_code == 204
    for server in servers:
        assert [get(server, path).status_code for path in canonical] == [404, 404]
    assert_spellings_are_404(servers, "users", user.pk)


def test_a_todo_answers_its_owner_at_one_url_per_version_fresh_on_both_processes(servers):
    owner = UserFactory(username="owner")
    todo = TodoFactory(user=owner, title="before")
    writer, _ = servers
    token = login(writer, owner)
    canonical = [f"/api/v1/todos/{todo.pk}/", f"/api/v2/todos/{todo.pk}/"]
    prime(servers, canonical, token)
    assert_spellings_are_404(servers, "todos", todo.pk, token)

    assert requests.patch(writer.url + canonical[1], json={"title": "after"}, headers=token).status_code == 200
    for server in servers:
        assert [get(server, path, token).json()["title"] for path in canonical] == ["after", "after"]
    assert_spellings_are_404(servers, "todos", todo.pk, token)

    prime(servers, canonical, token)
    assert requests.delete(writer.url + canonical[0], headers=token).status_code == 204
    for server in servers:
        assert [get(server, path, token).status_code for path in canonical] == [404, 404]
    assert_spellings_are_404(servers, "todos", todo.pk, token)
