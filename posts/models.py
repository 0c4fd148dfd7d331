from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from blogapi.caching import tracked


# Writes drop post lists and the details of the posts they touch; marking the notification
# e-mail sent (notified_at, shown nowhere) drops nothing.
@tracked(unseen=("notified_at",))
class Post(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        HIDDEN = "hidden", "Hidden"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=200)
    content = models.TextField()
    category = models.CharField(max_length=50, default="general")
    # Moderation: hidden posts are gone from the API for everyone; the admin still shows them.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Set once the author's notification e-mail went out; NULL means it is still owed.
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at", "-id"], name="post_published_newest"),
            models.Index(fields=["user", "status", "-created_at"], name="post_author_newest"),
            models.Index(fields=["category", "status", "-created_at"], name="post_category_newest"),
            models.Index(fields=["created_at"], condition=Q(notified_at__isnull=True), name="post_notification_owed"),
        ]

    def __str__(self) -> str:
        return self.title
