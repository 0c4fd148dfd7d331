"""The Django admin for users: superusers manage users (role included); moderators cannot
see or change them."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from users.models import User

CHANGELIST = reverse("admin:users_user_changelist")


def change_url(user: User) -> str:
    return reverse("admin:users_user_change", args=[user.pk])


def browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_form_data(user: User, **changes) -> dict:
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "is_active": "on",
        "role": user.role,
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return data


def test_a_moderator_cannot_see_the_user_list(moderator, user):
    client = browser(moderator)
    assert client.get(reverse("admin:posts_post_changelist")).status_code == 200  # the admin itself works

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(user)).status_code == 403
    assert b"/admin/users/" not in client.get(reverse("admin:index")).content


def test_a_moderator_cannot_change_or_add_users(moderator, user):
    client = browser(moderator)

    response = client.post(change_url(user), change_form_data(user, role="admin", is_staff="on", is_superuser="on"))

    assert response.status_code == 403
    stored = User.objects.get(pk=user.pk)
    assert stored.role == User.Role.USER and not stored.is_staff and not stored.is_superuser
    assert client.post(reverse("admin:users_user_add"), {"username": "x"}).status_code == 403


def test_a_moderator_cannot_promote_itself(moderator):
    response = browser(moderator).post(change_url(moderator), change_form_data(moderator, is_superuser="on"))

    assert response.status_code == 403
    assert not User.objects.get(pk=moderator.pk).is_superuser


def test_an_api_admin_without_staff_status_is_sent_to_the_admin_login(admin_user):
    response = browser(admin_user).get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_superuser_sees_the_user_list_with_roles(superuser, user):
    response = browser(superuser).get(CHANGELIST)

    assert response.status_code == 200
    assert b"alice" in response.content
    assert b'class="sortable column-role"' in response.content


def test_a_superuser_opens_the_change_form_with_the_role_field(superuser, user):
    response = browser(superuser).get(change_url(user))

    assert response.status_code == 200
    assert b'name="role"' in response.content
    assert b'<option value="admin">' in response.content


def test_a_superuser_changes_a_users_role_and_the_api_shows_it(superuser, user, api):
    detail = reverse("v1:user-detail", args=[user.pk])
    assert api.get(detail).json()["role"] == "user"

    response = browser(superuser).post(change_url(user), change_form_data(user, role="admin"))

    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).role == User.Role.ADMIN
    assert api.get(detail).json()["role"] == "admin"


@pytest.mark.parametrize("search", ["alice", "alice@example.com"])
def test_a_superuser_finds_users_by_name_or_email(superuser, user, other_user, search):
    response = browser(superuser).get(CHANGELIST, {"q": search})

    assert response.status_code == 200
    assert b"alice" in response.content
    assert b">bob<" not in response.content


def test_a_superuser_filters_users_by_role(superuser, user, admin_user):
    response = browser(superuser).get(CHANGELIST, {"role__exact": "admin"})

    assert response.status_code == 200
    assert b">root<" in response.content
    assert b">alice<" not in response.content
