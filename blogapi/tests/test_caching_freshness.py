"""C1 read-your-writes: after every kind of write, every affected cached variant is fresh.

"Fresh" means byte-identical to what the same request returns with the response
cache switched off, right now. Every variant is cached (a HIT) before the write.
"""

import subprocess
import sys

import pytest
from django.test import Client, override_settings

from posts import services as post_services
from posts.models import Post
from posts.tests.factories import PostFactory
from todos.tests.factories import TodoFactory

from .processes import ROOT, child_env


def prime(client, urls: list[str]) -> None:
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Cache"] == "HIT", url


def assert_fresh(client, urls: list[str]) -> None:
    for url in urls:
        cached = client.get(url)
        with override_settings(RESPONSE_CACHE_ENABLED=False):
            truth = client.get(url)
        assert (cached.status_code, cached.content) == (truth.status_code, truth.content), f"stale: {url}"


@pytest.fixture
def blog(user, other_user):
    """A few posts by two authors in two categories."""
    posts = [PostFactory(user=user, category="news", title=f"alpha {i}") for i in range(3)]
    posts += [PostFactory(user=other_user, category="misc", title=f"beta {i}") for i in range(3)]
    return posts


def post_variants(post: Post) -> list[str]:
    return [
        "/api/v1/posts/",
        "/api/v1/posts/?page=2&page_size=2",
        "/api/v1/posts/?page_size=2&page=2",
        f"/api/v1/posts/?user_id={post.user_id}",
        "/api/v2/posts/",
        "/api/v2/posts/?ordering=title",
        "/api/v2/posts/?ordering=-updated_at",
        f"/api/v2/posts/?category={post.category}",
        "/api/v2/posts/?search=alpha",
        f"/api/v2/posts/?user_id={post.user_id}&page_size=1",
        f"/api/v1/posts/{post.pk}/",
        f"/api/v2/posts/{post.pk}/",
    ]


def write_api_create(ctx):
    response = ctx["client_for"](ctx["post"].user).post(
        "/api/v1/posts/", {"title": "alpha new", "content": "x", "category": "news"}, format="json"
    )
    assert response.status_code == 201, response.content


def write_api_update(ctx):
    response = ctx["client_for"](ctx["post"].user).patch(
        f"/api/v2/posts/{ctx['post'].pk}/", {"title": "alpha renamed"}, format="json"
    )
    assert response.status_code == 200, response.content


def write_api_delete(ctx):
    response = ctx["client_for"](ctx["post"].user).delete(f"/api/v1/posts/{ctx['post'].pk}/")
    assert response.status_code == 204, response.content


def write_api_delete_all(ctx):
    response = ctx["client_for"](ctx["admin_user"]).delete("/api/v1/posts/all/")
    assert response.json() == {"deleted": 6}


def write_admin_save(ctx):
    browser = Client()
    browser.force_login(ctx["moderator"])
    post = ctx["post"]
    response = browser.post(
        f"/admin/posts/post/{post.pk}/change/",
        {"title": "alpha moderated", "content": post.content, "category": post.category, "status": "published"},
    )
    assert response.status_code == 302


def write_admin_bulk_hide(ctx):
    browser = Client()
    browser.force_login(ctx["moderator"])
    response = browser.post(
        "/admin/posts/post/", {"action": "hide_posts", "_selected_action": [ctx["post"].pk, ctx["blog"][1].pk]}
    )
    assert response.status_code == 302


def write_queryset_update_service(ctx):
    assert post_services.posts_set_status(post_ids=[ctx["post"].pk], status=Post.Status.HIDDEN) == 1


def write_orm_save_in_a_shell(ctx):
    code = f"from posts.models import Post; p = Post.objects.get(pk={ctx['post'].pk}); p.title = 'shell'; p.save()"
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=child_env(), check=True)


def write_author_renames_themselves(ctx):
    response = ctx["client_for"](ctx["post"].user).patch("/api/v1/users/me/", {"username": "alice2"}, format="json")
    assert response.json()["username"] == "alice2"


def write_admin_deletes_author(ctx):
    response = ctx["client_for"](ctx["admin_user"]).delete(f"/api/v1/users/{ctx['post'].user_id}/")
    assert response.status_code == 204, response.content


POST_WRITES = [
    write_api_create,
    write_api_update,
    write_api_delete,
    write_api_delete_all,
    write_admin_save,
    write_admin_bulk_hide,
    write_queryset_update_service,
    write_orm_save_in_a_shell,
    write_author_renames_themselves,
    write_admin_deletes_author,
]


@pytest.mark.parametrize("write", POST_WRITES, ids=lambda f: f.__name__.removeprefix("write_"))
def test_post_views_are_fresh_right_after_a_write(api, client_for, blog, moderator, admin_user, write):
    post = blog[0]
    urls = [*post_variants(post), "/api/v1/users/", f"/api/v1/users/{post.user_id}/"]
    prime(api, urls)

    write({"client_for": client_for, "post": post, "blog": blog, "moderator": moderator, "admin_user": admin_user})

    assert_fresh(api, urls)


def test_a_write_changes_what_the_cached_variants_show(api, client_for, blog):
    """Guards the freshness check itself: the write above really changes responses."""
    post = blog[0]
    prime(api, post_variants(post))
    before = api.get(f"/api/v2/posts/{post.pk}/").json()["title"]
    write_api_update({"client_for": client_for, "post": post})
    assert (before, api.get(f"/api/v2/posts/{post.pk}/").json()["title"]) == ("alpha 0", "alpha renamed")


def todo_variants(todo) -> list[str]:
    return [
        "/api/v1/todos/",
        "/api/v1/todos/?page_size=1",
        "/api/v2/todos/",
        "/api/v2/todos/?completed=true",
        "/api/v2/todos/?completed=false",
        f"/api/v1/todos/{todo.pk}/",
        f"/api/v2/todos/{todo.pk}/",
    ]


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("post", {"title": "new one"}),
        ("patch", {"completed": True}),
        ("put", {"title": "replaced", "completed": True}),
        ("delete", None),
    ],
)
def test_todo_views_are_fresh_right_after_a_write(client_for, user, method, body):
    todos = [TodoFactory(user=user) for _ in range(2)]
    client = client_for(user)
    urls = todo_variants(todos[0])
    prime(client, urls)

    url = "/api/v2/todos/" if method == "post" else f"/api/v2/todos/{todos[0].pk}/"
    assert getattr(client, method)(url, body, format="json").status_code < 300

    assert_fresh(client, urls)


def test_me_is_fresh_after_an_admin_edits_the_user_in_the_admin(client_for, user, superuser):
    client = client_for(user)
    prime(client, ["/api/v1/users/me/"])
    browser = Client()
    browser.force_login(superuser)
    form = browser.get(f"/admin/users/user/{user.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(username=user.username, email="new@example.com", role="user", date_joined_0="2026-01-01")
    data.update(date_joined_1="00:00:00", last_login_0="", last_login_1="")
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("date_joined", None)
    data.pop("last_login", None)
    assert browser.post(f"/admin/users/user/{user.pk}/change/", data).status_code == 302

    assert client.get("/api/v1/users/me/").json()["email"] == "new@example.com"
