from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    class Role(models.TextChoices):
        USER = "user", "User"
        ADMIN = "admin", "Admin"

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.USER)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered so a save can tell whether responses embedding the name went stale.
        instance._loaded_username = instance.__dict__.get("username")
        return instance

    @property
    def username_changed(self) -> bool:
        return getattr(self, "_loaded_username", self.username) != self.username

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    def save(self, *args, **kwargs) -> None:
        if self.is_superuser:
            self.role = self.Role.ADMIN  # superusers (createsuperuser) are API admins
        super().save(*args, **kwargs)
