from django.db.models import QuerySet

from .models import User


def users_listed() -> QuerySet[User]:
    """Active users, oldest first: what the public user list and detail show."""
    return User.objects.filter(is_active=True).only("id", "username", "role", "is_superuser").order_by("id")


def users_deletable() -> QuerySet[User]:
    """Every user, deactivated ones included: an admin may remove any account."""
    return User.objects.all()
