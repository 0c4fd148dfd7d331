"""To-dos: v1 keeps the tutorial's shape, v2 adds description, due date, priority, updated_at."""

import datetime

import pytest

from todos.models import Todo
from todos.tests.factories import TodoFactory


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def v1_shape(todo: Todo) -> dict:
    return {"id": todo.pk, "title": todo.title, "completed": todo.completed, "created_at": iso(todo.created_at)}


def v2_shape(todo: Todo) -> dict:
    return {
        **v1_shape(todo),
        "description": todo.description,
        "due_date": todo.due_date.isoformat() if todo.due_date else None,
        "priority": todo.priority,
        "updated_at": iso(todo.updated_at),
    }


@pytest.fixture
def alice(client_for, user):
    return client_for(user)


def test_v1_detail_is_the_tutorial_shape(alice, user):
    todo = TodoFactory(user=user, completed=True, description="hidden in v1", priority="high")

    response = alice.get(f"/api/v1/todos/{todo.pk}/")

    assert response.status_code == 200
    assert response.json() == v1_shape(todo)


def test_v2_detail_adds_description_due_date_priority_and_updated_at(alice, user):
    todo = TodoFactory(user=user, description="milk, eggs", due_date=datetime.date(2030, 1, 31), priority="high")

    response = alice.get(f"/api/v2/todos/{todo.pk}/")

    assert response.status_code == 200
    assert response.json() == v2_shape(todo)


def test_v1_list_is_numbered_pages_of_the_callers_todos_newest_first(alice, user):
    older, newer = TodoFactory(user=user), TodoFactory(user=user)

    response = alice.get("/api/v1/todos/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [v1_shape(newer), v1_shape(older)],
    }


def test_v2_list_is_cursor_pages(alice, user):
    older, newer = TodoFactory(user=user), TodoFactory(user=user)

    response = alice.get("/api/v2/todos/")

    assert response.status_code == 200
    assert response.json() == {"next": None, "previous": None, "results": [v2_shape(newer), v2_shape(older)]}


def test_v2_cursor_walks_every_todo_once(alice, user):
    TodoFactory.create_batch(7, user=user)
    seen, response = [], alice.get("/api/v2/todos/", {"page_size": 3})
    while True:
        seen += [todo["id"] for todo in response.json()["results"]]
        if response.json()["next"] is None:
            break
        response = alice.get(response.json()["next"])

    assert seen == list(Todo.objects.order_by("-created_at", "-id").values_list("pk", flat=True))


def test_v1_create_defaults_to_not_completed(alice, user):
    response = alice.post("/api/v1/todos/", {"title": "Buy milk"}, format="json")

    assert response.status_code == 201
    todo = Todo.objects.get()
    assert response.json() == v1_shape(todo)
    assert (todo.title, todo.completed, todo.user_id, todo.priority) == ("Buy milk", False, user.pk, "normal")


def test_v2_create_takes_the_v2_fields_with_priority_normal_by_default(alice):
    body = {"title": "Taxes", "description": "forms", "due_date": "2030-04-15", "completed": True}

    response = alice.post("/api/v2/todos/", body, format="json")

    assert response.status_code == 201
    todo = Todo.objects.get()
    assert response.json() == v2_shape(todo)
    assert (todo.description, todo.due_date, todo.priority, todo.completed) == (
        "forms",
        datetime.date(2030, 4, 15),
        "normal",
        True,
    )


@pytest.mark.parametrize("priority", ["low", "normal", "high"])
def test_v2_accepts_each_priority(alice, user, priority):
    todo = TodoFactory(user=user)

    response = alice.patch(f"/api/v2/todos/{todo.pk}/", {"priority": priority}, format="json")

    assert response.status_code == 200
    todo.refresh_from_db()
    assert todo.priority == response.json()["priority"] == priority


def test_v2_due_date_can_be_cleared(alice, user):
    todo = TodoFactory(user=user, due_date=datetime.date(2030, 1, 1))

    response = alice.patch(f"/api/v2/todos/{todo.pk}/", {"due_date": None}, format="json")

    assert response.status_code == 200
    todo.refresh_from_db()
    assert todo.due_date is None


def test_v1_ignores_v2_fields(alice):
    body = {"title": "Plain", "description": "dropped", "priority": "high", "due_date": "2030-01-01"}

    response = alice.post("/api/v1/todos/", body, format="json")

    assert response.status_code == 201
    todo = Todo.objects.get()
    assert (todo.description, todo.priority, todo.due_date) == ("", "normal", None)


def test_owner_updates_and_deletes_a_todo(alice, user):
    todo = TodoFactory(user=user, title="Before")

    put = alice.put(f"/api/v1/todos/{todo.pk}/", {"title": "After", "completed": True}, format="json")
    todo.refresh_from_db()
    delete = alice.delete(f"/api/v1/todos/{todo.pk}/")

    assert put.status_code == 200
    assert (todo.title, todo.completed) == ("After", True)
    assert delete.status_code == 204
    assert not Todo.objects.exists()


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 42}, "title"),
        ({"title": ["a"]}, "title"),
        ({"title": "t", "completed": "maybe"}, "completed"),
    ],
)
def test_invalid_todo_is_400_naming_the_field(alice, version, body, field):
    response = alice.post(f"/api/{version}/todos/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"
    assert list(response.json()["fields"]) == [field]
    assert not Todo.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "t", "due_date": "not-a-date"}, "due_date"),
        ({"title": "t", "due_date": "2030-02-30"}, "due_date"),
        ({"title": "t", "priority": "urgent"}, "priority"),
        ({"title": "t", "priority": 1}, "priority"),
        ({"title": "t", "description": "x" * 10_001}, "description"),
        ({"title": "t", "description": 7}, "description"),
    ],
)
def test_invalid_v2_todo_fields_are_400(alice, body, field):
    response = alice.post("/api/v2/todos/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert not Todo.objects.exists()


@pytest.mark.parametrize(("value", "expected"), [("true", [True]), ("false", [False]), ("1", [True]), ("0", [False])])
def test_v2_filters_by_completed(alice, user, value, expected):
    TodoFactory(user=user, completed=True)
    TodoFactory(user=user, completed=False)

    response = alice.get("/api/v2/todos/", {"completed": value})

    assert response.status_code == 200
    assert [todo["completed"] for todo in response.json()["results"]] == expected


def test_v2_rejects_a_completed_filter_that_is_not_a_boolean(alice, user):
    TodoFactory(user=user)

    response = alice.get("/api/v2/todos/", {"completed": "maybe"})

    assert response.status_code == 400
    assert response.json() == {
        "error": "Bad Request",
        "message": "Invalid input.",
        "fields": {"completed": ["Must be true or false."]},
    }
