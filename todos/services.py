"""Writes on to-dos (cached responses follow by themselves: `@tracked` on the model)."""

from datetime import date

from django.db import transaction

from users.models import User

from .models import Todo


@transaction.atomic
def todo_create(
    *,
    user: User,
    title: str,
    completed: bool = False,
    description: str = "",
    due_date: date | None = None,
    priority: str = Todo.Priority.NORMAL,
) -> Todo:
    return Todo.objects.create(
        user=user, title=title, completed=completed, description=description, due_date=due_date, priority=priority
    )


@transaction.atomic
def todo_update(*, todo: Todo, **fields) -> Todo:
    for name, value in fields.items():
        setattr(todo, name, value)
    todo.save()
    return todo


@transaction.atomic
def todo_delete(*, todo: Todo) -> None:
    todo.delete()
