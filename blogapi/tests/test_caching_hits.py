"""Every cacheable endpoint: the second identical GET is a HIT with an identical body."""

import pytest

from posts.tests.factories import PostFactory
from todos.tests.factories import TodoFactory

CACHEABLE = [
    ("anonymous", "/api/{v}/users/"),
    ("anonymous", "/api/{v}/users/{user}/"),
    ("owner", "/api/{v}/users/me/"),
    ("anonymous", "/api/{v}/posts/"),
    ("anonymous", "/api/{v}/posts/{post}/"),
    ("owner", "/api/{v}/todos/"),
    ("owner", "/api/{v}/todos/{todo}/"),
]


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize(("actor", "template"), CACHEABLE)
def test_second_identical_get_is_a_hit_with_the_same_body(client_for, user, version, actor, template):
    post = PostFactory(user=user)
    todo = TodoFactory(user=user)
    client = client_for(user if actor == "owner" else None)
    url = template.format(v=version, user=user.pk, post=post.pk, todo=todo.pk)

    first = client.get(url)
    second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert (first["X-Cache"], second["X-Cache"]) == ("MISS", "HIT")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/json"
    assert second["ETag"] == first["ETag"]


def test_hit_on_per_user_view_survives_a_refreshed_token(client_for, user):
    """The key holds the user id, not the raw token: a new token for the same user hits."""
    client_for(user).get("/api/v1/users/me/")
    again = client_for(user).get("/api/v1/users/me/")  # a freshly minted token
    assert again["X-Cache"] == "HIT"


def test_errors_are_not_cached(api):
    for _ in range(2):
        missing = api.get("/api/v1/posts/999/")
        assert missing.status_code == 404
        assert missing.get("X-Cache") != "HIT"
    PostFactory(id=999)
    assert api.get("/api/v1/posts/999/").status_code == 200
