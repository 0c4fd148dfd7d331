"""To-dos are private: another user's is 404 on every verb, anonymous is 401, and the
owner cannot be changed by anything in the body."""

import pytest

from todos.models import Todo
from todos.tests.factories import TodoFactory

VERBS = [
    ("get", None),
    ("put", {"title": "Stolen", "completed": True}),
    ("patch", {"title": "Stolen"}),
    ("delete", None),
]


def row(todo: Todo) -> tuple:
    return tuple(Todo.objects.filter(pk=todo.pk).values_list("user_id", "title", "completed", "updated_at").get())


@pytest.mark.parametrize(("method", "body"), VERBS)
@pytest.mark.parametrize("intruder", ["other_user", "admin_user"])  # the rest: test_authorization_matrix
def test_another_users_todo_is_404_and_untouched(client_for, request, user, method, body, intruder):
    todo = TodoFactory(user=user, title="Mine")
    before = row(todo)
    client = client_for(request.getfixturevalue(intruder))

    for version in ("v1", "v2"):
        response = getattr(client, method)(f"/api/{version}/todos/{todo.pk}/", body, format="json")
        never_existed = client.get(f"/api/{version}/todos/{todo.pk + 1000}/")

        assert response.status_code == 404
        assert response.json() == never_existed.json()  # nothing tells the to-do exists
        assert row(todo) == before


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_lists_show_only_the_callers_todos(client_for, user, other_user, version):
    mine = TodoFactory(user=user)
    TodoFactory(user=other_user)

    response = client_for(user).get(f"/api/{version}/todos/")

    assert [todo["id"] for todo in response.json()["results"]] == [mine.pk]


@pytest.mark.parametrize(
    ("method", "detail", "body"),
    [
        ("get", False, None),
        ("post", False, {"title": "t"}),
        ("get", True, None),
        ("put", True, {"title": "t"}),
        ("patch", True, {"title": "t"}),
        ("delete", True, None),
    ],
)
def test_anonymous_gets_401_everywhere(api, user, method, detail, body):
    todo = TodoFactory(user=user, title="Mine")

    for version in ("v1", "v2"):
        url = f"/api/{version}/todos/{todo.pk}/" if detail else f"/api/{version}/todos/"
        response = getattr(api, method)(url, body, format="json")

        assert response.status_code == 401
        assert response.json() == {"error": "Unauthorized", "message": "Authentication credentials were not provided."}
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert list(Todo.objects.values_list("title", flat=True)) == ["Mine"]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_create_ignores_user_and_user_id_in_the_body(client_for, user, other_user, version):
    body = {"title": "Mine", "user": other_user.pk, "user_id": other_user.pk, "id": 999_999}

    response = client_for(user).post(f"/api/{version}/todos/", body, format="json")

    assert response.status_code == 201
    todo = Todo.objects.get()
    assert (todo.user_id, todo.pk == 999_999) == (user.pk, False)


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_cannot_reassign_the_todo(client_for, user, other_user, version, method):
    todo = TodoFactory(user=user)
    created_at = todo.created_at
    body = {
        "title": "Edited",
        "user": other_user.pk,
        "user_id": other_user.pk,
        "created_at": "2001-01-01T00:00:00Z",
        "updated_at": "2001-01-01T00:00:00Z",
    }

    response = getattr(client_for(user), method)(f"/api/{version}/todos/{todo.pk}/", body, format="json")

    assert response.status_code == 200
    todo.refresh_from_db()
    assert (todo.user_id, todo.title, todo.created_at) == (user.pk, "Edited", created_at)
    assert todo.updated_at.year != 2001
    assert not client_for(other_user).get("/api/v1/todos/").json()["results"]
