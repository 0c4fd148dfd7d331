"""Hidden posts are gone from the API for everyone: owners and admins included."""

import pytest

from posts.models import Post
from posts.tests.factories import PostFactory

READERS = [None, "user", "other_user", "moderator", "admin_user", "superuser"]


@pytest.fixture
def hidden_and_visible(user):
    return PostFactory(user=user, status=Post.Status.HIDDEN), PostFactory(user=user)


@pytest.mark.parametrize("reader", READERS)
def test_hidden_post_detail_is_404_for_everyone(client_for, request, hidden_and_visible, reader):
    hidden, _ = hidden_and_visible
    client = client_for(request.getfixturevalue(reader) if reader else None)

    for version in ("v1", "v2"):
        response = client.get(f"/api/{version}/posts/{hidden.pk}/")
        never_existed = client.get(f"/api/{version}/posts/{hidden.pk + 1000}/")

        assert response.status_code == never_existed.status_code == 404
        # Indistinguishable from a post that never existed: nothing tells it is there.
        assert response.json() == never_existed.json()
        assert response.json() == {"error": "Not Found", "message": "Nothing matches the given URI"}


@pytest.mark.parametrize("reader", READERS)
def test_hidden_posts_are_absent_from_lists_for_everyone(client_for, request, hidden_and_visible, reader):
    _, visible = hidden_and_visible
    client = client_for(request.getfixturevalue(reader) if reader else None)

    for version in ("v1", "v2"):
        everyone = client.get(f"/api/{version}/posts/").json()["results"]
        by_author = client.get(f"/api/{version}/posts/", {"user_id": visible.user_id}).json()["results"]

        assert [post["id"] for post in everyone] == [visible.pk]
        assert [post["id"] for post in by_author] == [visible.pk]


def test_v1_count_leaves_hidden_posts_out(api, hidden_and_visible):
    assert api.get("/api/v1/posts/").json()["count"] == 1


@pytest.mark.parametrize("editor", ["user", "admin_user"])
@pytest.mark.parametrize(("method", "body"), [("put", {"title": "t", "content": "c"}), ("patch", {"title": "t"})])
def test_hidden_post_cannot_be_edited_through_the_api(client_for, request, hidden_and_visible, editor, method, body):
    hidden, _ = hidden_and_visible

    response = getattr(client_for(request.getfixturevalue(editor)), method)(
        f"/api/v2/posts/{hidden.pk}/", body, format="json"
    )

    assert response.status_code == 404
    hidden.refresh_from_db()
    assert (hidden.title, hidden.status) != ("t", Post.Status.PUBLISHED)
    assert hidden.status == Post.Status.HIDDEN


@pytest.mark.parametrize("deleter", ["user", "admin_user"])
def test_hidden_post_cannot_be_deleted_through_the_api(client_for, request, hidden_and_visible, deleter):
    hidden, _ = hidden_and_visible

    response = client_for(request.getfixturevalue(deleter)).delete(f"/api/v1/posts/{hidden.pk}/")

    assert response.status_code == 404
    assert Post.objects.filter(pk=hidden.pk).exists()


def test_search_and_category_never_reveal_hidden_posts(api, user):
    PostFactory(user=user, title="secret plan", category="secret", status=Post.Status.HIDDEN)

    by_search = api.get("/api/v2/posts/", {"search": "secret"}).json()["results"]
    by_category = api.get("/api/v2/posts/", {"category": "secret"}).json()["results"]

    assert by_search == by_category == []
