"""Accounts: registration, login, profile edits and deletion. The API, the admin and the
commands share these."""

import logging

from django.contrib.auth import authenticate
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from blogapi.permissions import is_api_admin

from .models import User
from .throttling import FailedLoginsPerAddress, FailedLoginsPerUsername

security_log = logging.getLogger("users.auth")


class UsernameTaken(Exception):
    """Another account took the username between the caller's validation and this write
    (two registrations of one name at once): the unique constraint decided."""


class LoginThrottled(Exception):
    """Too many failed logins for the username or from the address in this window."""

    def __init__(self, *, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait  # seconds until the window ends and attempts count afresh


class InvalidCredentials(Exception):
    """No active account has this username and password."""


def user_may_choose_role(caller: User | AnonymousUser | None) -> bool:
    """Only an admin chooses a new account's role; anyone else's choice is ignored."""
    return is_api_admin(caller)


def user_register(
    *,
    username: str,
    password: str,
    email: str = "",
    role: str | None = None,
    registered_by: User | AnonymousUser | None = None,
) -> User:
    """A new account; a plain user unless an admin registers it with another role."""
    if role is None or not user_may_choose_role(registered_by):
        role = User.Role.USER
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, password=password, email=email, role=role)
    except IntegrityError as exc:
        raise _taken_or(exc, username) from exc


def user_update_profile(*, user: User, username: str | None = None, email: str | None = None) -> User:
    if username is not None:
        user.username = User.normalize_username(username)  # as registration stores it (NFKC)
    if email is not None:
        user.email = email
    try:
        with transaction.atomic():
            user.save(update_fields=["username", "email"])
    except IntegrityError as exc:
        raise _taken_or(exc, user.username) from exc
    return user


def _taken_or(exc: IntegrityError, username: str) -> Exception:
    # Stored names are NFKC-normalized: a name with a long s (U+017F) collides with its "s" twin.
    taken = User.objects.filter(username=User.normalize_username(username)).exists()
    return UsernameTaken(username) if taken else exc


@transaction.atomic
def user_delete(*, user: User) -> None:
    user.delete()


def user_login(*, username: str, password: str, address: str) -> User:
    """The active account these credentials open, or InvalidCredentials.

    Failed logins are counted per username and per client address (users/throttling.py):
    an attempt past either limit is refused with LoginThrottled before the password is
    checked; a success gives its attempt back and clears the username's count. Every
    refusal and failure is a warning on the `users.auth` logger."""
    per_address, per_username = FailedLoginsPerAddress(address), FailedLoginsPerUsername(username)
    if not per_address.reserve():
        security_log.warning("login throttled for %r: too many failures from %s", username, address)
        raise LoginThrottled(wait=per_address.wait())
    if not per_username.reserve():
        per_address.give_back()  # refused unchecked: no failure of this address
        security_log.warning("login throttled for %r: too many failures for the username", username)
        raise LoginThrottled(wait=per_username.wait())
    user = authenticate(username=username, password=password)
    if user is None:
        security_log.warning("failed login for %r from %s", username, address)
        raise InvalidCredentials(username)
    per_address.give_back()
    per_username.reset()
    return user
