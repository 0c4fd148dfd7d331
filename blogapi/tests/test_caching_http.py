"""HTTP semantics of cached responses: ETag and 304, Cache-Control, Vary (C7)."""

from posts.tests.factories import PostFactory


def test_matching_if_none_match_gets_304_without_a_body(api):
    PostFactory()
    etag = api.get("/api/v1/posts/")["ETag"]

    revalidated = api.get("/api/v1/posts/", HTTP_IF_NONE_MATCH=etag)

    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated["ETag"] == etag
    assert revalidated["X-Cache"] == "HIT"


def test_old_etag_after_a_write_gets_200_with_the_new_body(api, user):
    post = PostFactory(user=user, title="before")
    etag = api.get(f"/api/v2/posts/{post.pk}/")["ETag"]

    api.authenticate_as(user).patch(f"/api/v2/posts/{post.pk}/", {"title": "after"}, format="json")
    response = api.get(f"/api/v2/posts/{post.pk}/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["title"] == "after"
    assert response["ETag"] != etag


def test_public_responses_must_be_revalidated_and_vary_on_accept(api):
    PostFactory()
    for response in (api.get("/api/v1/posts/"), api.get("/api/v1/posts/")):
        assert response["Cache-Control"] == "no-cache"
        assert "max-age" not in response["Cache-Control"]
        assert "Accept" in response["Vary"]


def test_per_user_responses_are_private_and_vary_on_authorization(client_for, user):
    client = client_for(user)
    for response in (client.get("/api/v1/todos/"), client.get("/api/v1/todos/")):
        assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}
        assert {"Accept", "Authorization"} <= set(response["Vary"].split(", "))
