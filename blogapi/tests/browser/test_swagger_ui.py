"""Swagger UI at /api/docs/ used like a person: it loads from this server alone, offers
both API versions, logs in, authorizes with the token, and lists the user's own to-dos."""

import json
from urllib.parse import urlsplit

from todos.tests.factories import TodoFactory
from users.tests.factories import PASSWORD

from .conftest import left_localhost


def open_docs(web, page) -> None:
    page.goto(f"{web.url}/api/docs/")
    missing = page.get_by_text("No API definition provided.")
    page.locator(".opblock").first.or_(missing).wait_for()
    assert not missing.is_visible(), "Swagger UI loaded no schema (the `urls` setting needs the standalone layout)"


def operation(page, operation_id: str):
    return page.locator(f"[id$='-{operation_id}']")


def try_it_out(page, operation_id: str):
    block = operation(page, operation_id)
    block.locator(".opblock-summary").first.click()
    block.locator("button.try-out__btn").click()
    return block


def test_swagger_ui_loads_with_no_request_leaving_localhost(web, page, screens):
    open_docs(web, page)
    screens.take("swagger-ui", focus=page.locator(".topbar"))

    assert page.title() == "Blog API"
    paths = {urlsplit(url).path for url in page.requests}
    assert {"/api/docs/", "/api/schema/v2/"} <= paths
    assert any(path.endswith("/swagger-ui-bundle.js") for path in paths)
    assert left_localhost(page.requests) == []


def test_swagger_ui_offers_both_versions(web, page, screens):
    open_docs(web, page)
    selector = page.locator(".topbar select")

    assert selector.locator("option").all_inner_texts() == ["v2", "v1"]
    assert page.locator("[id$='-todos_list'] .opblock-summary-path").inner_text() == "/api/v2/todos/"
    screens.take("v2", focus=page.locator(".topbar"))

    selector.select_option(label="v1")
    v1_path = page.locator("[id$='-todos_list'] .opblock-summary-path", has_text="/api/v1/todos/")
    v1_path.wait_for()
    screens.take("v1", focus=page.locator(".topbar"))

    assert page.locator(".info .title").inner_text().startswith("Blog API")
    assert "/api/schema/v1/" in {urlsplit(url).path for url in page.requests}
    assert left_localhost(page.requests) == []


def test_authorize_with_a_login_token_then_list_own_todos(web, page, screens, user, other_user):
    own = {TodoFactory(user=user, title="Buy milk").title, TodoFactory(user=user, title="Call the plumber").title}
    TodoFactory(user=other_user, title="Bob's secret plan")
    open_docs(web, page)
    page.locator(".topbar select").select_option(label="v1")
    operation(page, "users_login_create").wait_for()

    # Log in through the UI: the login endpoint's "Try it out".
    login = try_it_out(page, "users_login_create")
    login.locator("textarea.body-param__text").fill(json.dumps({"username": user.username, "password": PASSWORD}))
    with page.expect_response(lambda response: urlsplit(response.url).path == "/api/v1/users/login/") as answer:
        login.locator("button.execute").click()
    assert answer.value.status == 200
    token = answer.value.json()["access"]
    login.locator(".live-responses-table .response-col_status", has_text="200").wait_for()
    screens.take("login", focus=login.locator(".live-responses-table"))

    # Authorize: paste the access token into the bearer scheme.
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".modal-ux")
    dialog.locator("input").fill(token)
    dialog.locator(".auth-btn-wrapper button.authorize").click()
    dialog.locator(".auth-btn-wrapper button.btn-done").wait_for()
    screens.take("authorized", focus=dialog)
    dialog.locator(".auth-btn-wrapper button.btn-done").click()

    todos = try_it_out(page, "todos_list")
    with page.expect_response(
        lambda response: urlsplit(response.url).path == "/api/v1/todos/" and response.request.method == "GET"
    ) as answer:
        todos.locator("button.execute").click()
    todos.locator(".live-responses-table .response-col_status", has_text="200").wait_for()
    screens.take("todos", focus=todos.locator(".live-responses-table"))

    assert answer.value.status == 200
    assert answer.value.request.headers["authorization"] == f"Bearer {token}"
    listed = answer.value.json()
    assert listed["count"] == 2
    assert {todo["title"] for todo in listed["results"]} == own
    shown = todos.locator(".live-responses-table .response-col_description pre").first.inner_text()
    assert "Buy milk" in shown
    assert "Bob's secret plan" not in shown
    assert left_localhost(page.requests) == []
