"""Writes on to-dos; single-object writes invalidate through the model signals."""

from django.db import transaction

from blogapi.caching import invalidate

from . import cache_tags
from .models import Todo


@transaction.atomic
def todo_create(*, owner, **fields) -> Todo:
    return Todo.objects.create(user=owner, **fields)


@transaction.atomic
def todo_update(*, todo: Todo, **fields) -> Todo:
    for name, value in fields.items():
        setattr(todo, name, value)
    todo.save()
    return todo


@transaction.atomic
def todo_delete(*, todo: Todo) -> None:
    todo.delete()


def todos_changed_in_bulk() -> None:
    """For writes made with bulk_create()/update() (seed_demo)."""
    invalidate(cache_tags.EVERY_TODO)
