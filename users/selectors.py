from django.db.models import QuerySet

from .models import User


def users_listed() -> QuerySet[User]:
    """Active users, oldest first: what the public user list and detail show.

    The order is declared here, not by a Meta.ordering on User: that would reorder every
    relation to users (simplejwt orders its tokens by user, and would then need a JOIN
    its FOR UPDATE refuses)."""
    return User.objects.filter(is_active=True).only("id", "username", "role", "is_superuser").order_by("id")


def users_deletable() -> QuerySet[User]:
    """Every user, deactivated ones included: an admin may remove any account."""
    return User.objects.all()
