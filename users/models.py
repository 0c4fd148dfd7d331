from django.contrib.auth.models import AbstractUser
from django.db import models

from blogapi.caching import tracked


# Writes drop user lists, the touched users' details, /me and held logins, and (when a
# username changes) every response embedding usernames: v2 posts name their authors. An
# admin login's last_login drops nothing.
@tracked(columns=("username",), unseen=("last_login",))
class User(AbstractUser):
    class Role(models.TextChoices):
        USER = "user", "User"
        ADMIN = "admin", "Admin"

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.USER)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    def save(self, *args, **kwargs) -> None:
        if self.is_superuser:
            self.role = self.Role.ADMIN  # superusers (createsuperuser) are API admins
        super().save(*args, **kwargs)
