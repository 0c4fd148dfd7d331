"""Permissions shared by the apps."""

from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_api_admin(user) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "is_admin", False))


class IsApiAdmin(BasePermission):
    """Users with role `admin` (superusers included)."""

    def has_permission(self, request, view) -> bool:
        return is_api_admin(request.user)


class IsOwnerOrAdminOrReadOnly(BasePermission):
    """Anyone reads; only the object's owner or an admin changes it."""

    owner_field = "user"  # the object's foreign key to its owner

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        # serializable_value() gives a foreign key's id, with no query for the owner's row.
        return is_api_admin(request.user) or obj.serializable_value(self.owner_field) == request.user.pk
