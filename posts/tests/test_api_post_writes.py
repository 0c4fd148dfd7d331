"""Creating, editing and deleting posts: validation, mass assignment, owner-or-admin."""

from datetime import timedelta

import pytest
from django.utils import timezone

from posts.models import Post
from posts.tests.factories import PostFactory


def field_errors(response) -> dict:
    body = response.json()
    assert set(body) == {"error", "message", "fields"}
    assert body["error"] == "Bad Request"
    return body["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "no title"}, "title"),
        ({"title": "", "content": "empty title"}, "title"),
        ({"title": "x" * 201, "content": "long title"}, "title"),
        ({"title": "no content"}, "content"),
        ({"title": "long category", "content": "c", "category": "x" * 51}, "category"),
        ({"title": 12345, "content": "number title"}, "title"),
        ({"title": "number content", "content": 5}, "content"),
        ({"title": "number category", "content": "c", "category": 7}, "category"),
    ],
)
def test_invalid_post_is_400_naming_the_field_and_nothing_is_stored(client_for, user, body, field):
    for version in ("v1", "v2"):
        response = client_for(user).post(f"/api/{version}/posts/", body, format="json")

        assert response.status_code == 400
        assert list(field_errors(response)) == [field]
    assert not Post.objects.exists()


def test_title_of_200_and_category_of_50_characters_are_accepted(client_for, user):
    body = {"title": "t" * 200, "content": "c", "category": "k" * 50}

    response = client_for(user).post("/api/v1/posts/", body, format="json")

    assert response.status_code == 201
    assert Post.objects.filter(title="t" * 200, category="k" * 50).exists()


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_read_only_and_unknown_fields_are_ignored_on_create(client_for, user, other_user, version):
    long_ago = "2001-01-01T00:00:00Z"
    body = {
        "title": "Mine",
        "content": "Body",
        "id": 999_999,
        "user_id": other_user.pk,
        "user": other_user.pk,
        "author": {"id": other_user.pk, "username": other_user.username},
        "status": "hidden",
        "created_at": long_ago,
        "updated_at": long_ago,
        "notified_at": long_ago,
        "is_admin": True,
    }

    response = client_for(user).post(f"/api/{version}/posts/", body, format="json")

    assert response.status_code == 201
    post = Post.objects.get()
    assert post.pk != 999_999
    assert post.user_id == user.pk
    assert post.status == Post.Status.PUBLISHED
    assert post.created_at > timezone.now() - timedelta(minutes=1)
    assert post.updated_at > timezone.now() - timedelta(minutes=1)
    assert response.json()["id"] == post.pk


@pytest.mark.parametrize("method", ["put", "patch"])
def test_read_only_fields_are_ignored_on_update(client_for, user, other_user, method):
    post = PostFactory(user=user)
    created_at = post.created_at
    body = {
        "title": "Edited",
        "content": "Edited body",
        "id": 999_999,
        "user_id": other_user.pk,
        "author": {"id": other_user.pk},
        "status": "hidden",
        "created_at": "2001-01-01T00:00:00Z",
    }

    response = getattr(client_for(user), method)(f"/api/v2/posts/{post.pk}/", body, format="json")

    assert response.status_code == 200
    post.refresh_from_db()
    assert (post.pk, post.user_id, post.status, post.created_at) == (
        response.json()["id"],
        user.pk,
        Post.Status.PUBLISHED,
        created_at,
    )
    assert (post.title, post.content) == ("Edited", "Edited body")


def test_put_needs_every_writable_field(client_for, user):
    post = PostFactory(user=user, title="Before")

    response = client_for(user).put(f"/api/v1/posts/{post.pk}/", {"title": "After"}, format="json")

    assert response.status_code == 400
    assert list(field_errors(response)) == ["content"]
    post.refresh_from_db()
    assert post.title == "Before"


@pytest.mark.parametrize("editor", ["user", "admin_user", "superuser"])
def test_owner_and_admins_edit_a_post(client_for, request, user, editor):
    post = PostFactory(user=user)

    response = client_for(request.getfixturevalue(editor)).patch(
        f"/api/v1/posts/{post.pk}/", {"title": "Edited"}, format="json"
    )

    assert response.status_code == 200
    post.refresh_from_db()
    assert post.title == "Edited"
    assert post.user_id == user.pk  # an admin's edit does not make the post theirs


@pytest.mark.parametrize(("editor", "status"), [("other_user", 403), ("moderator", 403), (None, 401)])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_others_cannot_edit_or_delete_a_post(client_for, request, user, editor, status, method):
    post = PostFactory(user=user, title="Untouched")
    actor = request.getfixturevalue(editor) if editor else None

    response = getattr(client_for(actor), method)(
        f"/api/v1/posts/{post.pk}/", {"title": "Edited", "content": "x"}, format="json"
    )

    assert response.status_code == status
    assert set(response.json()) == {"error", "message"}
    post.refresh_from_db()
    assert post.title == "Untouched"


@pytest.mark.parametrize("deleter", ["user", "admin_user"])
def test_owner_and_admin_delete_a_post(client_for, request, user, deleter):
    post, kept = PostFactory(user=user), PostFactory(user=user)

    response = client_for(request.getfixturevalue(deleter)).delete(f"/api/v2/posts/{post.pk}/")

    assert response.status_code == 204
    assert response.content == b""
    assert list(Post.objects.values_list("pk", flat=True)) == [kept.pk]


def test_admin_deletes_every_post_and_gets_the_count(client_for, admin_user, user, other_user):
    PostFactory.create_batch(2, user=user)
    PostFactory(user=other_user, status=Post.Status.HIDDEN)

    response = client_for(admin_user).delete("/api/v1/posts/all/")

    assert response.status_code == 200
    assert response.json() == {"deleted": 3}
    assert not Post.objects.exists()


@pytest.mark.parametrize(("actor", "status"), [("user", 403), ("moderator", 403), (None, 401)])
def test_only_admins_delete_every_post(client_for, request, user, actor, status):
    PostFactory.create_batch(2, user=user)

    response = client_for(request.getfixturevalue(actor) if actor else None).delete("/api/v1/posts/all/")

    assert response.status_code == status
    assert Post.objects.count() == 2


def test_patch_keeps_the_fields_it_does_not_send(client_for, user):
    post = PostFactory(user=user, title="Before", content="Body", category="news")

    response = client_for(user).patch(f"/api/v1/posts/{post.pk}/", {"title": "After"}, format="json")

    assert response.status_code == 200
    post.refresh_from_db()
    assert (post.title, post.content, post.category) == ("After", "Body", "news")
