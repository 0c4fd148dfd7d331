"""Writes on posts: the API, the admin, the commands and the tasks share these.

Cached responses need no word from here: every ORM write to a post drops what depends
on it (`@tracked` on the model, blogapi.caching).
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from blogapi.services import UNSET, Unset, model_update
from users.models import User

from .models import Post
from .notifications import queue_post_notification


@transaction.atomic
def post_create(*, user: User, title: str, content: str, category: str = "general") -> Post:
    post = Post.objects.create(user=user, title=title, content=content, category=category)
    # Queued only once the post is committed: a rolled-back post sends nothing.
    transaction.on_commit(lambda: queue_post_notification(post.pk))
    return post


@transaction.atomic
def post_update(
    *, post: Post, title: str | Unset = UNSET, content: str | Unset = UNSET, category: str | Unset = UNSET
) -> Post:
    """Edit what the API may change; what is left out keeps its value."""
    return model_update(instance=post, data={"title": title, "content": content, "category": category})


@transaction.atomic
def post_delete(*, post: Post) -> None:
    post.delete()


@transaction.atomic
def posts_set_status(*, post_ids: Iterable[int], status: str) -> int:
    """Hide or publish many posts in one UPDATE (the admin's bulk actions)."""
    return Post.objects.filter(pk__in=list(post_ids)).update(status=status, updated_at=timezone.now())


@transaction.atomic
def posts_delete_all() -> int:
    """Delete every post: one DELETE, since nothing cascades from a post and no signal
    receiver needs the rows one by one."""
    deleted, _ = Post.objects.all().delete()
    return deleted
