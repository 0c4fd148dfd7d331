"""Who may do what: every endpoint and method of the API, in both versions, for every
kind of caller, with the exact status each one gets.

Columns: anonymous; `owner` (alice, who owns the post and the to-do acted on);
`other` (bob, a plain user); `moderator` (staff in the Moderators group: in the API a
plain user, their powers are in the Django admin only); `admin` (role admin).
Each caller acts on objects of their own (a fresh post, to-do and user to delete), so
one caller's DELETE never changes what the next one sees.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from posts.tests.factories import PostFactory
from todos.tests.factories import TodoFactory
from users.tests.factories import PASSWORD, UserFactory

ACTORS = ("anonymous", "owner", "other", "moderator", "admin")


def expect(anonymous: int, owner: int, other: int, moderator: int, admin: int) -> dict[str, int]:
    return dict(zip(ACTORS, (anonymous, owner, other, moderator, admin), strict=True))


@dataclass
class Targets:
    """What one caller acts on."""

    actor: str
    post: Any
    todo: Any
    victim: Any  # a user only an admin may delete
    refresh: str  # the caller's own refresh token (alice's for the anonymous caller)


# (name, method, path under /api/<version>/, body(targets) or None, expected statuses)
MATRIX = [
    ("register", "post", "users/", lambda t: {"username": f"new-{t.actor}", "password": "S3cure-pass-1"},
     expect(201, 201, 201, 201, 201)),
    ("login", "post", "users/login/", lambda t: {"username": "alice", "password": PASSWORD},
     expect(200, 200, 200, 200, 200)),
    ("users-list", "get", "users/", None, expect(200, 200, 200, 200, 200)),
    ("users-me", "get", "users/me/", None, expect(401, 200, 200, 200, 200)),
    ("users-me-patch", "patch", "users/me/", lambda t: {"email": f"{t.actor}@example.org"},
     expect(401, 200, 200, 200, 200)),
    ("users-detail", "get", "users/{victim}/", None, expect(200, 200, 200, 200, 200)),
    ("users-delete", "delete", "users/{victim}/", None, expect(401, 403, 403, 403, 204)),
    ("auth-refresh", "post", "auth/refresh/", lambda t: {"refresh": t.refresh}, expect(200, 200, 200, 200, 200)),
    ("auth-logout", "post", "auth/logout/", lambda t: {"refresh": t.refresh}, expect(401, 204, 204, 204, 204)),
    ("posts-list", "get", "posts/", None, expect(200, 200, 200, 200, 200)),
    ("posts-create", "post", "posts/", lambda t: {"title": "New", "content": "Body"},
     expect(401, 201, 201, 201, 201)),
    ("posts-detail", "get", "posts/{post}/", None, expect(200, 200, 200, 200, 200)),
    ("posts-put", "put", "posts/{post}/", lambda t: {"title": "Edited", "content": "Edited"},
     expect(401, 200, 403, 403, 200)),
    ("posts-patch", "patch", "posts/{post}/", lambda t: {"title": "Edited"}, expect(401, 200, 403, 403, 200)),
    ("posts-delete", "delete", "posts/{post}/", None, expect(401, 204, 403, 403, 204)),
    ("posts-delete-all", "delete", "posts/all/", None, expect(401, 403, 403, 403, 200)),
    ("todos-list", "get", "todos/", None, expect(401, 200, 200, 200, 200)),
    ("todos-create", "post", "todos/", lambda t: {"title": "New"}, expect(401, 201, 201, 201, 201)),
    # Another user's to-do does not exist for them: 404, even for an admin.
    ("todos-detail", "get", "todos/{todo}/", None, expect(401, 200, 404, 404, 404)),
    ("todos-put", "put", "todos/{todo}/", lambda t: {"title": "Edited"}, expect(401, 200, 404, 404, 404)),
    ("todos-patch", "patch", "todos/{todo}/", lambda t: {"completed": True}, expect(401, 200, 404, 404, 404)),
    ("todos-delete", "delete", "todos/{todo}/", None, expect(401, 204, 404, 404, 404)),
]  # fmt: skip

CELLS = [
    pytest.param(version, method, path, body, expected, id=f"{version}-{name}")
    for version in ("v1", "v2")
    for name, method, path, body, expected in MATRIX
]


@pytest.fixture
def callers(user, other_user, moderator, admin_user) -> dict[str, Any]:
    return {"anonymous": None, "owner": user, "other": other_user, "moderator": moderator, "admin": admin_user}


@pytest.mark.parametrize(("version", "method", "path", "body", "expected"), CELLS)
def test_each_caller_gets_the_exact_status(client_for, callers, user, version, method, path, body, expected):
    observed = {}
    for actor, caller in callers.items():
        targets = Targets(
            actor=actor,
            post=PostFactory(user=user),
            todo=TodoFactory(user=user),
            victim=UserFactory(),
            refresh=str(RefreshToken.for_user(caller or user)),
        )
        url = f"/api/{version}/" + path.format(post=targets.post.pk, todo=targets.todo.pk, victim=targets.victim.pk)
        response = getattr(client_for(caller), method)(url, body(targets) if body else None, format="json")
        observed[actor] = response.status_code
        if response.status_code >= 400:
            assert set(response.json()) == {"error", "message"}, (actor, response.json())

    assert observed == expected
