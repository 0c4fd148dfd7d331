"""`manage.py seed_demo`: requested sizes, idempotent top-ups, working demo logins, fresh caches."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from blogapi import demo_data
from posts.models import Post
from posts.tests.factories import PostFactory
from todos.models import Todo
from users.models import User
from users.tests.factories import UserFactory

LOGIN = "/api/v1/users/login/"
# (printed as, username, API role)
EXPECTED_LOGINS = [("user", "demo", "user"), ("moderator", "demo_moderator", "user"), ("admin", "demo_admin", "admin")]


def seed(**sizes) -> str:
    out = StringIO()
    call_command("seed_demo", **sizes, stdout=out, stderr=StringIO())
    return out.getvalue()


def demo_counts() -> dict[str, int]:
    return {
        "bulk users": User.objects.filter(username__startswith="demo_user_").count(),
        "users": User.objects.count(),
        "posts": Post.objects.count(),
        "todos": Todo.objects.count(),
    }


def test_seed_demo_creates_the_requested_sizes():
    seed(users=4, posts=30, todos=2)

    # 4 bulk users + demo, demo_moderator, demo_admin; to-dos for the bulk users and `demo`.
    assert demo_counts() == {"bulk users": 4, "users": 7, "posts": 30, "todos": 10}
    assert sorted(User.objects.filter(username__startswith="demo_user_").values_list("username", flat=True)) == [
        "demo_user_00001",
        "demo_user_00002",
        "demo_user_00003",
        "demo_user_00004",
    ]
    assert set(Todo.objects.values_list("user__username", flat=True)) == {
        "demo",
        "demo_user_00001",
        "demo_user_00002",
        "demo_user_00003",
        "demo_user_00004",
    }


def test_seed_demo_twice_leaves_the_same_counts():
    first = seed(users=3, posts=12, todos=2)
    counts = demo_counts()

    second = seed(users=3, posts=12, todos=2)

    assert demo_counts() == counts
    assert re.search(r"^posts\s+12 demo rows \(12 created\)$", first, re.MULTILINE), first
    assert re.search(r"^posts\s+12 demo rows \(0 created\)$", second, re.MULTILINE), second
    assert User.objects.filter(username="demo").count() == 1


def test_seed_demo_tops_up_to_larger_sizes():
    seed(users=2, posts=5, todos=1)

    seed(users=3, posts=9, todos=2)

    assert demo_counts() == {"bulk users": 3, "users": 6, "posts": 9, "todos": 8}
    assert Todo.objects.filter(user__username="demo_user_00001").count() == 2


def test_seeded_posts_have_distinct_times_varied_categories_and_owe_no_email():
    seed(users=3, posts=60, todos=0)

    posts = Post.objects.all()
    assert posts.values("created_at").distinct().count() == 60
    assert posts.values("category").distinct().count() >= 5
    assert posts.filter(status=Post.Status.HIDDEN).count() == 60 // demo_data.HIDDEN_EVERY
    assert posts.filter(notified_at__isnull=True).count() == 0
    assert set(posts.values_list("user__username", flat=True)) == {"demo", *demo_data._bulk_user_names(3)}


def test_seed_demo_without_copy_inserts_the_same_rows(monkeypatch):
    monkeypatch.setattr(demo_data, "copy_supported", lambda: False)  # the SQLite path: bulk_create

    seed(users=3, posts=20, todos=2)
    seed(users=3, posts=20, todos=2)

    assert demo_counts() == {"bulk users": 3, "users": 6, "posts": 20, "todos": 8}
    assert Post.objects.values("created_at").distinct().count() == 20


def test_seed_demo_prints_three_working_logins(api):
    output = seed(users=1, posts=1, todos=1)

    for kind, username, role in EXPECTED_LOGINS:
        assert f"{kind:<10} username {username:<15} password {demo_data.DEMO_PASSWORD}" in output
        response = api.post(LOGIN, {"username": username, "password": demo_data.DEMO_PASSWORD}, format="json")
        assert response.status_code == 200, username
        assert set(response.json()) == {"access", "refresh"}
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
        me = api.get("/api/v1/users/me/")
        assert me.json()["username"] == username
        assert me.json()["role"] == role
        api.credentials()


def test_bulk_demo_users_log_in_with_the_demo_password(api):
    seed(users=2, posts=0, todos=0)

    response = api.post(LOGIN, {"username": "demo_user_00002", "password": demo_data.DEMO_PASSWORD}, format="json")

    assert response.status_code == 200
    assert User.objects.get(username="demo_user_00002").password == User.objects.get(username="demo").password


def test_seed_demo_creates_the_moderators_group_when_missing():
    assert not Group.objects.filter(name="Moderators").exists()  # transactional tests truncate it

    seed(users=0, posts=0, todos=0)

    moderator = User.objects.get(username="demo_moderator")
    assert moderator.is_staff and not moderator.is_superuser
    assert list(moderator.groups.values_list("name", flat=True)) == ["Moderators"]
    assert sorted(Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)) == [
        "change_post",
        "delete_post",
        "view_post",
    ]
    admin = User.objects.get(username="demo_admin")
    assert admin.is_superuser and admin.is_staff and admin.role == User.Role.ADMIN
    demo = User.objects.get(username="demo")
    assert not demo.is_staff and not demo.is_superuser and demo.role == User.Role.USER


def test_seed_demo_reuses_the_existing_moderators_group(moderators_group):
    seed(users=0, posts=0, todos=0)

    assert Group.objects.filter(name="Moderators").count() == 1
    assert User.objects.get(username="demo_moderator").groups.get() == moderators_group


def test_seed_demo_restores_a_changed_demo_login(api):
    seed(users=0, posts=0, todos=0)
    demo = User.objects.get(username="demo")
    demo.set_password("something-else-entirely")
    demo.is_active = False
    demo.save()

    seed(users=0, posts=0, todos=0)

    response = api.post(LOGIN, {"username": "demo", "password": demo_data.DEMO_PASSWORD}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/posts/", "/api/v2/posts/"])
def test_post_list_cached_before_seeding_is_fresh_after(api, path):
    PostFactory(user=UserFactory(username="carol"), title="Before the seed")
    assert api.get(path)["X-Cache"] == "MISS"
    before = api.get(path)
    assert before["X-Cache"] == "HIT"
    assert [post["title"] for post in before.json()["results"]] == ["Before the seed"]

    seed(users=2, posts=10, todos=0)

    after = api.get(path)
    assert after["X-Cache"] == "MISS"
    published = Post.objects.filter(status=Post.Status.PUBLISHED).count()
    assert len(after.json()["results"]) == published == 11
    if "count" in after.json():
        assert after.json()["count"] == 11


def test_user_list_cached_before_seeding_is_fresh_after(api):
    UserFactory(username="carol")
    assert api.get("/api/v1/users/").json()["count"] == 1
    assert api.get("/api/v1/users/")["X-Cache"] == "HIT"

    seed(users=2, posts=0, todos=0)

    after = api.get("/api/v1/users/")
    assert after["X-Cache"] == "MISS"
    assert after.json()["count"] == 6  # carol, demo_user_00001-2, demo, demo_moderator, demo_admin


@pytest.mark.parametrize("path", ["/api/v1/todos/", "/api/v2/todos/"])
def test_demo_users_todo_list_cached_before_seeding_is_fresh_after(client_for, path):
    seed(users=1, posts=0, todos=1)
    client = client_for(User.objects.get(username="demo_user_00001"))
    assert len(client.get(path).json()["results"]) == 1
    assert client.get(path)["X-Cache"] == "HIT"

    seed(users=1, posts=0, todos=3)

    after = client.get(path)
    assert after["X-Cache"] == "MISS"
    assert len(after.json()["results"]) == 3


def test_seed_demo_reports_progress_on_a_pipe():
    err = StringIO()
    call_command("seed_demo", users=1, posts=20, todos=0, stdout=StringIO(), stderr=err)

    assert "posts: 20/20" in err.getvalue()
