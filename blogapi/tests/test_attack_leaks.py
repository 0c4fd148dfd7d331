"""The client hook that guards every test (root conftest.py, CheckedAPIClient): a response
under /api/ holding another user's e-mail address, or any password hash, fails the test
that received it. Here a view is made to leak, and the hook must catch it."""

import pytest

from users.serializers import MeSerializer


def leaking(monkeypatch, extra: dict) -> None:
    real = MeSerializer.to_representation
    monkeypatch.setattr(MeSerializer, "to_representation", lambda self, user: {**real(self, user), **extra})


def test_the_callers_own_email_passes(client_for, user):
    assert client_for(user).get("/api/v1/users/me/").json()["email"] == "alice@example.com"


def test_another_users_email_fails_the_test(monkeypatch, client_for, user, other_user):
    leaking(monkeypatch, {"friend": "Bob@Example.com"})

    with pytest.raises(AssertionError, match=r"e-mail of another user: \[b'bob@example.com'\]"):
        client_for(user).get("/api/v1/users/me/")


def test_an_address_that_merely_ends_like_another_users_passes(monkeypatch, client_for, user, other_user):
    leaking(monkeypatch, {"note": "write to notbob@example.community"})

    assert client_for(user).get("/api/v1/users/me/").status_code == 200


def test_a_password_hash_fails_the_test(monkeypatch, client_for, user):
    leaking(monkeypatch, {"password": user.password})

    with pytest.raises(AssertionError, match="password hash"):
        client_for(user).get("/api/v1/users/me/")
