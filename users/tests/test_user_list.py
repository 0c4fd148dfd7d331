"""GET /api/v{1,2}/users/ and /users/{id}/: public, `{id, username, role}` only, cached and never stale."""

import pytest
from django.urls import reverse

from users.models import User
from users.tests.factories import UserFactory

PUBLIC_FIELDS = {"id", "username", "role"}


def test_anyone_lists_users_with_id_username_and_role_only(api, user, admin_user):
    response = api.get(reverse("v1:user-list"))

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {"id": user.pk, "username": "alice", "role": "user"},
            {"id": admin_user.pk, "username": "root", "role": "admin"},
        ],
    }
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Cache"] == "MISS"


def test_v2_lists_users_by_cursor(api, user, other_user):
    response = api.get(reverse("v2:user-list"))

    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            {"id": user.pk, "username": "alice", "role": "user"},
            {"id": other_user.pk, "username": "bob", "role": "user"},
        ],
    }


def test_the_list_shows_no_private_field_to_anyone(client_for, user, superuser):
    for caller in (None, user, superuser):
        for row in client_for(caller).get(reverse("v1:user-list")).json()["results"]:
            assert set(row) == PUBLIC_FIELDS


def test_the_list_is_paginated_and_capped(api):
    UserFactory.create_batch(105)

    first = api.get(reverse("v1:user-list"), {"page_size": 1000})

    assert first.status_code == 200
    assert first.json()["count"] == 105
    assert len(first.json()["results"]) == 100
    assert first.json()["next"] == "http://testserver/api/v1/users/?page=2&page_size=1000"


def test_an_out_of_range_page_is_a_json_404(api, user):
    response = api.get(reverse("v1:user-list"), {"page": 99})

    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "message": "Invalid page."}


def test_a_superuser_is_listed_as_an_admin(api):
    boss = User.objects.create_superuser(username="boss", email="boss@example.com", password="S3cure-pass-1")

    assert boss.role == User.Role.ADMIN
    assert api.get(reverse("v1:user-detail", args=[boss.pk])).json() == {
        "id": boss.pk,
        "username": "boss",
        "role": "admin",
    }


def test_deactivated_users_are_not_listed(api, user):
    UserFactory(username="gone", is_active=False)

    response = api.get(reverse("v1:user-list"))

    assert [row["username"] for row in response.json()["results"]] == ["alice"]


def test_anyone_retrieves_a_user_with_id_username_and_role_only(api, user):
    response = api.get(reverse("v1:user-detail", args=[user.pk]))

    assert response.status_code == 200
    assert response.json() == {"id": user.pk, "username": "alice", "role": "user"}
    assert response["X-Cache"] == "MISS"
    assert response["ETag"]


def test_a_missing_or_deactivated_user_is_a_json_404(api):
    gone = UserFactory(username="gone", is_active=False)

    for pk in (gone.pk, 999_999):
        response = api.get(reverse("v1:user-detail", args=[pk]))
        assert response.status_code == 404
        assert response.json() == {"error": "Not Found", "message": "Nothing matches the given URI"}


@pytest.mark.parametrize("path", ["/api/v1/users/abc/", "/api/v1/users/99999999999999999999999/"])
def test_a_malformed_user_id_is_a_json_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.json()["error"] == "Not Found"


def test_a_new_registration_shows_in_the_cached_list_at_once(api, user):
    assert api.get(reverse("v1:user-list")).json()["count"] == 1
    assert api.get(reverse("v1:user-list"))["X-Cache"] == "HIT"

    api.post(reverse("v1:user-list"), {"username": "zed", "password": "S3cure-pass-1"}, format="json")

    after = api.get(reverse("v1:user-list"))
    assert after["X-Cache"] == "MISS"
    assert [row["username"] for row in after.json()["results"]] == ["alice", "zed"]


def test_a_role_change_shows_in_the_cached_detail_at_once(api, user):
    detail = reverse("v1:user-detail", args=[user.pk])
    assert api.get(detail).json()["role"] == "user"
    assert api.get(detail)["X-Cache"] == "HIT"

    user.role = User.Role.ADMIN
    user.save()

    assert api.get(detail).json()["role"] == "admin"


def test_the_list_answers_304_to_a_matching_etag(api, user):
    first = api.get(reverse("v1:user-list"))

    again = api.get(reverse("v1:user-list"), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("method", ["put", "patch"])
def test_users_cannot_be_edited_through_the_detail_route(client_for, admin_user, user, method):
    response = getattr(client_for(admin_user), method)(
        reverse("v1:user-detail", args=[user.pk]), {"role": "admin"}, format="json"
    )

    assert response.status_code == 405
    assert User.objects.get(pk=user.pk).role == User.Role.USER
