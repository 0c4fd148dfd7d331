"""Translate post changes into cache invalidations (after commit, see blogapi.caching)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blogapi.caching import invalidate

from . import cache_tags
from .models import Post


@receiver([post_save, post_delete], sender=Post)
def drop_cached_views_of_post(sender, instance: Post, **kwargs) -> None:
    invalidate(cache_tags.POSTS, cache_tags.post(instance.pk))
