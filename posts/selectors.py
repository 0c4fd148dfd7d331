from django.db.models import QuerySet

from .models import Post


def posts_published(*, with_author: bool = False) -> QuerySet[Post]:
    """What the API shows: published posts only (in Post's Meta.ordering)."""
    posts = Post.objects.filter(status=Post.Status.PUBLISHED).defer("notified_at")
    return posts.select_related("user").only(*_V2_FIELDS) if with_author else posts.only(*_V1_FIELDS)


_V1_FIELDS = ("id", "title", "content", "category", "status", "created_at", "user_id")
_V2_FIELDS = (*_V1_FIELDS, "updated_at", "user__id", "user__username")
