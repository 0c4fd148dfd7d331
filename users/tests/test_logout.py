"""POST /api/v1/auth/logout/: the caller blacklists its own refresh token."""

import pytest
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

LOGOUT = reverse("v1:logout")
REFRESH = reverse("v1:token-refresh")


def logout(api, token):
    return api.post(LOGOUT, {"refresh": str(token)}, format="json")


def test_it_answers_204_and_the_refresh_token_no_longer_refreshes(client_for, user):
    token = RefreshToken.for_user(user)

    response = logout(client_for(user), token)

    assert response.status_code == 204
    assert response.content == b""
    after = client_for(None).post(REFRESH, {"refresh": str(token)}, format="json")
    assert after.status_code == 401
    assert after.json() == {"error": "Unauthorized", "message": "Token is blacklisted"}


def test_it_leaves_the_callers_other_sessions_alone(client_for, user):
    phone, laptop = RefreshToken.for_user(user), RefreshToken.for_user(user)

    assert logout(client_for(user), phone).status_code == 204

    assert client_for(None).post(REFRESH, {"refresh": str(laptop)}, format="json").status_code == 200


def test_it_refuses_another_users_refresh_token_with_403(client_for, user, other_user):
    bobs = RefreshToken.for_user(other_user)

    response = logout(client_for(user), bobs)

    assert response.status_code == 403
    assert response.json() == {"error": "Forbidden", "message": "This refresh token belongs to another user."}
    assert not BlacklistedToken.objects.exists()
    assert client_for(None).post(REFRESH, {"refresh": str(bobs)}, format="json").status_code == 200


def test_it_requires_authentication(client_for, user):
    token = RefreshToken.for_user(user)

    response = logout(client_for(None), token)

    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert not BlacklistedToken.objects.exists()


def test_a_second_logout_with_the_same_token_is_a_401(client_for, user):
    token = RefreshToken.for_user(user)
    assert logout(client_for(user), token).status_code == 204

    response = logout(client_for(user), token)

    assert response.status_code == 401
    assert response.json()["message"] == "Token is blacklisted"


@pytest.mark.parametrize("kind", ["access", "garbage"])
def test_it_refuses_what_is_not_a_refresh_token_with_401(client_for, user, kind):
    token = RefreshToken.for_user(user).access_token if kind == "access" else "not.a.token"

    response = logout(client_for(user), token)

    assert response.status_code == 401
    assert response.json()["message"] == ("Token has wrong type" if kind == "access" else "Token is invalid")
    assert not BlacklistedToken.objects.exists()


def test_it_requires_the_refresh_token_in_the_body(client_for, user):
    response = client_for(user).post(LOGOUT, {}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"refresh": ["This field is required."]}
