"""Translate to-do changes into cache invalidations (after commit, see blogapi.caching)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blogapi.caching import invalidate

from . import cache_tags
from .models import Todo


@receiver([post_save, post_delete], sender=Todo)
def drop_cached_views_of_todo(sender, instance: Todo, **kwargs) -> None:
    invalidate(cache_tags.todos_of(instance.user_id))
