"""Posts look exactly as the API promises: v1 keeps the tutorial's shape, v2 the richer one."""

from posts.models import Post
from posts.tests.factories import PostFactory


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def v1_shape(post: Post) -> dict:
    return {
        "id": post.pk,
        "title": post.title,
        "content": post.content,
        "category": post.category,
        "created_at": iso(post.created_at),
        "user_id": post.user_id,
    }


def v2_shape(post: Post) -> dict:
    return {
        "id": post.pk,
        "title": post.title,
        "content": post.content,
        "category": post.category,
        "status": "published",
        "author": {"id": post.user.pk, "username": post.user.username},
        "created_at": iso(post.created_at),
        "updated_at": iso(post.updated_at),
    }


def test_v1_detail_is_the_tutorial_shape(api, user):
    post = PostFactory(user=user, category="travel")

    response = api.get(f"/api/v1/posts/{post.pk}/")

    assert response.status_code == 200
    assert response.json() == v1_shape(post)


def test_v2_detail_adds_status_author_and_updated_at(api, user):
    post = PostFactory(user=user, category="travel")

    response = api.get(f"/api/v2/posts/{post.pk}/")

    assert response.status_code == 200
    assert response.json() == v2_shape(post)


def test_v1_list_is_numbered_pages_of_v1_posts(api, user):
    older, newer = PostFactory(user=user), PostFactory(user=user)

    response = api.get("/api/v1/posts/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [v1_shape(newer), v1_shape(older)],
    }


def test_v2_list_is_cursor_pages_of_v2_posts(api, user):
    older, newer = PostFactory(user=user), PostFactory(user=user)

    response = api.get("/api/v2/posts/")

    assert response.status_code == 200
    assert response.json() == {"next": None, "previous": None, "results": [v2_shape(newer), v2_shape(older)]}


def test_v1_create_answers_201_with_the_v1_shape_and_default_category(client_for, user):
    response = client_for(user).post("/api/v1/posts/", {"title": "Hello", "content": "World"}, format="json")

    assert response.status_code == 201
    post = Post.objects.get()
    assert response.json() == v1_shape(post)
    assert (post.title, post.content, post.category, post.user_id) == ("Hello", "World", "general", user.pk)


def test_v2_create_answers_201_with_the_v2_shape(client_for, user):
    body = {"title": "Hello", "content": "World", "category": "news"}

    response = client_for(user).post("/api/v2/posts/", body, format="json")

    assert response.status_code == 201
    post = Post.objects.select_related("user").get()
    assert response.json() == v2_shape(post)
    assert post.category == "news"


def test_v2_update_answers_the_v2_shape_with_a_later_updated_at(client_for, user):
    post = PostFactory(user=user)

    response = client_for(user).patch(f"/api/v2/posts/{post.pk}/", {"title": "Edited"}, format="json")

    assert response.status_code == 200
    post.refresh_from_db()
    assert post.title == "Edited"
    assert response.json() == v2_shape(post)
    assert post.updated_at > post.created_at
