from django.db.models import QuerySet

from .models import Todo


def todos_of(*, user) -> QuerySet[Todo]:
    """A user's own to-dos (in Todo's Meta.ordering): nobody else's are ever in reach."""
    return Todo.objects.filter(user=user)
