"""Writes on users: the API, the admin and the commands share these."""

from django.db import IntegrityError, transaction

from .models import User


class UsernameTaken(Exception):
    """Another account took the username between the caller's validation and this write
    (two registrations of one name at once): the unique constraint decided."""


def user_register(*, username: str, password: str, email: str = "", role: str = User.Role.USER) -> User:
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
