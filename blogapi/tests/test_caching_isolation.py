"""C2 no leaks between users or formats, and C3 precision: a write drops only what depends on it."""

from django.test import Client
from django.utils import timezone

from conftest import CheckedAPIClient
from posts.models import Post
from posts.tests.factories import PostFactory
from todos.models import Todo
from todos.tests.factories import TodoFactory
from users.tests.factories import PASSWORD


def test_me_never_serves_one_user_to_another_or_to_anonymous(client_for, user, other_user):
    alice, bob, anonymous = client_for(user), client_for(other_user), client_for(None)
    for _ in range(2):  # second round: everything is cached
        assert alice.get("/api/v1/users/me/").json()["username"] == "alice"
        assert bob.get("/api/v1/users/me/").json()["username"] == "bob"
        assert anonymous.get("/api/v1/users/me/").status_code == 401


def test_todo_lists_and_details_stay_with_their_owner(client_for, user, other_user):
    mine, theirs = TodoFactory(user=user, title="mine"), TodoFactory(user=other_user, title="theirs")
    alice, bob, anonymous = client_for(user), client_for(other_user), client_for(None)
    for _ in range(2):
        for version in ("v1", "v2"):
            assert [t["title"] for t in alice.get(f"/api/{version}/todos/").json()["results"]] == ["mine"]
            assert [t["title"] for t in bob.get(f"/api/{version}/todos/").json()["results"]] == ["theirs"]
            assert anonymous.get(f"/api/{version}/todos/").status_code == 401
            assert bob.get(f"/api/{version}/todos/{mine.pk}/").status_code == 404
            assert alice.get(f"/api/{version}/todos/{theirs.pk}/").status_code == 404


def test_a_deactivated_user_is_refused_at_once_on_a_cached_view(client_for, user):
    alice = client_for(user)
    alice.get("/api/v1/users/me/")
    assert alice.get("/api/v1/users/me/")["X-Cache"] == "HIT"
    user.is_active = False
    user.save()
    assert alice.get("/api/v1/users/me/").status_code == 401
    assert alice.get("/api/v1/todos/").status_code == 401


def test_html_and_json_of_one_url_never_mix(api):
    PostFactory()
    html = api.get("/api/v1/posts/", HTTP_ACCEPT="text/html")
    json_after_html = api.get("/api/v1/posts/", HTTP_ACCEPT="application/json")
    json_again = api.get("/api/v1/posts/", HTTP_ACCEPT="application/json")
    html_after_json = api.get("/api/v1/posts/", HTTP_ACCEPT="text/html")

    assert html["Content-Type"].startswith("text/html")
    assert json_after_html["Content-Type"] == json_again["Content-Type"] == "application/json"
    assert json_again["X-Cache"] == "HIT"
    assert html_after_json["Content-Type"].startswith("text/html")
    assert api.get("/api/v1/posts/?format=json")["Content-Type"] == "application/json"


def test_editing_one_post_keeps_another_posts_detail_cached(client_for, user):
    edited, untouched = PostFactory(user=user), PostFactory(user=user)
    reader = client_for(None)
    for post in (edited, untouched):
        reader.get(f"/api/v2/posts/{post.pk}/")

    client_for(user).patch(f"/api/v2/posts/{edited.pk}/", {"title": "edited"}, format="json")

    assert reader.get(f"/api/v2/posts/{untouched.pk}/")["X-Cache"] == "HIT"
    assert reader.get(f"/api/v2/posts/{edited.pk}/")["X-Cache"] == "MISS"


def test_one_users_todo_change_keeps_another_users_todo_list_cached(client_for, user, other_user):
    TodoFactory(user=other_user)
    alice, bob = client_for(user), client_for(other_user)
    alice.get("/api/v1/todos/")
    bob.get("/api/v1/todos/")

    alice.post("/api/v1/todos/", {"title": "new"}, format="json")

    assert bob.get("/api/v1/todos/")["X-Cache"] == "HIT"
    assert alice.get("/api/v1/todos/")["X-Cache"] == "MISS"


def test_registering_a_user_keeps_post_views_cached(api):
    post = PostFactory()
    api.get("/api/v2/posts/")
    api.get(f"/api/v2/posts/{post.pk}/")

    api.post("/api/v1/users/", {"username": "newcomer", "password": "S3cure-pass-1"}, format="json")

    assert api.get("/api/v2/posts/")["X-Cache"] == "HIT"
    assert api.get(f"/api/v2/posts/{post.pk}/")["X-Cache"] == "HIT"
    assert api.get("/api/v1/users/")["X-Cache"] == "MISS"


def test_a_bulk_update_drops_the_rows_it_touched_and_nothing_else(api, user, other_user):
    mine, theirs = PostFactory(user=user), PostFactory(user=other_user)
    alice_todo = TodoFactory(user=user)
    TodoFactory(user=other_user)
    urls = [f"/api/v1/posts/{mine.pk}/", f"/api/v1/posts/{theirs.pk}/"]
    for url in urls:
        api.get(url)
    bob = CheckedAPIClient().authenticate_as(other_user)
    bob.get("/api/v1/todos/")

    Post.objects.filter(pk=mine.pk).update(title="bulk edit")
    Todo.objects.filter(pk=alice_todo.pk).update(title="bulk edit")

    assert [api.get(url)["X-Cache"] for url in urls] == ["MISS", "HIT"]
    assert bob.get("/api/v1/todos/")["X-Cache"] == "HIT"


def test_bookkeeping_no_response_shows_drops_nothing(api, user, superuser):
    post = PostFactory(user=user)
    urls = ["/api/v1/posts/", f"/api/v1/posts/{post.pk}/", "/api/v1/users/", f"/api/v1/users/{user.pk}/"]
    for url in urls:
        api.get(url)

    Post.objects.filter(pk=post.pk).update(notified_at=timezone.now())  # the notification e-mail went out
    browser = Client()
    assert browser.login(username=superuser.username, password=PASSWORD)  # an admin login sets last_login

    assert [api.get(url)["X-Cache"] for url in urls] == ["HIT"] * 4
