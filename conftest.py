"""Shared fixtures: API clients (with a check that no API response leaks a password hash
or another user's e-mail address), users of every kind, and a clean cache for every test.

Every test runs with committed transactions (`transactional_db`): cache invalidation
happens on commit, exactly as in production, so a test cannot pass on a write that
was never committed.
"""

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from blogapi.caching import generations, operations
from blogapi.caching.near import near
from users.tests.factories import UserFactory

# Hash formats of Django's hashers; none may ever appear in a response body.
PASSWORD_HASH = re.compile(rb"(pbkdf2_sha256|pbkdf2_sha1|argon2|bcrypt_sha256|bcrypt|scrypt|md5|sha1)\$")


class CheckedAPIClient(APIClient):
    """An APIClient that fails the test if a response leaks what no client may see: a
    password hash anywhere, or (under /api/) the e-mail address of a user other than the
    one the request authenticated as."""

    def request(self, **kwargs):
        response = super().request(**kwargs)
        content = getattr(response, "content", b"")
        path = kwargs.get("PATH_INFO", "")
        assert not PASSWORD_HASH.search(content), f"password hash in response to {path}"
        if b"@" in content and path.startswith("/api/"):
            caller = getattr(getattr(response, "wsgi_request", None), "user", None)
            leaked = [email for email in _emails_of_others(caller) if _mentions(content, email)]
            assert not leaked, f"{path} answered {caller or 'an anonymous client'} the e-mail of another user: {leaked}"
        return response

    def authenticate_as(self, user) -> "CheckedAPIClient":
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        return self


def _emails_of_others(caller) -> list[bytes]:
    """Every stored e-mail address but the caller's; the query is left out of the
    connection's log, so tests pinning query counts count only their own."""
    log, logged = connection.queries_log, len(connection.queries_log)
    users = get_user_model().objects.exclude(email="")
    if caller is not None and caller.pk is not None:
        users = users.exclude(pk=caller.pk)
    emails = [email.lower().encode() for email in users.values_list("email", flat=True)]
    while len(log) > logged:
        log.pop()
    return emails


def _mentions(content: bytes, email: bytes) -> bool:
    # As a whole address: "al@example.com" is not in "cal@example.com".
    return re.search(rb"(?<![\w.+-])" + re.escape(email) + rb"(?![\w.-])", content.lower()) is not None


@pytest.fixture(autouse=True)
def _committed_db(transactional_db):
    """Every test sees real commits (see module docstring)."""


@pytest.fixture(autouse=True)
def _clean_cache():
    for alias in ("default", "local"):
        caches[alias].clear()
    reset_process_cache_state()
    yield


def reset_process_cache_state() -> None:
    """What this process holds of the cache: a previous test's simulated outage, unflushed
    hit/miss counts, leased tokens and near-cache copies must not leak into the next."""
    generations.health.__init__()
    generations.forget_tokens()
    operations.reset_counts()
    near.clear()


@pytest.fixture
def api() -> CheckedAPIClient:
    return CheckedAPIClient()


@pytest.fixture
def client_for():
    """client_for(user) -> an API client authenticated as that user (None: anonymous)."""

    def make(user=None) -> CheckedAPIClient:
        client = CheckedAPIClient()
        return client.authenticate_as(user) if user is not None else client

    return make


@pytest.fixture
def user():
    return UserFactory(username="alice")


@pytest.fixture
def other_user():
    return UserFactory(username="bob")


@pytest.fixture
def admin_user():
    return UserFactory(username="root", role="admin")


@pytest.fixture
def superuser():
    return UserFactory(username="super", is_superuser=True, is_staff=True)


@pytest.fixture
def moderators_group():
    """The group the data migration creates (re-created: transactional tests truncate tables)."""
    migration = importlib.import_module("posts.migrations.0002_moderators_group")
    migration.create_moderators(apps, None)
    from django.contrib.auth.models import Group

    return Group.objects.get(name=migration.MODERATORS)


@pytest.fixture
def moderator(moderators_group):
    moderator = UserFactory(username="mod", is_staff=True)
    moderator.groups.add(moderators_group)
    return moderator
