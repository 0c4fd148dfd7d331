"""C1 whatever path a write takes. Every Django ORM write to a post, a to-do or a user, made
in a `manage.py shell` of its own (or in this process, for the admin and the API), is seen
at once by a gunicorn that kept the affected views hot, near cache on, during the write:
detail and lists, both versions, per-user views included."""

import pytest
import requests
from django.core.management import call_command
from django.test import Client

from posts.models import Post
from posts.tests.factories import PostFactory
from todos.tests.factories import TodoFactory
from users.models import User
from users.tests.factories import PASSWORD, UserFactory

from .conftest import leases_run_out, writing_as_a_server
from .processes import Gunicorn, KeptHot, OrmShell

pytestmark = pytest.mark.slow

LEASE = "0.5"  # the same in every process that writes or reads; longer than a read after a write takes
_fresh_start = leases_run_out(LEASE)


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        web = Gunicorn(RESPONSE_CACHE_LEASE=LEASE)
    yield web
    web.stop()


@pytest.fixture(scope="module")
def shell(server):
    orm = OrmShell(RESPONSE_CACHE_LEASE=LEASE)
    yield orm
    orm.stop()


def get(server, path: str, headers=None) -> requests.Response:
    return requests.get(server.url + path, headers=headers or {}, timeout=10)


def titles(server, path: str, headers=None) -> list[str]:
    return [row["title"] for row in get(server, path, headers).json()["results"]]


def bearer(server, user) -> dict[str, str]:
    tokens = requests.post(
        f"{server.url}/api/v1/users/login/", json={"username": user.username, "password": PASSWORD}, timeout=10
    )
    return {"Authorization": f"Bearer {tokens.json()['access']}"}


# --- Posts -------------------------------------------------------------------------------------

POST_LISTS = ["/api/v1/posts/", "/api/v2/posts/", "/api/v2/posts/?ordering=title", "/api/v1/posts/?user_id={author}"]

CHANGED = "changed"
POST_CHANGES = {
    "save": "p = Post.objects.get(pk={pk}); p.title = 'changed'; p.save()",
    "update": "Post.objects.filter(pk={pk}).update(title='changed')",
    "bulk_update": "p = Post.objects.get(pk={pk}); p.title = 'changed'; Post.objects.bulk_update([p], ['title'])",
    "update_or_create": "Post.objects.update_or_create(pk={pk}, defaults={{'title': 'changed'}})",
    "data_migration": (
        "historical = MigrationLoader(connection).project_state().apps\n"
        "historical.get_model('posts', 'Post').objects.filter(pk={pk}).update(title='changed')"
    ),
}
POST_REMOVALS = {
    "delete": "Post.objects.get(pk={pk}).delete()",
    "queryset_delete": "Post.objects.filter(pk={pk}).delete()",
    "hide_by_update": "Post.objects.filter(pk={pk}).update(status='hidden')",
    "data_migration_delete": (
        "historical = MigrationLoader(connection).project_state().apps\n"
        "historical.get_model('posts', 'Post').objects.filter(pk={pk}).delete()"
    ),
    "author_deleted": "User.objects.filter(pk={author}).delete()",
}
POST_ADDITIONS = {
    "bulk_create": "Post.objects.bulk_create([Post(user_id={author}, title='changed', content='c')])",
    "get_or_create": "Post.objects.get_or_create(title='changed', user_id={author}, defaults={{'content': 'c'}})",
    "create": "Post.objects.create(title='changed', user_id={author}, content='c')",
}


@pytest.fixture
def post(user):
    PostFactory(user=UserFactory(username="someone"), title="another")
    return PostFactory(user=user, title="before")


def post_paths(post) -> list[str]:
    lists = [path.format(author=post.user_id) for path in POST_LISTS]
    return [*lists, f"/api/v1/posts/{post.pk}/", f"/api/v2/posts/{post.pk}/"]


@pytest.mark.parametrize("code", POST_CHANGES.values(), ids=POST_CHANGES.keys())
def test_a_post_changed_in_a_shell_is_fresh_in_its_detail_and_every_list(server, shell, post, code):
    paths = post_paths(post)
    with KeptHot(server.url, paths):
        shell.run(code.format(pk=post.pk, author=post.user_id))

    for path in paths[:4]:
        assert CHANGED in titles(server, path) and "before" not in titles(server, path), path
    for path in paths[4:]:
        assert get(server, path).json()["title"] == CHANGED, path


@pytest.mark.parametrize("code", POST_REMOVALS.values(), ids=POST_REMOVALS.keys())
def test_a_post_removed_in_a_shell_is_gone_from_its_detail_and_every_list(server, shell, post, code):
    paths = post_paths(post)
    with KeptHot(server.url, paths):
        shell.run(code.format(pk=post.pk, author=post.user_id))

    for path in paths[:3]:
        assert titles(server, path) == ["another"], path
    for path in paths[4:]:
        assert get(server, path).status_code == 404, path


@pytest.mark.parametrize("code", POST_ADDITIONS.values(), ids=POST_ADDITIONS.keys())
def test_a_post_added_in_a_shell_is_in_every_list_at_once(server, shell, post, code):
    paths = post_paths(post)
    with KeptHot(server.url, paths):
        shell.run(code.format(pk=post.pk, author=post.user_id))

    for path in paths[:4]:
        assert CHANGED in titles(server, path), path


def test_a_moderators_bulk_hide_in_the_admin_is_seen_at_once(server, post, moderator):
    browser = Client()
    browser.force_login(moderator)
    paths = post_paths(post)
    with KeptHot(server.url, paths), writing_as_a_server(LEASE):
        hidden = browser.post("/admin/posts/post/", {"action": "hide_posts", "_selected_action": [post.pk]})

    assert hidden.status_code == 302
    assert titles(server, "/api/v1/posts/") == ["another"]
    assert get(server, f"/api/v2/posts/{post.pk}/").status_code == 404


def test_delete_all_posts_through_the_api_is_seen_at_once(server, client_for, post, admin_user):
    paths = post_paths(post)
    with KeptHot(server.url, paths), writing_as_a_server(LEASE):
        assert client_for(admin_user).delete("/api/v1/posts/all/").json() == {"deleted": 2}

    assert [titles(server, path) for path in paths[:3]] == [[], [], []]
    assert get(server, f"/api/v1/posts/{post.pk}/").status_code == 404


def test_seed_demo_is_seen_at_once(server, post):
    with KeptHot(server.url, ["/api/v1/posts/", "/api/v1/users/?page_size=100"]), writing_as_a_server(LEASE):
        call_command("seed_demo", users=3, posts=7, todos=1, stdout=None)

    assert get(server, "/api/v1/posts/").json()["count"] == Post.objects.count() == 9
    assert get(server, "/api/v1/users/?page_size=100").json()["count"] == User.objects.count()


# --- To-dos ----------------------------------------------------------------------------------

TODO_WRITES = {
    "save": "t = Todo.objects.get(pk={pk}); t.title = 'changed'; t.save()",
    "update_of_the_owner": "Todo.objects.filter(user_id={owner}).update(title='changed')",
    "bulk_update": "t = Todo.objects.get(pk={pk}); t.title = 'changed'; Todo.objects.bulk_update([t], ['title'])",
    "update_or_create": "Todo.objects.update_or_create(pk={pk}, defaults={{'title': 'changed'}})",
    "bulk_create": "Todo.objects.bulk_create([Todo(user_id={owner}, title='changed')])",
    "get_or_create": "Todo.objects.get_or_create(user_id={owner}, title='changed')",
}


@pytest.fixture
def owners(user, other_user):
    return TodoFactory(user=user, title="before"), TodoFactory(user=other_user, title="theirs")


@pytest.mark.parametrize("code", TODO_WRITES.values(), ids=TODO_WRITES.keys())
def test_a_todo_written_in_a_shell_is_fresh_for_its_owner(server, shell, owners, code):
    mine, theirs = owners
    token = bearer(server, mine.user)
    lists = ["/api/v1/todos/", "/api/v2/todos/", "/api/v2/todos/?completed=false"]
    with KeptHot(server.url, [*lists, f"/api/v1/todos/{mine.pk}/"], token):
        shell.run(code.format(pk=mine.pk, owner=mine.user_id))

    for path in lists:
        assert CHANGED in titles(server, path, token), path
    assert titles(server, "/api/v1/todos/", bearer(server, theirs.user)) == ["theirs"]


@pytest.mark.parametrize(
    "code",
    ["Todo.objects.get(pk={pk}).delete()", "Todo.objects.filter(user_id={owner}).delete()"],
    ids=["delete", "queryset_delete"],
)
def test_a_todo_deleted_in_a_shell_is_gone_for_its_owner(server, shell, owners, code):
    mine, _ = owners
    token = bearer(server, mine.user)
    paths = ["/api/v1/todos/", "/api/v2/todos/", f"/api/v1/todos/{mine.pk}/"]
    with KeptHot(server.url, paths, token):
        shell.run(code.format(pk=mine.pk, owner=mine.user_id))

    assert [titles(server, path, token) for path in paths[:2]] == [[], []]
    assert get(server, paths[2], token).status_code == 404


def test_a_todo_moved_to_another_owner_in_a_shell_leaves_one_list_and_joins_the_other(server, shell, owners):
    mine, theirs = owners
    alice, bob = bearer(server, mine.user), bearer(server, theirs.user)
    with (
        KeptHot(server.url, ["/api/v1/todos/", f"/api/v1/todos/{mine.pk}/"], alice),
        KeptHot(server.url, ["/api/v1/todos/", f"/api/v1/todos/{mine.pk}/"], bob),
    ):
        shell.run(f"Todo.objects.filter(pk={mine.pk}).update(user_id={theirs.user_id})")

    assert titles(server, "/api/v1/todos/", alice) == []
    assert get(server, f"/api/v1/todos/{mine.pk}/", alice).status_code == 404
    assert sorted(titles(server, "/api/v1/todos/", bob)) == ["before", "theirs"]
    assert get(server, f"/api/v1/todos/{mine.pk}/", bob).json()["title"] == "before"


# --- Users -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "User.objects.filter(pk={pk}).update(username='renamed')",
        "u = User.objects.get(pk={pk}); u.username = 'renamed'; u.save()",
        "User.objects.bulk_update([User(pk={pk}, username='renamed')], ['username'])",
    ],
    ids=["update", "save", "bulk_update"],
)
def test_a_user_renamed_in_a_shell_is_renamed_everywhere_at_once(server, shell, user, code):
    post = PostFactory(user=user, title="by alice")
    token = bearer(server, user)
    public = ["/api/v1/users/", f"/api/v1/users/{user.pk}/", "/api/v2/posts/", f"/api/v2/posts/{post.pk}/"]
    with KeptHot(server.url, public), KeptHot(server.url, ["/api/v1/users/me/"], token):
        shell.run(code.format(pk=user.pk))

    assert [row["username"] for row in get(server, "/api/v1/users/").json()["results"]] == ["renamed"]
    assert get(server, f"/api/v1/users/{user.pk}/").json()["username"] == "renamed"
    assert get(server, "/api/v2/posts/").json()["results"][0]["author"]["username"] == "renamed"
    assert get(server, f"/api/v2/posts/{post.pk}/").json()["author"]["username"] == "renamed"
    assert get(server, "/api/v1/users/me/", token).json()["username"] == "renamed"


@pytest.mark.parametrize(
    "code",
    [
        "User.objects.filter(pk={pk}).update(is_active=False)",
        "u = User.objects.get(pk={pk}); u.is_active = False; u.save()",
        "User.objects.filter(pk={pk}).delete()",
        "User.objects.get(pk={pk}).delete()",
    ],
    ids=["deactivated_by_update", "deactivated_by_save", "deleted_by_queryset", "deleted"],
)
def test_a_user_deactivated_or_deleted_in_a_shell_is_refused_at_once(server, shell, user, code):
    TodoFactory(user=user)
    token = bearer(server, user)
    per_user = ["/api/v1/users/me/", "/api/v1/todos/", "/api/v2/todos/"]
    with KeptHot(server.url, per_user, token):
        shell.run(code.format(pk=user.pk))

    assert [get(server, path, token).status_code for path in per_user] == [401, 401, 401]


def test_a_role_changed_in_a_shell_is_seen_at_once(server, shell, user):
    token = bearer(server, user)
    with KeptHot(server.url, ["/api/v1/users/me/", f"/api/v1/users/{user.pk}/"], token):
        shell.run(f"User.objects.filter(pk={user.pk}).update(role='admin')")

    assert get(server, "/api/v1/users/me/", token).json()["role"] == "admin"
    assert get(server, f"/api/v1/users/{user.pk}/").json()["role"] == "admin"
