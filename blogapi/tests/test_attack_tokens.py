"""Forged and misused bearer tokens: every one is a 401 on every authenticated endpoint,
cached views included (a cached answer is never reached before authentication).

Covered elsewhere, not repeated here:
- a rotated refresh token reused, an expired or forged refresh token, an access token sent
  to the refresh endpoint, two concurrent refreshes of one token (at most one succeeds):
  users/tests/test_token_refresh.py;
- a deactivated or deleted user's token on cached views, refused at once:
  blogapi/tests/test_caching_isolation.py::test_a_deactivated_user_is_refused_at_once_on_a_cached_view
  and users/tests/test_me.py;
- privileged fields sent at registration or to /me, never stored:
  users/tests/test_mass_assignment.py.
"""

import base64
import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from posts.models import Post
from todos.tests.factories import TodoFactory

# The forger's key for HS512 is short on purpose: it is the deployment's HS256 key.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

# (method, path, body): what a stolen or forged token would be used for; the GETs are cached views.
TARGETS = [
    ("get", "/api/v1/users/me/", None),
    ("get", "/api/v2/users/me/", None),
    ("get", "/api/v1/todos/", None),
    ("get", "/api/v2/todos/", None),
    ("post", "/api/v1/posts/", {"title": "Forged", "content": "Body."}),
    ("patch", "/api/v2/users/me/", {"email": "owned@example.com"}),
]


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims_of(user) -> dict:
    return dict(AccessToken.for_user(user).payload)


def alg_none(user) -> str:
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims_of(user))}."


def signed_with_another_key(user) -> str:
    return jwt.encode(claims_of(user), "not-the-signing-key-" + "x" * 40, algorithm="HS256")


def signed_with_another_algorithm(user) -> str:
    return jwt.encode(claims_of(user), settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS512")


def user_id_swapped_to(victim):
    def forge(user) -> str:
        header, _, signature = str(AccessToken.for_user(user)).split(".")
        return f"{header}.{b64({**claims_of(user), 'user_id': str(victim.pk)})}.{signature}"

    return forge


def expired(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    return str(token)


def a_refresh_token(user) -> str:
    return str(RefreshToken.for_user(user))


def call(client, method, path, body):
    return getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)


def assert_refused(response) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["error"] == "Unauthorized"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "X-Cache" not in response or response["X-Cache"] == "MISS"


@pytest.mark.parametrize(
    "forge",
    [alg_none, signed_with_another_key, signed_with_another_algorithm, expired, a_refresh_token],
    ids=["alg-none", "another-key", "HS512", "expired", "refresh-as-access"],
)
def test_a_forged_or_misused_token_is_a_401_everywhere(api, client_for, user, forge):
    TodoFactory(user=user, title="Alice's secret")
    alice = client_for(user)
    for method, path, body in TARGETS:  # the victim's own answers are cached first
        if method == "get":
            assert call(alice, method, path, body).status_code == 200

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {forge(user)}")
    for method, path, body in TARGETS:
        assert_refused(call(api, method, path, body))
    assert not Post.objects.exists()
    user.refresh_from_db()
    assert user.email == "alice@example.com"


def test_a_token_whose_user_id_was_swapped_gets_nothing_of_the_victim(api, client_for, user, other_user):
    TodoFactory(user=other_user, title="Bob's secret")
    bob = client_for(other_user)
    assert bob.get("/api/v1/todos/").json()["results"][0]["title"] == "Bob's secret"  # cached for bob

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {user_id_swapped_to(other_user)(user)}")
    for method, path, body in TARGETS:
        assert_refused(call(api, method, path, body))
    assert bob.get("/api/v1/users/me/").json()["email"] == "bob@example.com"  # the PATCH changed nothing


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Token {token}", "bearer {token}x", "Bearer {token} {token}"])
def test_a_malformed_authorization_header_is_a_401(api, user, header):
    api.credentials(HTTP_AUTHORIZATION=header.format(token=AccessToken.for_user(user)))

    assert_refused(api.get("/api/v1/todos/"))
