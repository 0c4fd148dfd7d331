"""Privileges are never taken from a request body: registration and /me store only what
the caller may set (a `role` is ignored unless an admin sends it: users.services.user_register)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from users import services
from users.models import User

REGISTER = reverse("v1:user-list")
ME = reverse("v1:user-me")
GOOD_PASSWORD = "S3cure-pass-1"
# What an attacker would send along with a registration or a profile edit.
PRIVILEGES = {"role": "admin", "is_staff": True, "is_superuser": True, "is_active": True}


@pytest.fixture
def staff_group():
    return Group.objects.create(name="Staff")


def assert_unprivileged(user: User) -> None:
    assert user.role == User.Role.USER
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.groups.exists()
    assert not user.user_permissions.exists()


@pytest.mark.parametrize("caller", ["anonymous", "user"])
def test_it_never_stores_privileges_sent_at_registration_by_a_non_admin(client_for, request, staff_group, caller):
    api = client_for(None if caller == "anonymous" else request.getfixturevalue("user"))
    body = {
        "username": "mallory",
        "password": GOOD_PASSWORD,
        **PRIVILEGES,
        "groups": [staff_group.pk],
        "user_permissions": [1, 2, 3],
        "id": 999_999,
        "date_joined": "2000-01-01T00:00:00Z",
    }

    response = api.post(REGISTER, body, format="json")

    assert response.status_code == 201
    stored = User.objects.get(username="mallory")
    assert response.json() == {"id": stored.pk, "username": "mallory", "role": "user"}
    assert stored.pk != 999_999
    assert stored.date_joined.year > 2000
    assert_unprivileged(stored)


def test_it_ignores_an_invalid_role_sent_by_a_non_admin(api):
    response = api.post(REGISTER, {"username": "mallory", "password": GOOD_PASSWORD, "role": "root"}, format="json")

    assert response.status_code == 201
    assert User.objects.get(username="mallory").role == User.Role.USER


@pytest.mark.parametrize("registered_by", [None, "user", "admin_user"])
def test_the_register_service_keeps_a_role_only_from_an_admin(request, registered_by):
    caller = request.getfixturevalue(registered_by) if registered_by else None

    created = services.user_register(username="deputy", password=GOOD_PASSWORD, role="admin", registered_by=caller)

    expected = User.Role.ADMIN if registered_by == "admin_user" else User.Role.USER
    assert (created.role, User.objects.get(username="deputy").role) == (expected, expected)


def test_it_hashes_a_password_that_looks_like_a_hash_instead_of_storing_it(api):
    # Stored as sent, this would be a password hash the attacker chose.
    hash_like = "pbkdf2_sha256$1000000$attackersalt$Zm9vYmFyYmF6cXV4cXV1eHh4eHh4eHh4eHh4eHh4eA="

    response = api.post(REGISTER, {"username": "mallory", "password": hash_like}, format="json")

    assert response.status_code == 201
    stored = User.objects.get(username="mallory")
    assert stored.password != hash_like
    assert stored.check_password(hash_like)


def test_an_admin_may_register_an_admin(client_for, admin_user):
    response = client_for(admin_user).post(
        REGISTER, {"username": "deputy", "password": GOOD_PASSWORD, "role": "admin"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["role"] == "admin"
    stored = User.objects.get(username="deputy")
    assert stored.role == User.Role.ADMIN
    # The API role is all an admin grants here: Django admin access is not part of it.
    assert not stored.is_staff and not stored.is_superuser


def test_an_admin_sending_an_invalid_role_gets_a_400(client_for, admin_user):
    response = client_for(admin_user).post(
        REGISTER, {"username": "deputy", "password": GOOD_PASSWORD, "role": "root"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"role": ['"root" is not a valid choice.']}
    assert not User.objects.filter(username="deputy").exists()


@pytest.mark.parametrize("method", ["patch", "put"])
def test_it_never_stores_privileges_sent_to_me(client_for, user, staff_group, method):
    body = {"username": user.username, **PRIVILEGES, "is_active": False, "groups": [staff_group.pk], "id": 999}

    response = getattr(client_for(user), method)(ME, body, format="json")

    assert response.status_code == 200
    assert response.json() == {"id": user.pk, "username": "alice", "role": "user", "email": user.email}
    stored = User.objects.get(pk=user.pk)
    assert stored.is_active
    assert_unprivileged(stored)


def test_an_admin_cannot_change_its_own_role_through_me(client_for, admin_user):
    response = client_for(admin_user).patch(ME, {"role": "user"}, format="json")

    assert response.status_code == 200
    assert User.objects.get(pk=admin_user.pk).role == User.Role.ADMIN


@pytest.mark.parametrize("method", ["patch", "put"])
def test_it_stores_username_and_email_edits_and_the_next_me_shows_them(client_for, user, method):
    api = client_for(user)
    before = api.get(ME)
    assert before.status_code == 200
    assert api.get(ME)["X-Cache"] == "HIT"  # the stale answer is in the cache

    response = getattr(api, method)(ME, {"username": "alicia", "email": "alicia@example.org"}, format="json")

    expected = {"id": user.pk, "username": "alicia", "role": "user", "email": "alicia@example.org"}
    assert response.status_code == 200
    assert response.json() == expected
    stored = User.objects.get(pk=user.pk)
    assert (stored.username, stored.email) == ("alicia", "alicia@example.org")
    after = api.get(ME)
    assert after.status_code == 200
    assert after.json() == expected
    assert api.get(reverse("v1:user-detail", args=[user.pk])).json()["username"] == "alicia"


def test_a_patch_of_the_email_alone_keeps_the_username(client_for, user):
    response = client_for(user).patch(ME, {"email": "new@example.org"}, format="json")

    assert response.status_code == 200
    stored = User.objects.get(pk=user.pk)
    assert (stored.username, stored.email) == ("alice", "new@example.org")


def test_a_put_without_a_username_is_a_400(client_for, user):
    response = client_for(user).put(ME, {"email": "new@example.org"}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"username": ["This field is required."]}
    assert User.objects.get(pk=user.pk).email == user.email


def test_me_rejects_another_users_username(client_for, user, other_user):
    response = client_for(user).patch(ME, {"username": other_user.username}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"username": ["A user with that username already exists."]}
    assert User.objects.get(pk=user.pk).username == "alice"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": ["alicia"]}, "username"),
        ({"username": 42}, "username"),
        ({"username": "a" * 151}, "username"),
        ({"username": "al\x00ice"}, "username"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_me_rejects_invalid_edits(client_for, user, body, field):
    response = client_for(user).patch(ME, body, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {field}
    assert User.objects.get(pk=user.pk).username == "alice"
