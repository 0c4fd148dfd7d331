"""A moderator at /admin/ like a person: logs in with the form, finds a post by search,
hides it with the bulk action; the API answers 404 for it at once, cached or not."""

import requests

from posts.tests.factories import PostFactory
from users.tests.factories import PASSWORD

from .conftest import left_localhost


def api_get(web, path: str) -> requests.Response:
    return requests.get(web.url + path, timeout=10)


def test_moderator_hides_a_post_found_by_search(web, page, screens, moderator, user, other_user):
    spam = PostFactory(user=user, title="Cheap watches, click here")
    kept = PostFactory(user=other_user, title="Gardening in the shade")
    # Cached before the moderator acts: the detail in both versions, and the list.
    for path in (f"/api/v1/posts/{spam.pk}/", f"/api/v2/posts/{spam.pk}/", "/api/v1/posts/"):
        assert [api_get(web, path).headers["X-Cache"] for _ in range(2)] == ["MISS", "HIT"]

    page.goto(f"{web.url}/admin/")
    page.locator("#id_username").wait_for()
    assert page.url == f"{web.url}/admin/login/?next=/admin/"
    screens.take("login")
    page.fill("#id_username", moderator.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.locator("#site-name").wait_for()
    assert page.url == f"{web.url}/admin/"
    screens.take("admin-index")

    page.click("a[href='/admin/posts/post/']")
    page.fill("#searchbar", "cheap watches")
    page.press("#searchbar", "Enter")
    rows = page.locator("#result_list tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    assert "Cheap watches, click here" in rows.first.inner_text()
    screens.take("search")

    rows.first.locator("input.action-select").check()
    page.select_option("select[name=action]", "hide_posts")
    page.click("button[name=index]")
    page.locator(".messagelist .success").wait_for()
    assert page.locator(".messagelist .success").inner_text() == "1 post(s) hidden."
    assert "Hidden" in rows.first.inner_text()
    screens.take("hidden")

    for version in ("v1", "v2"):
        gone = api_get(web, f"/api/{version}/posts/{spam.pk}/")
        assert gone.status_code == 404
        assert gone.json()["error"] == "Not Found"
    listed = api_get(web, "/api/v1/posts/")
    assert listed.headers["X-Cache"] == "MISS"
    assert [post["id"] for post in listed.json()["results"]] == [kept.pk]
    assert api_get(web, f"/api/v1/posts/{kept.pk}/").status_code == 200
    assert left_localhost(page.requests) == []
