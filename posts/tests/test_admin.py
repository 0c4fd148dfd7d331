"""The moderators' desk in the Django admin, and what the API shows after it."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from posts.models import Post
from posts.tests.factories import PostFactory
from users.tests.factories import UserFactory

CHANGELIST = "/admin/posts/post/"


@pytest.fixture
def desk(moderator) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


def listed_titles(response) -> list[str]:
    return [str(post.title) for post in response.context["cl"].result_list]


def bulk(desk: Client, action: str, posts: list[Post]):
    return desk.post(CHANGELIST, {"action": action, "_selected_action": [post.pk for post in posts]})


def test_moderator_opens_the_changelist_with_hidden_posts_too(desk, user):
    PostFactory(user=user, title="shown")
    PostFactory(user=user, title="hidden one", status=Post.Status.HIDDEN)

    response = desk.get(CHANGELIST)

    assert response.status_code == 200
    assert sorted(listed_titles(response)) == ["hidden one", "shown"]


def test_moderator_searches_title_content_and_author(desk, user, other_user):
    PostFactory(user=user, title="Redis tips", content="x")
    PostFactory(user=user, title="Other", content="all about redis")
    PostFactory(user=other_user, title="By bob", content="y")

    by_text = desk.get(CHANGELIST, {"q": "redis"})
    by_author = desk.get(CHANGELIST, {"q": "bob"})

    assert sorted(listed_titles(by_text)) == ["Other", "Redis tips"]
    assert listed_titles(by_author) == ["By bob"]


def test_moderator_filters_by_status(desk, user):
    PostFactory(user=user, title="visible")
    PostFactory(user=user, title="hidden one", status=Post.Status.HIDDEN)

    hidden = desk.get(CHANGELIST, {"status__exact": "hidden"})
    published = desk.get(CHANGELIST, {"status__exact": "published"})

    assert listed_titles(hidden) == ["hidden one"]
    assert listed_titles(published) == ["visible"]


def test_moderator_edits_a_post_and_the_api_shows_it(desk, api, user):
    post = PostFactory(user=user, title="Before", content="c", category="general")
    assert api.get(f"/api/v1/posts/{post.pk}/").json()["title"] == "Before"  # cached now

    form = desk.get(f"{CHANGELIST}{post.pk}/change/")
    saved = desk.post(
        f"{CHANGELIST}{post.pk}/change/",
        {"title": "After", "content": "c", "category": "general", "status": "published"},
    )

    assert form.status_code == 200
    assert saved.status_code == 302
    post.refresh_from_db()
    assert (post.title, post.user_id) == ("After", user.pk)
    assert api.get(f"/api/v1/posts/{post.pk}/").json()["title"] == "After"


def test_moderator_hides_a_post_one_by_one_from_its_form(desk, api, user):
    post = PostFactory(user=user, title="T", content="c")
    api.get(f"/api/v2/posts/{post.pk}/")

    saved = desk.post(
        f"{CHANGELIST}{post.pk}/change/", {"title": "T", "content": "c", "category": "general", "status": "hidden"}
    )

    assert saved.status_code == 302
    assert api.get(f"/api/v2/posts/{post.pk}/").status_code == 404


def test_bulk_hide_removes_posts_from_cached_api_lists_and_details(desk, api, user):
    hidden_soon, kept = PostFactory(user=user), PostFactory(user=user)
    urls = [f"/api/{version}/posts/" for version in ("v1", "v2")]
    urls += [f"/api/{version}/posts/{hidden_soon.pk}/" for version in ("v1", "v2")]
    for url in urls:  # cache every view: the second read is a HIT
        api.get(url)
        assert api.get(url)["X-Cache"] == "HIT"

    response = bulk(desk, "hide_posts", [hidden_soon])

    assert response.status_code == 302
    hidden_soon.refresh_from_db()
    assert hidden_soon.status == Post.Status.HIDDEN
    for version in ("v1", "v2"):
        assert api.get(f"/api/{version}/posts/{hidden_soon.pk}/").status_code == 404
        assert [post["id"] for post in api.get(f"/api/{version}/posts/").json()["results"]] == [kept.pk]


def test_bulk_publish_brings_posts_back_to_cached_api_lists(desk, api, user):
    posts = PostFactory.create_batch(2, user=user, status=Post.Status.HIDDEN)
    assert api.get("/api/v1/posts/").json()["count"] == 0
    assert api.get(f"/api/v1/posts/{posts[0].pk}/").status_code == 404

    response = bulk(desk, "publish_posts", posts)

    assert response.status_code == 302
    assert set(Post.objects.values_list("status", flat=True)) == {"published"}
    assert api.get("/api/v1/posts/").json()["count"] == 2
    assert api.get(f"/api/v1/posts/{posts[0].pk}/").status_code == 200


def test_bulk_action_reports_how_many_posts_changed(desk, user):
    posts = PostFactory.create_batch(3, user=user)

    response = desk.post(
        CHANGELIST, {"action": "hide_posts", "_selected_action": [post.pk for post in posts]}, follow=True
    )

    assert [str(message) for message in response.context["messages"]] == ["3 post(s) hidden."]


def test_moderator_deletes_a_post_and_the_api_forgets_it(desk, api, user):
    post = PostFactory(user=user)
    api.get(f"/api/v1/posts/{post.pk}/")
    api.get("/api/v1/posts/")

    confirm = desk.get(f"{CHANGELIST}{post.pk}/delete/")
    deleted = desk.post(f"{CHANGELIST}{post.pk}/delete/", {"post": "yes"})

    assert confirm.status_code == 200
    assert deleted.status_code == 302
    assert not Post.objects.exists()
    assert api.get(f"/api/v1/posts/{post.pk}/").status_code == 404
    assert api.get("/api/v1/posts/").json()["count"] == 0


def test_moderator_cannot_add_posts(desk, user):
    assert desk.get(f"{CHANGELIST}add/").status_code == 403
    assert desk.post(f"{CHANGELIST}add/", {"title": "t", "content": "c", "user": user.pk}).status_code == 403
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/users/user/",
        "/admin/users/user/add/",
        "/admin/auth/group/",
        "/admin/auth/group/add/",
        "/admin/todos/todo/",
    ],
)
def test_moderator_cannot_see_users_groups_or_todos(desk, url):
    assert desk.get(url).status_code == 403


def test_moderator_cannot_open_a_users_change_form(desk, user):
    assert desk.get(f"/admin/users/user/{user.pk}/change/").status_code == 403


def test_a_user_who_is_not_staff_is_sent_to_the_login_page(user):
    client = Client()
    client.force_login(user)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_changelist_queries_do_not_grow_with_the_number_of_posts(desk):
    def changelist_queries(posts: int) -> int:
        Post.objects.all().delete()
        authors = UserFactory.create_batch(5)
        Post.objects.bulk_create(Post(user=authors[n % 5], title=f"t{n}", content="c") for n in range(posts))
        with CaptureQueriesContext(connection) as queries:
            response = desk.get(CHANGELIST)
        assert len(response.context["cl"].result_list) == posts
        return len(queries)

    few, many = changelist_queries(5), changelist_queries(50)

    # Session, user, permissions, the page with authors joined (list_select_related), the
    # category filter's choices: the same for 5 posts as for 50.
    assert few == many
