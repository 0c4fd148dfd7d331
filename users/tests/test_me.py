"""GET /api/v1/users/me/: the caller's own profile with e-mail, cached per user, refused at once
to a token whose user was deleted or deactivated."""

import pytest
from django.urls import reverse

from users.models import User

ME = reverse("v1:user-me")


def test_it_answers_the_callers_profile_with_email(client_for, user):
    response = client_for(user).get(ME)

    assert response.status_code == 200
    assert response.json() == {"id": user.pk, "username": "alice", "role": "user", "email": "alice@example.com"}
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert "Authorization" in response["Vary"]


def test_it_is_served_under_v2_too(client_for, admin_user):
    response = client_for(admin_user).get(reverse("v2:user-me"))

    assert response.status_code == 200
    assert response.json() == {"id": admin_user.pk, "username": "root", "role": "admin", "email": "root@example.com"}


def test_it_requires_authentication(api):
    response = api.get(ME)

    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic YWxpY2U6cGFzcw=="])
def test_it_refuses_a_bad_authorization_header(api, header):
    response = api.get(ME, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"


def test_a_cached_profile_is_never_served_to_another_user(client_for, user, other_user):
    assert client_for(user).get(ME).json()["username"] == "alice"
    assert client_for(user).get(ME)["X-Cache"] == "HIT"

    response = client_for(other_user).get(ME)

    assert response.json()["username"] == "bob"
    assert response["X-Cache"] == "MISS"


def test_a_deactivated_users_token_is_refused_at_once(client_for, user):
    api = client_for(user)
    api.get(ME)
    assert api.get(ME)["X-Cache"] == "HIT"

    user.is_active = False
    user.save()

    response = api.get(ME)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "User is inactive"}


def test_a_deactivation_by_queryset_update_refuses_the_token_at_once(client_for, user):
    api = client_for(user)
    api.get(ME)
    assert api.get(ME)["X-Cache"] == "HIT"

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert api.get(ME).status_code == 401


def test_a_deleted_users_token_is_refused_at_once(client_for, user):
    api = client_for(user)
    api.get(ME)
    assert api.get(ME)["X-Cache"] == "HIT"

    user.delete()

    response = api.get(ME)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "User not found"}


def test_an_admin_edit_of_the_user_shows_in_the_next_me(client_for, user):
    api = client_for(user)
    api.get(ME)
    assert api.get(ME)["X-Cache"] == "HIT"

    user.email = "changed@example.com"
    user.save()

    assert api.get(ME).json()["email"] == "changed@example.com"


def test_delete_is_not_offered_on_me(client_for, user):
    response = client_for(user).delete(ME)

    assert response.status_code == 405
    assert User.objects.filter(pk=user.pk).exists()
