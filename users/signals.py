"""Translate user changes into cache invalidations (after commit, see blogapi.caching)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blogapi.caching import invalidate

from . import cache_tags
from .models import User


@receiver(post_save, sender=User)
def drop_cached_views_of_saved_user(sender, instance: User, created: bool, update_fields=None, **kwargs) -> None:
    if update_fields and set(update_fields) <= {"last_login"}:
        return  # an admin login: nothing any response shows
    tags = [cache_tags.USERS, cache_tags.user(instance.pk)]
    if not created and instance.username_changed:
        tags.append(cache_tags.AUTHORS)
    instance._loaded_username = instance.username
    invalidate(*tags)


@receiver(post_delete, sender=User)
def drop_cached_views_of_deleted_user(sender, instance: User, **kwargs) -> None:
    invalidate(cache_tags.USERS, cache_tags.user(instance.pk), cache_tags.AUTHORS)
