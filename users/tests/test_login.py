"""POST /api/v1/users/login/: a token pair for good credentials, a JSON 401 for anything else."""

import pytest
from django.urls import reverse
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from users.tests.factories import PASSWORD, UserFactory

LOGIN = reverse("v1:user-login")
ME = reverse("v1:user-me")
BAD_CREDENTIALS = {"error": "Unauthorized", "message": "No active account found with the given credentials."}


def login(api, username, password, **kwargs):
    return api.post(LOGIN, {"username": username, "password": password}, format="json", **kwargs)


def test_it_answers_an_access_and_a_refresh_token_for_the_user(api, user):
    response = login(api, "alice", PASSWORD)

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert AccessToken(response.json()["access"])["user_id"] == str(user.pk)
    assert RefreshToken(response.json()["refresh"])["user_id"] == str(user.pk)


def test_the_access_token_authenticates_the_user(api, user):
    access = login(api, "alice", PASSWORD).json()["access"]

    response = api.get(ME, HTTP_AUTHORIZATION=f"Bearer {access}")

    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_it_is_served_under_v2_too(api, user):
    response = api.post(reverse("v2:user-login"), {"username": "alice", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_it_answers_a_wrong_password_with_a_json_401_and_www_authenticate(api, user):
    response = login(api, "alice", PASSWORD + "x")

    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_it_answers_an_unknown_user_exactly_like_a_wrong_password(api):
    response = login(api, "nobody", PASSWORD)

    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_it_refuses_an_inactive_user_with_the_right_password(api):
    UserFactory(username="gone", is_active=False)

    response = login(api, "gone", PASSWORD)

    assert response.status_code == 401
    assert response.json() == BAD_CREDENTIALS


def test_it_ignores_a_bearer_token_sent_along(client_for, user, other_user):
    # Logging in as bob while holding alice's token is a login as bob.
    response = login(client_for(user), "bob", PASSWORD)

    assert response.status_code == 200
    assert AccessToken(response.json()["access"])["user_id"] == str(other_user.pk)


def test_it_ignores_an_invalid_bearer_token_sent_along(api, user):
    response = login(api, "alice", PASSWORD, HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"username", "password"}),
        ({"username": "alice"}, {"password"}),
        ({"username": ["alice"], "password": PASSWORD}, {"username"}),
        ({"username": "alice", "password": 123456789}, {"password"}),
        ({"username": "al\x00ice", "password": PASSWORD}, {"username"}),
        ({"username": "a" * 151, "password": PASSWORD}, {"username"}),
        ({"username": "alice", "password": "p" * 129}, {"password"}),
    ],
)
def test_it_rejects_malformed_credentials_with_a_400(api, user, body, fields):
    response = api.post(LOGIN, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"
    assert set(response.json()["fields"]) == fields


def test_it_rejects_malformed_json_with_a_400(api):
    response = api.post(LOGIN, '{"username": "alice"', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["message"].startswith("JSON parse error")


def test_it_answers_get_with_a_json_405(api):
    response = api.get(LOGIN)

    assert response.status_code == 405
    assert response.json() == {"error": "Method Not Allowed", "message": 'Method "GET" not allowed.'}
    assert response["Allow"] == "POST, OPTIONS"
