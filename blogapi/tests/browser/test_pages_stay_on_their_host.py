"""Every page a person opens (Swagger UI, the admin, the browsable API) loads from the
server that served it and from nowhere else, under a host name that is not loopback:
Swagger UI's online validator, for one, only calls out when the page is not on localhost.

Requests to any other origin are recorded, then aborted: a regression fails the test
without telling a third party anything."""

import pytest
import requests

from posts.tests.factories import PostFactory
from users.tests.factories import PASSWORD

from .conftest import left_origin, named_url

OPENAPI_JSON = "application/vnd.oai.openapi+json"


@pytest.fixture
def origin(web, page) -> str:
    origin = named_url(web)
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(origin + "/") else route.abort())
    return origin


def operation_count(web, version: str) -> int:
    schema = requests.get(f"{web.url}/api/schema/{version}/", headers={"Accept": OPENAPI_JSON}, timeout=10).json()
    return sum(len(operations) for operations in schema["paths"].values())


def test_swagger_ui_under_a_host_name_calls_no_other_host(web, page, screens, origin):
    page.goto(f"{origin}/api/docs/")
    blocks = page.locator(".opblock")
    blocks.first.wait_for()
    page.wait_for_load_state("networkidle")
    screens.take("v2", focus=page.locator(".topbar"))
    assert blocks.count() == operation_count(web, "v2")

    page.locator(".topbar select").select_option(label="v1")
    page.locator(".opblock-summary-path", has_text="/api/v1/todos/").first.wait_for()
    page.wait_for_load_state("networkidle")
    screens.take("v1", focus=page.locator(".topbar"))
    assert blocks.count() == operation_count(web, "v1")

    assert f"{origin}/api/schema/v1/" in page.requests
    assert left_origin(page.requests, origin) == []


def test_admin_under_a_host_name_calls_no_other_host(page, screens, origin, moderator, user):
    post = PostFactory(user=user, title="Gardening in the shade")

    page.goto(f"{origin}/admin/")
    page.locator("#id_username").wait_for()
    screens.take("login")
    page.fill("#id_username", moderator.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.locator("#site-name").wait_for()
    assert page.url == f"{origin}/admin/"

    page.goto(f"{origin}/admin/posts/post/")
    assert "Gardening in the shade" in page.locator("#result_list").inner_text()
    page.goto(f"{origin}/admin/posts/post/{post.pk}/change/")
    assert page.locator("#id_title").input_value() == "Gardening in the shade"
    page.wait_for_load_state("networkidle")
    screens.take("change-post")

    assert any(url.endswith(".js") for url in page.requests)  # the admin's scripts were loaded
    assert left_origin(page.requests, origin) == []


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_browsable_api_under_a_host_name_calls_no_other_host(page, screens, origin, user, version):
    PostFactory(user=user, title="Gardening in the shade")

    page.goto(f"{origin}/api/{version}/posts/")  # a browser asks for text/html: the browsable API
    page.locator(".response-info").wait_for()
    page.wait_for_load_state("networkidle")
    screens.take("posts")

    assert "Gardening in the shade" in page.locator(".response-info").inner_text()
    assert any(url.endswith(".css") for url in page.requests)  # its stylesheets were loaded
    assert left_origin(page.requests, origin) == []
