"""OpenAPI schemas per version and a Swagger UI that works with no internet."""

import re

import pytest
import yaml
from django.core.management import call_command

OPENAPI_JSON = "application/vnd.oai.openapi+json"
ERROR_STATUSES = ("400", "401", "403", "404", "429")


def schema(api, url: str) -> dict:
    response = api.get(url, HTTP_ACCEPT=OPENAPI_JSON)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(OPENAPI_JSON)
    return response.json()


@pytest.fixture(scope="module")
def schemas(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():  # schema generation reads no data; no per-test DB needed
        api = APIClient()
        return {url: schema(api, url) for url in ("/api/schema/", "/api/schema/v1/", "/api/schema/v2/")}


def operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_schemas_are_openapi_3(schemas):
    for document in schemas.values():
        assert document["openapi"].startswith("3.")
        assert document["info"]["title"] == "Blog API"


def test_the_default_schema_is_yaml(api):
    response = api.get("/api/schema/v1/")

    assert response.status_code == 200
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_the_latest_schema_is_v2(schemas):
    assert schemas["/api/schema/"] == schemas["/api/schema/v2/"]


def test_each_version_documents_its_own_paths(schemas):
    v1, v2 = set(schemas["/api/schema/v1/"]["paths"]), set(schemas["/api/schema/v2/"]["paths"])

    expected = {"users/", "users/login/", "users/me/", "users/{id}/", "auth/refresh/", "auth/logout/"}
    expected |= {"posts/", "posts/{id}/", "posts/all/", "todos/", "todos/{id}/"}
    assert v1 == {f"/api/v1/{path}" for path in expected} | {"/api/health/"}
    assert v2 == {f"/api/v2/{path}" for path in expected} | {"/api/health/"}


@pytest.mark.parametrize("version, other", [("v1", "v2"), ("v2", "v1")])
def test_each_version_names_its_own_login_url(schemas, version, other):
    document = schemas[f"/api/schema/{version}/"]
    description = document["info"]["description"]

    assert f"Authorize with a bearer token from `POST /api/{version}/users/login/`." in description
    assert f"/api/{other}/" not in description
    assert f"/api/{version}/users/login/" in document["paths"]


def test_v1_post_has_user_id_and_v2_post_has_author(schemas):
    v1_post = schemas["/api/schema/v1/"]["components"]["schemas"]["Post"]["properties"]
    v2_post = schemas["/api/schema/v2/"]["components"]["schemas"]["Post"]["properties"]

    assert set(v1_post) == {"id", "title", "content", "category", "created_at", "user_id"}
    assert set(v2_post) == {"id", "title", "content", "category", "status", "author", "created_at", "updated_at"}
    assert v2_post["title"]["maxLength"] == 200


def test_v2_todo_has_the_richer_fields(schemas):
    v1_todo = schemas["/api/schema/v1/"]["components"]["schemas"]["Todo"]["properties"]
    v2_todo = schemas["/api/schema/v2/"]["components"]["schemas"]["Todo"]["properties"]

    assert set(v1_todo) == {"id", "title", "completed", "created_at"}
    assert set(v2_todo) == set(v1_todo) | {"description", "due_date", "priority", "updated_at"}


def test_v2_post_list_documents_its_query_parameters(schemas):
    parameters = {p["name"]: p for p in schemas["/api/schema/v2/"]["paths"]["/api/v2/posts/"]["get"]["parameters"]}

    assert set(parameters) == {"category", "cursor", "ordering", "page_size", "search", "user_id"}
    assert parameters["user_id"]["schema"]["type"] == "integer"
    assert set(parameters["ordering"]["schema"]["enum"]) == {
        "created_at", "-created_at", "updated_at", "-updated_at", "title", "-title"
    }  # fmt: skip


def test_every_operation_documents_the_error_responses(schemas):
    for document in schemas.values():
        assert set(document["components"]["schemas"]["Error"]["required"]) == {"error", "message"}
        for name, operation in operations(document):
            for status in ERROR_STATUSES:
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (name, status)


def test_bearer_security_scheme_guards_the_operations(schemas):
    for document in schemas.values():
        schemes = document["components"]["securitySchemes"]
        assert {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"} in schemes.values()
        (name,) = schemes
        guarded = [
            op_name for op_name, operation in operations(document) if {name: []} in operation.get("security", [])
        ]
        assert any("/todos/" in op_name for op_name in guarded)


@pytest.fixture
def docs_page(api) -> str:
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_swagger_ui_offers_both_versions(docs_page):
    assert '"url": "/api/schema/v2/"' in docs_page
    assert '"url": "/api/schema/v1/"' in docs_page


def test_swagger_ui_loads_nothing_from_the_internet(docs_page):
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', docs_page)

    assert sources, "no assets found in the page"
    assert all(source.startswith("/static/") for source in sources), sources
    for host in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "fonts.googleapis.com"):
        assert host not in docs_page


def test_swagger_ui_turns_its_online_validator_off(docs_page):
    # Swagger UI's default validatorUrl sends the schema URL to validator.swagger.io whenever
    # the page is served under a name other than localhost (the browser test that proves it:
    # browser/test_pages_stay_on_their_host.py).
    assert re.search(r'"validatorUrl":\s*null', docs_page)


def test_swagger_ui_assets_are_served(api, docs_page):
    bundle = re.search(r'<script src="([^"]+swagger-ui-bundle\.js)"', docs_page).group(1)
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+\.css)"', docs_page).group(1)

    js = api.get(bundle)
    css = api.get(stylesheet)

    assert js.status_code == 200
    assert "javascript" in js["Content-Type"]
    assert b"SwaggerUIBundle" in b"".join(js.streaming_content)
    assert css.status_code == 200


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_spectacular_validates_without_warnings(tmp_path, version):
    target = tmp_path / f"schema-{version}.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--api-version", version, "--file", str(target))

    document = yaml.safe_load(target.read_text())
    assert f"/api/{version}/posts/" in document["paths"]
    assert f"`POST /api/{version}/users/login/`" in document["info"]["description"]
