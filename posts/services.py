"""Writes on posts: the API, the admin, the commands and the tasks share these.

Single-object writes invalidate through the post_save/post_delete receivers; the bulk
writes here send no signal, so they invalidate explicitly through blogapi.caching.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from blogapi.caching import invalidate

from . import cache_tags
from .models import Post
from .notifications import queue_post_notification

# Past this many posts one "every post" tag is cheaper than one tag per post.
BULK_DETAIL_TAGS = 500


@transaction.atomic
def post_create(*, author, title: str, content: str, category: str = "general") -> Post:
    post = Post.objects.create(user=author, title=title, content=content, category=category)
    # Queued only once the post is committed: a rolled-back post sends nothing.
    transaction.on_commit(lambda: queue_post_notification(post.pk))
    return post


@transaction.atomic
def post_update(*, post: Post, **fields) -> Post:
    for name, value in fields.items():
        setattr(post, name, value)
    post.save()
    return post


@transaction.atomic
def post_delete(*, post: Post) -> None:
    post.delete()


@transaction.atomic
def posts_set_status(*, post_ids: Iterable[int], status: str) -> int:
    """Hide or publish many posts in one UPDATE (the admin's bulk actions)."""
    post_ids = list(post_ids)
    changed = Post.objects.filter(pk__in=post_ids).update(status=status, updated_at=timezone.now())
    if len(post_ids) > BULK_DETAIL_TAGS:
        invalidate(cache_tags.POSTS, cache_tags.EVERY_POST)
    else:
        invalidate(cache_tags.POSTS, *(cache_tags.post(pk) for pk in post_ids))
    return changed


@transaction.atomic
def posts_delete_all() -> int:
    """Delete every post in one statement (no per-row signals), then drop every post view."""
    deleted = Post.objects.all()._raw_delete(Post.objects.db)
    invalidate(cache_tags.POSTS, cache_tags.EVERY_POST)
    return deleted


def posts_changed_in_bulk() -> None:
    """For writes made with bulk_create()/update() outside these services (seed_demo)."""
    invalidate(cache_tags.POSTS, cache_tags.EVERY_POST)
