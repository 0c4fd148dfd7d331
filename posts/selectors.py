from django.db.models import QuerySet

from .models import Post


def posts_published() -> QuerySet[Post]:
    """What the API shows: published posts only (in Post's Meta.ordering), each with its
    author joined in the same query (v2 embeds the author's username)."""
    return Post.objects.filter(status=Post.Status.PUBLISHED).select_related("user")
