"""An edit writes the fields it changes and nothing else (todos.services.todo_update):
never the owner, so the cache's write hook reads no old owner first
(blogapi/caching/writes.py), and an edit that changes nothing writes nothing."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from todos.models import Todo
from todos.tests.factories import TodoFactory


def columns_set(update_sql: str) -> set[str]:
    return set(re.findall(r'"(\w+)" = ', update_sql.partition(" SET ")[2].partition(" WHERE ")[0]))


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_edit_writes_only_the_fields_it_changes(client_for, user, method):
    todo = TodoFactory(user=user, title="Before", priority="high")
    body = {"title": "After", "completed": False, "priority": "high"}  # completed, priority: as they were

    with CaptureQueriesContext(connection) as queries:
        response = getattr(client_for(user), method)(f"/api/v2/todos/{todo.pk}/", body, format="json")

    assert response.status_code == 200
    (update,) = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
    assert columns_set(update) == {"title", "updated_at"}
    assert not [query for query in queries if "FOR UPDATE" in query["sql"]]
    assert Todo.objects.values_list("user_id", "title", "priority").get() == (user.pk, "After", "high")


def test_an_edit_that_changes_nothing_writes_nothing(client_for, user):
    todo = TodoFactory(user=user, title="Same")
    client = client_for(user)

    with CaptureQueriesContext(connection) as queries:
        response = client.patch(f"/api/v2/todos/{todo.pk}/", {"title": "Same"}, format="json")

    assert response.status_code == 200
    assert [query["sql"] for query in queries if query["sql"].startswith(("INSERT", "UPDATE", "DELETE"))] == []
    assert Todo.objects.get(pk=todo.pk).updated_at == todo.updated_at
