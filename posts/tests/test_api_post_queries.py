"""Post lists cost a fixed number of queries, however many posts there are.

A cache MISS runs the view: v1 does COUNT + SELECT of the page (page numbers), v2 does
one SELECT of the page (cursor: no count). Either SELECT joins the posts' authors (one
selector serves both versions; v2 shows the author, by JOIN, not one query per post). A
HIT is served from Redis with no query at all. An authenticated request adds one query
the first time: the JWT's user, then held under the user's row.
"""

import pytest

from posts.models import Post
from users.tests.factories import UserFactory


def make_posts(count: int) -> int:
    """`count` posts by up to five authors; returns the first author's id."""
    authors = UserFactory.create_batch(min(count, 5))
    Post.objects.bulk_create(
        Post(user=authors[n % len(authors)], title=f"t{n}", content="c", category="news" if n % 2 else "misc")
        for n in range(count)
    )
    return authors[0].pk


def with_author(params: dict, author_id: int) -> dict:
    return {name: author_id if value == AUTHOR else value for name, value in params.items()}


AUTHOR = object()  # replaced by a real author's id: an empty page would skip the SELECT


LISTS = [
    # (url, query string, queries on a MISS for an anonymous client)
    pytest.param("/api/v1/posts/", {}, 2, id="v1"),
    pytest.param("/api/v1/posts/", {"user_id": AUTHOR, "page": 1, "page_size": 50}, 2, id="v1-filtered"),
    pytest.param("/api/v2/posts/", {}, 1, id="v2"),
    pytest.param(
        "/api/v2/posts/",
        {"user_id": AUTHOR, "category": "misc", "search": "t", "ordering": "-title", "page_size": 50},
        1,
        id="v2-filtered",
    ),
]


@pytest.mark.parametrize("rows", [3, 60])
@pytest.mark.parametrize(("url", "params", "miss_queries"), LISTS)
def test_anonymous_post_list_queries_are_constant(api, django_assert_num_queries, rows, url, params, miss_queries):
    params = with_author(params, make_posts(rows))

    with django_assert_num_queries(miss_queries):
        miss = api.get(url, params)
    with django_assert_num_queries(0):
        hit = api.get(url, params)

    assert (miss.status_code, miss["X-Cache"]) == (200, "MISS")
    assert (hit.status_code, hit["X-Cache"]) == (200, "HIT")
    assert len(miss.json()["results"]) > 0


@pytest.mark.parametrize("rows", [3, 60])
@pytest.mark.parametrize(("url", "params", "miss_queries"), LISTS)
def test_authenticated_post_list_queries_are_constant(
    client_for, user, django_assert_num_queries, rows, url, params, miss_queries
):
    params = with_author(params, make_posts(rows))
    client = client_for(user)

    with django_assert_num_queries(1 + miss_queries):  # + the token's user
        miss = client.get(url, params)
    with django_assert_num_queries(0):  # the token's user is held
        hit = client.get(url, params)

    assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_post_detail_is_one_query(api, django_assert_num_queries, version):
    make_posts(1)
    post = Post.objects.get()

    with django_assert_num_queries(1):  # the post, joined to its author
        miss = api.get(f"/api/{version}/posts/{post.pk}/")
    with django_assert_num_queries(0):
        hit = api.get(f"/api/{version}/posts/{post.pk}/")

    assert (miss["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT")
