"""Writes on to-dos (cached responses follow by themselves: `@tracked` on the model)."""

from datetime import date

from django.db import transaction

from blogapi.services import UNSET, Unset, model_update
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
def todo_update(
    *,
    todo: Todo,
    title: str | Unset = UNSET,
    completed: bool | Unset = UNSET,
    description: str | Unset = UNSET,
    due_date: date | Unset | None = UNSET,
    priority: str | Unset = UNSET,
) -> Todo:
    """Edit what the API may change; what is left out keeps its value (the owner never changes)."""
    return model_update(
        instance=todo,
        data={
            "title": title,
            "completed": completed,
            "description": description,
            "due_date": due_date,
            "priority": priority,
        },
    )


@transaction.atomic
def todo_delete(*, todo: Todo) -> None:
    todo.delete()
