"""POST /api/v1/auth/refresh/: rotation with blacklisting; anything but a live refresh token
of an active user is a 401, never a 500."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from conftest import CheckedAPIClient
from users.models import User
from users.tests.factories import UserFactory

REFRESH = reverse("v1:token-refresh")
ME = reverse("v1:user-me")


def refresh(api, token):
    return api.post(REFRESH, {"refresh": str(token)}, format="json")


def assert_unauthorized(response, message=None):
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["error"] == "Unauthorized"
    if message is not None:
        assert body["message"] == message
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_it_answers_a_new_access_and_a_new_refresh_token(api, user):
    old = RefreshToken.for_user(user)

    response = refresh(api, old)

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    new = response.json()["refresh"]
    assert new != str(old)
    assert RefreshToken(new)["user_id"] == str(user.pk)
    access = response.json()["access"]
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {access}").json()["username"] == "alice"


def test_the_old_refresh_token_is_rejected_after_rotation(api, user):
    old = RefreshToken.for_user(user)
    assert refresh(api, old).status_code == 200

    assert_unauthorized(refresh(api, old), "Token is blacklisted")


def test_the_rotated_refresh_token_refreshes_again(api, user):
    first = refresh(api, RefreshToken.for_user(user)).json()["refresh"]

    second = refresh(api, first)

    assert second.status_code == 200
    assert second.json()["refresh"] != first


def test_it_is_served_under_v2_too(api, user):
    response = api.post(reverse("v2:token-refresh"), {"refresh": str(RefreshToken.for_user(user))}, format="json")

    assert response.status_code == 200


def test_a_refresh_token_of_a_deleted_user_is_a_401(api):
    doomed = UserFactory(username="doomed")
    token = RefreshToken.for_user(doomed)
    doomed.delete()

    assert_unauthorized(refresh(api, token), "No active account found for the given token.")


def test_a_refresh_token_of_a_deactivated_user_is_a_401(api, user):
    token = RefreshToken.for_user(user)
    User.objects.filter(pk=user.pk).update(is_active=False)

    assert_unauthorized(refresh(api, token), "No active account found for the given token.")


def test_an_access_token_is_no_refresh_token(api, user):
    assert_unauthorized(refresh(api, RefreshToken.for_user(user).access_token), "Token has wrong type")


def test_an_expired_refresh_token_is_a_401(api, user):
    token = RefreshToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))

    assert_unauthorized(refresh(api, token), "Token is expired")


def test_a_token_signed_with_another_key_is_a_401(api, user):
    token = RefreshToken.for_user(user)
    header, payload, signature = str(token).split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"

    assert_unauthorized(refresh(api, forged), "Token is invalid")


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "", "x" * 2048])
def test_garbage_is_a_401(api, garbage):
    response = refresh(api, garbage)

    if garbage == "":
        assert response.status_code == 400
        assert response.json()["fields"] == {"refresh": ["This field may not be blank."]}
    else:
        assert_unauthorized(response, "Token is invalid")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "This field is required."),
        ({"refresh": ["a"]}, "Not a valid string."),
        ({"refresh": "x" * 2049}, "Ensure this field has no more than 2048 characters."),
    ],
)
def test_a_malformed_body_is_a_400(api, body, message):
    response = api.post(REFRESH, body, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"refresh": [message]}


def test_two_concurrent_refreshes_of_one_token_give_one_new_pair(user, monkeypatch):
    token = str(RefreshToken.for_user(user))
    # Both requests pass the blacklist check before either blacklists: without the row lock
    # both would succeed. The pause widens that window so the race happens every run.
    real_blacklist = RefreshToken.blacklist
    both_started = threading.Barrier(2, timeout=1)

    def blacklist_after_a_pause(self):
        # A broken barrier: the other request is held at the row lock, as it should be.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_started.wait()
        return real_blacklist(self)

    monkeypatch.setattr(RefreshToken, "blacklist", blacklist_after_a_pause)
    responses = []

    def refresh_in_a_thread() -> None:
        try:
            responses.append(refresh(CheckedAPIClient(), token))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refresh_in_a_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(response.status_code for response in responses) == [200, 401]
    loser = next(response for response in responses if response.status_code == 401)
    assert loser.json()["message"] == "Token is blacklisted"


def test_a_refreshed_access_token_of_a_deactivated_user_is_refused_at_once(api, user):
    pair = refresh(api, RefreshToken.for_user(user)).json()
    me = api.get(ME, HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert me.status_code == 200

    User.objects.filter(pk=user.pk).update(is_active=False)

    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {pair['access']}").status_code == 401
    assert AccessToken(pair["access"])["user_id"] == str(user.pk)  # the token itself is still valid
