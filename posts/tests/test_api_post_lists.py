"""Post lists: v1 author filter and page numbers; v2 category, search, ordering and cursors."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from posts.models import Post
from posts.tests.factories import PostFactory


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [post["id"] for post in response.json()["results"]]


def newest_first(posts: list[Post]) -> list[int]:
    return [post.pk for post in sorted(posts, key=lambda post: (post.created_at, post.pk), reverse=True)]


def posts_a_minute_apart(count: int, **fields) -> list[Post]:
    start = timezone.now() - timedelta(days=1)
    return [PostFactory(created_at=start + timedelta(minutes=n), **fields) for n in range(count)]


# --- v1 -----------------------------------------------------------------------------------


def test_v1_filters_by_author(api, user, other_user):
    mine = PostFactory.create_batch(2, user=user)
    PostFactory(user=other_user)

    assert ids(api.get("/api/v1/posts/", {"user_id": user.pk})) == newest_first(mine)


def test_v1_unknown_author_gives_an_empty_page(api, user):
    PostFactory(user=user)

    response = api.get("/api/v1/posts/", {"user_id": 987_654})

    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_v1_pages_by_number_with_links(api, user):
    posts = posts_a_minute_apart(25, user=user)
    expected = newest_first(posts)

    first = api.get("/api/v1/posts/")
    second = api.get("/api/v1/posts/", {"page": 2})

    assert first.json()["count"] == 25
    assert ids(first) == expected[:20]
    assert first.json()["previous"] is None
    assert first.json()["next"] == "http://testserver/api/v1/posts/?page=2"
    assert ids(second) == expected[20:]
    assert second.json()["next"] is None
    assert second.json()["previous"] == "http://testserver/api/v1/posts/"


def test_v1_page_size_is_honoured_and_kept_in_links(api, user):
    posts = posts_a_minute_apart(7, user=user)

    response = api.get("/api/v1/posts/", {"page_size": 3, "page": 2})

    assert ids(response) == newest_first(posts)[3:6]
    assert response.json()["next"] == "http://testserver/api/v1/posts/?page=3&page_size=3"


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_page_size_is_capped_at_100(api, user, version):
    Post.objects.bulk_create(Post(user=user, title=f"t{n}", content="c") for n in range(105))

    response = api.get(f"/api/{version}/posts/", {"page_size": 1000})

    assert len(ids(response)) == 100
    assert response.json()["next"] is not None


def test_v1_ignores_v2_only_parameters(api, user):
    posts = [PostFactory(user=user, category="news", title="alpha"), PostFactory(user=user, category="misc")]

    response = api.get("/api/v1/posts/", {"category": "news", "search": "alpha", "ordering": "title"})

    assert ids(response) == newest_first(posts)


# --- v2 -----------------------------------------------------------------------------------


def test_v2_default_order_is_newest_first(api, user):
    posts = posts_a_minute_apart(5, user=user)
    PostFactory.create_batch(2, user=user, created_at=posts[2].created_at)  # ties broken by id

    assert ids(api.get("/api/v2/posts/")) == newest_first(Post.objects.all())


def test_v2_filters_by_category_exactly(api, user):
    news = PostFactory(user=user, category="news")
    PostFactory(user=user, category="newsletter")
    PostFactory(user=user, category="general")

    assert ids(api.get("/api/v2/posts/", {"category": "news"})) == [news.pk]


def test_v2_filters_by_author_and_category_together(api, user, other_user):
    wanted = PostFactory(user=user, category="news")
    PostFactory(user=other_user, category="news")
    PostFactory(user=user, category="misc")

    assert ids(api.get("/api/v2/posts/", {"category": "news", "user_id": user.pk})) == [wanted.pk]


def test_v2_search_looks_in_title_and_content_case_insensitively(api, user):
    in_title = PostFactory(user=user, title="All about Django", content="x")
    in_content = PostFactory(user=user, title="Other", content="I like DJANGO a lot")
    PostFactory(user=user, title="Flask", content="nothing here")
    PostFactory(user=user, title="Hidden Django", status=Post.Status.HIDDEN)

    assert ids(api.get("/api/v2/posts/", {"search": "django"})) == newest_first([in_title, in_content])


def test_v2_search_matches_every_word(api, user):
    both = PostFactory(user=user, title="Redis cache", content="with Django")
    PostFactory(user=user, title="Redis only", content="x")

    assert ids(api.get("/api/v2/posts/", {"search": "redis django"})) == [both.pk]


@pytest.mark.parametrize(
    ("ordering", "key", "reverse"),
    [
        ("title", lambda post: (post.title, post.pk), False),
        ("-title", lambda post: (post.title, post.pk), True),
        ("created_at", lambda post: (post.created_at, post.pk), False),
        ("-created_at", lambda post: (post.created_at, post.pk), True),
        ("updated_at", lambda post: (post.updated_at, post.pk), False),
        ("-updated_at", lambda post: (post.updated_at, post.pk), True),
    ],
)
def test_v2_orders_by_the_allowed_fields(api, user, ordering, key, reverse):
    for title in ("banana", "apple", "cherry", "apple"):
        PostFactory(user=user, title=title)
    Post.objects.filter(title="cherry").update(updated_at=timezone.now() - timedelta(days=3))
    expected = [post.pk for post in sorted(Post.objects.all(), key=key, reverse=reverse)]

    assert ids(api.get("/api/v2/posts/", {"ordering": ordering})) == expected


def walk(api, url: str, params: dict) -> tuple[list[int], int]:
    """Follow `next` links to the end: every id seen, in order, and the number of pages."""
    seen, pages = [], 0
    response = api.get(url, params)
    while True:
        pages += 1
        seen += ids(response)
        next_link = response.json()["next"]
        if next_link is None:
            return seen, pages
        assert parse_qs(urlsplit(next_link).query)["cursor"]
        response = api.get(next_link)


@pytest.mark.parametrize("ordering", [None, "title", "-title", "created_at", "-updated_at"])
def test_v2_cursor_walks_every_post_once_without_gaps(api, user, ordering):
    start = timezone.now() - timedelta(days=1)
    for n in range(23):
        # Shared titles and timestamps: the cursor must not repeat or skip ties.
        PostFactory(user=user, title=f"title {n % 4}", created_at=start + timedelta(minutes=n // 3))
    params = {"page_size": 5, **({"ordering": ordering} if ordering else {})}
    expected = ids(api.get("/api/v2/posts/", {**params, "page_size": 100}))

    seen, pages = walk(api, "/api/v2/posts/", params)

    assert seen == expected
    assert sorted(seen) == sorted(Post.objects.values_list("pk", flat=True))
    assert pages == 5


def test_v2_cursor_walks_back_with_previous(api, user):
    posts_a_minute_apart(12, user=user)
    first = api.get("/api/v2/posts/", {"page_size": 5})
    second = api.get(first.json()["next"])

    back = api.get(second.json()["previous"])

    assert ids(back) == ids(first)


def test_v2_cursor_is_stable_when_a_post_is_added_between_pages(api, user):
    posts = posts_a_minute_apart(10, user=user)
    first = api.get("/api/v2/posts/", {"page_size": 5})
    PostFactory(user=user)  # newest: must not push an already-seen post onto page two

    second = api.get(first.json()["next"])

    assert ids(first) + ids(second) == newest_first(posts)
