"""POST /api/v1/users/: registration answers `{id, username, role}`; bad input is a 400 with `fields`."""

import pytest
from django.urls import reverse

from users.models import User
from users.tests.factories import UserFactory

REGISTER = reverse("v1:user-list")
GOOD_PASSWORD = "S3cure-pass-1"


def register(api, body, **kwargs):
    return api.post(REGISTER, body, format="json", **kwargs)


def assert_invalid(response, *field_names: str) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "Bad Request"
    assert body["message"] == "Invalid input."
    assert set(body["fields"]) == set(field_names)
    assert all(isinstance(message, str) for messages in body["fields"].values() for message in messages)
    return body["fields"]


def test_it_registers_a_user_and_answers_id_username_and_role_only(api):
    response = register(api, {"username": "zed", "password": GOOD_PASSWORD, "email": "zed@example.com"})

    assert response.status_code == 201
    stored = User.objects.get(username="zed")
    assert response.json() == {"id": stored.pk, "username": "zed", "role": "user"}
    assert stored.email == "zed@example.com"
    assert stored.check_password(GOOD_PASSWORD)
    assert stored.is_active and not stored.is_staff and not stored.is_superuser


def test_it_registers_without_an_email(api):
    response = register(api, {"username": "zed", "password": GOOD_PASSWORD})

    assert response.status_code == 201
    assert User.objects.get(username="zed").email == ""


def test_it_lets_the_new_user_log_in_with_exactly_the_password_given(api):
    # Passwords are taken verbatim: surrounding spaces are part of them, never trimmed.
    assert register(api, {"username": "zed", "password": f" {GOOD_PASSWORD} "}).status_code == 201

    login = reverse("v1:user-login")
    assert api.post(login, {"username": "zed", "password": GOOD_PASSWORD}, format="json").status_code == 401
    exact = api.post(login, {"username": "zed", "password": f" {GOOD_PASSWORD} "}, format="json")
    assert exact.status_code == 200
    assert set(exact.json()) == {"access", "refresh"}


def test_it_requires_username_and_password(api):
    fields = assert_invalid(register(api, {}), "username", "password")

    assert fields["password"] == ["This field is required."]


def test_it_rejects_a_missing_password(api):
    assert_invalid(register(api, {"username": "zed"}), "password")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "This password is too short. It must contain at least 8 characters."),
        ("password", "This password is too common."),
        ("8675309912", "This password is entirely numeric."),
        ("zedzedzed1", "The password is too similar to the username."),
    ],
)
def test_it_rejects_a_weak_password(api, password, reason):
    fields = assert_invalid(register(api, {"username": "zedzedzed1x", "password": password}), "password")

    assert reason in fields["password"]
    assert not User.objects.exists()


def test_it_rejects_a_password_similar_to_the_email(api):
    body = {"username": "zed", "email": "marmalade.jar@example.com", "password": "marmalade.jar"}

    fields = assert_invalid(register(api, body), "password")

    assert fields["password"] == ["The password is too similar to the email address."]


def test_it_rejects_a_blank_password(api):
    fields = assert_invalid(register(api, {"username": "zed", "password": ""}), "password")

    assert fields["password"] == ["This field may not be blank."]


def test_it_rejects_a_duplicate_username(api):
    UserFactory(username="zed")

    fields = assert_invalid(register(api, {"username": "zed", "password": GOOD_PASSWORD}), "username")

    assert fields["username"] == ["A user with that username already exists."]
    assert User.objects.filter(username="zed").count() == 1


def test_it_rejects_a_username_of_151_characters(api):
    fields = assert_invalid(register(api, {"username": "u" * 151, "password": GOOD_PASSWORD}), "username")

    assert fields["username"] == ["Ensure this field has no more than 150 characters."]
    assert not User.objects.exists()


def test_it_accepts_a_username_of_150_characters(api):
    response = register(api, {"username": "u" * 150, "password": GOOD_PASSWORD})

    assert response.status_code == 201
    assert response.json()["username"] == "u" * 150


def test_it_rejects_a_username_with_characters_django_does_not_allow(api):
    assert_invalid(register(api, {"username": "zed <script>", "password": GOOD_PASSWORD}), "username")


@pytest.mark.parametrize("username", [["zed"], {"name": "zed"}, 12345, 1.5, True, None])
def test_it_rejects_a_username_that_is_not_a_string(api, username):
    fields = assert_invalid(register(api, {"username": username, "password": GOOD_PASSWORD}), "username")

    expected = "This field may not be null." if username is None else "Not a valid string."
    assert fields["username"] == [expected]
    assert not User.objects.exists()


@pytest.mark.parametrize("password", [["S3cure-pass-1"], {"p": 1}, 1234567890123, False])
def test_it_rejects_a_password_that_is_not_a_string(api, password):
    fields = assert_invalid(register(api, {"username": "zed", "password": password}), "password")

    assert fields["password"] == ["Not a valid string."]


@pytest.mark.parametrize("email", ["not-an-email", ["zed@example.com"], "z" * 250 + "@example.com"])
def test_it_rejects_an_invalid_email(api, email):
    assert_invalid(register(api, {"username": "zed", "password": GOOD_PASSWORD, "email": email}), "email")


def test_it_rejects_a_nul_byte_in_the_username_as_a_client_error(api):
    fields = assert_invalid(register(api, {"username": "ze\x00d", "password": GOOD_PASSWORD}), "username")

    assert "Null characters are not allowed." in fields["username"]
    assert not User.objects.exists()


def test_it_rejects_a_nul_byte_in_the_password_as_a_client_error(api):
    assert_invalid(register(api, {"username": "zed", "password": "S3cure\x00pass-1"}), "password")


def test_it_rejects_malformed_json(api):
    response = api.post(REGISTER, '{"username": "zed", "password":', content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Bad Request"
    assert body["message"].startswith("JSON parse error")
    assert "fields" not in body
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[]", "Invalid data. Expected a dictionary, but got list."),
        ('"zed"', "Invalid data. Expected a dictionary, but got str."),
        ("42", "Invalid data. Expected a dictionary, but got int."),
        ("null", "No data provided"),
    ],
)
def test_it_rejects_a_json_body_that_is_not_an_object(api, body, message):
    fields = assert_invalid(api.post(REGISTER, body, content_type="application/json"), "non_field_errors")

    assert fields["non_field_errors"] == [message]


def test_it_rejects_a_form_encoded_body_with_415(api):
    response = api.post(REGISTER, {"username": "zed", "password": GOOD_PASSWORD})

    assert response.status_code == 415
    assert response.json()["error"] == "Unsupported Media Type"
    assert not User.objects.exists()
