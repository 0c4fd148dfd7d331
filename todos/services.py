"""Writes on to-dos (cached responses follow by themselves: `@tracked` on the model)."""

from django.db import transaction

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
