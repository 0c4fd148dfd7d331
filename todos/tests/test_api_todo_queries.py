"""To-do lists cost a fixed number of queries, however many to-dos the caller has.

Every request is authenticated: the first one loads the JWT's user (1 query), which is
then held under the user's row. A MISS then runs the view: v1 COUNT + SELECT of the
page, v2 one SELECT (cursor: no count). A HIT (same user, same query string) costs no
query at all.
"""

import pytest

from todos.models import Todo
from todos.tests.factories import TodoFactory

LISTS = [
    pytest.param("/api/v1/todos/", {}, 1 + 2, id="v1"),
    pytest.param("/api/v1/todos/", {"page": 1, "page_size": 50}, 1 + 2, id="v1-page-size"),
    pytest.param("/api/v2/todos/", {}, 1 + 1, id="v2"),
    pytest.param("/api/v2/todos/", {"completed": "false", "page_size": 50}, 1 + 1, id="v2-completed"),
]


@pytest.mark.parametrize("rows", [3, 60])
@pytest.mark.parametrize(("url", "params", "miss_queries"), LISTS)
def test_todo_list_queries_are_constant(
    client_for, user, other_user, django_assert_num_queries, rows, url, params, miss_queries
):
    Todo.objects.bulk_create(Todo(user=user, title=f"t{n}", completed=n % 3 == 0) for n in range(rows))
    TodoFactory.create_batch(3, user=other_user)
    client = client_for(user)

    with django_assert_num_queries(miss_queries):
        miss = client.get(url, params)
    with django_assert_num_queries(0):  # the token's user is held, the page cached
        hit = client.get(url, params)

    assert (miss.status_code, miss["X-Cache"]) == (200, "MISS")
    assert (hit.status_code, hit["X-Cache"]) == (200, "HIT")
    assert miss.json()["results"]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_todo_detail_is_two_queries_then_none(client_for, user, django_assert_num_queries, version):
    todo = TodoFactory(user=user)
    client = client_for(user)

    with django_assert_num_queries(2):  # the token's user, the to-do
        miss = client.get(f"/api/{version}/todos/{todo.pk}/")
    with django_assert_num_queries(0):
        hit = client.get(f"/api/{version}/todos/{todo.pk}/")

    assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT")
