"""DELETE /api/v1/users/{id}/: admins only; the user's posts and to-dos go with it."""

import pytest
from django.urls import reverse
from rest_framework_simplejwt.tokens import RefreshToken

from posts.models import Post
from posts.tests.factories import PostFactory
from todos.models import Todo
from todos.tests.factories import TodoFactory
from users.models import User
from users.tests.factories import UserFactory


def detail(user_id: int) -> str:
    return reverse("v1:user-detail", args=[user_id])


@pytest.mark.parametrize("deleter", ["admin_user", "superuser"])
def test_an_admin_deletes_a_user_with_its_posts_and_todos(client_for, request, user, other_user, deleter):
    PostFactory.create_batch(2, user=user)
    TodoFactory.create_batch(2, user=user)
    kept_post, kept_todo = PostFactory(user=other_user), TodoFactory(user=other_user)

    response = client_for(request.getfixturevalue(deleter)).delete(detail(user.pk))

    assert response.status_code == 204
    assert response.content == b""
    assert not User.objects.filter(pk=user.pk).exists()
    assert list(Post.objects.all()) == [kept_post]
    assert list(Todo.objects.all()) == [kept_todo]


def test_the_deleted_users_posts_leave_the_cached_post_list(client_for, admin_user, user, other_user):
    PostFactory(user=user, title="by alice")
    PostFactory(user=other_user, title="by bob")
    posts = client_for(None)
    assert {row["title"] for row in posts.get("/api/v1/posts/").json()["results"]} == {"by alice", "by bob"}
    assert posts.get("/api/v1/posts/")["X-Cache"] == "HIT"

    assert client_for(admin_user).delete(detail(user.pk)).status_code == 204

    assert [row["title"] for row in posts.get("/api/v1/posts/").json()["results"]] == ["by bob"]


def test_the_deleted_user_leaves_the_cached_user_list_and_detail(client_for, admin_user, user):
    anyone = client_for(None)
    anyone.get(reverse("v1:user-list"))
    anyone.get(detail(user.pk))

    assert client_for(admin_user).delete(detail(user.pk)).status_code == 204

    assert [row["username"] for row in anyone.get(reverse("v1:user-list")).json()["results"]] == ["root"]
    assert anyone.get(detail(user.pk)).status_code == 404


def test_the_deleted_users_tokens_stop_working_at_once(client_for, admin_user, user):
    refresh = RefreshToken.for_user(user)
    own = client_for(user)
    own.get(reverse("v1:user-me"))
    assert own.get(reverse("v1:user-me"))["X-Cache"] == "HIT"

    assert client_for(admin_user).delete(detail(user.pk)).status_code == 204

    assert own.get(reverse("v1:user-me")).status_code == 401
    refreshed = client_for(None).post(reverse("v1:token-refresh"), {"refresh": str(refresh)}, format="json")
    assert refreshed.status_code == 401


def test_an_admin_deletes_a_deactivated_user(client_for, admin_user):
    gone = UserFactory(username="gone", is_active=False)

    assert client_for(admin_user).delete(detail(gone.pk)).status_code == 204
    assert not User.objects.filter(pk=gone.pk).exists()


def test_a_normal_user_may_not_delete_anyone(client_for, user, other_user):
    for target in (other_user, user):
        response = client_for(user).delete(detail(target.pk))
        assert response.status_code == 403
        assert response.json() == {
            "error": "Forbidden",
            "message": "You do not have permission to perform this action.",
        }
    assert User.objects.count() == 2


def test_a_moderator_may_not_delete_users_through_the_api(client_for, moderator, user):
    assert client_for(moderator).delete(detail(user.pk)).status_code == 403
    assert User.objects.filter(pk=user.pk).exists()


def test_an_anonymous_client_may_not_delete_anyone(client_for, user):
    response = client_for(None).delete(detail(user.pk))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_a_missing_user_is_a_404(client_for, admin_user):
    response = client_for(admin_user).delete(detail(999_999))

    assert response.status_code == 404
    assert response.json()["error"] == "Not Found"


def test_v2_offers_the_same_delete(client_for, admin_user, user):
    assert client_for(admin_user).delete(reverse("v2:user-detail", args=[user.pk])).status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
