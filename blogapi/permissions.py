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

    owner_field = "user_id"

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return is_api_admin(request.user) or getattr(obj, self.owner_field) == request.user.pk
