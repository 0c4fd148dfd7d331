"""The Postman collection (docs/postman/): the tutorial's test plan plus every operation of
both OpenAPI schemas, and green when newman runs it against a real server, twice."""

import json
import re
import subprocess
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from blogapi import demo_data
from support import postman
from users.tests.factories import PASSWORD, UserFactory

from .processes import ROOT, Gunicorn

OPENAPI_JSON = "application/vnd.oai.openapi+json"
POSTMAN_V2_1 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
NEWMAN_MISSING = postman.newman_missing()


@pytest.fixture(scope="module")
def collection() -> dict:
    return json.loads(postman.COLLECTION.read_text())


@pytest.fixture(scope="module")
def schema_operations(django_db_blocker) -> set[str]:
    """ "METHOD /path/{param}/" of every operation of the v1 and v2 schemas."""
    with django_db_blocker.unblock():  # schema generation reads no data
        api = APIClient()
        documents = [api.get(f"/api/schema/{version}/", HTTP_ACCEPT=OPENAPI_JSON).json() for version in ("v1", "v2")]
    return {
        f"{method.upper()} {path}"
        for document in documents
        for path, methods in document["paths"].items()
        for method in methods
    }


def requests_of(item: dict):
    """Every request of the collection, depth first, in run order."""
    if "request" in item:
        yield item
    for child in item.get("item", []):
        yield from requests_of(child)


def request_path(item: dict) -> str:
    url = item["request"]["url"]
    raw = url["raw"] if isinstance(url, dict) else url
    assert raw.startswith("{{baseUrl}}/"), f"{item['name']}: {raw} is not on {{{{baseUrl}}}}"
    return urlsplit(raw.removeprefix("{{baseUrl}}")).path


def matches(template: str, path: str) -> bool:
    """A schema path `/api/v1/posts/{id}/` matches `/api/v1/posts/{{postId}}/` or `/api/v1/posts/7/`,
    not `/api/v1/posts/all/` (a route of its own)."""
    template_parts, parts = template.split("/"), path.split("/")
    return len(template_parts) == len(parts) and all(
        expected == part or (re.fullmatch(r"\{\w+\}", expected) and re.fullmatch(r"\{\{\w+\}\}|\d+", part))
        for expected, part in zip(template_parts, parts, strict=True)
    )


def collection_operations(collection: dict, schema_operations: set[str]) -> dict[str, str | None]:
    """Each request's name -> the schema operation it calls (None: no operation)."""
    found = {}
    for item in requests_of(collection):
        method, path = item["request"]["method"], request_path(item)
        candidates = [op for op in schema_operations if op.split()[0] == method and matches(op.split()[1], path)]
        found[item["name"]] = candidates[0] if len(candidates) == 1 else None
    return found


def expected_assertions(collection: dict) -> int:
    """Every `pm.test` of the test scripts; each runs once per request (none sits in a branch or a loop)."""
    return sum(
        line.count("pm.test(")
        for item in requests_of(collection)
        for event in item.get("event", [])
        if event["listen"] == "test"
        for line in event["script"]["exec"]
    )


def test_the_collection_is_postman_v2_1_on_a_base_url_variable(collection):
    assert collection["info"]["schema"] == POSTMAN_V2_1
    variables = {variable["key"]: variable["value"] for variable in collection["variable"]}
    assert variables["baseUrl"] == "http://127.0.0.1:8000"  # `make run`'s server
    for item in requests_of(collection):
        request_path(item)  # asserts {{baseUrl}}


def test_the_collection_covers_every_operation_of_both_schemas(collection, schema_operations):
    covered = set(collection_operations(collection, schema_operations).values())

    missing = sorted(schema_operations - covered)
    assert missing == [], f"operations of the OpenAPI schemas missing from {postman.COLLECTION.name}: {missing}"


def test_every_request_of_the_collection_calls_an_operation_of_the_schemas(collection, schema_operations):
    unknown = [
        name for name, operation in collection_operations(collection, schema_operations).items() if not operation
    ]

    assert unknown == [], f"requests calling no operation of the schemas: {unknown}"


def test_the_collection_runs_the_tutorials_test_plan(collection):
    names = [item["name"] for item in requests_of(collection)]

    plan = [
        "List users (last page)",
        "List users again: a cache HIT",
        "Register a user",
        "List users: the new user at once",
        "Log in",
        "Refresh the tokens",
        "List posts",
        "List posts again: a cache HIT",
        "Create a post (with the token)",
        "List posts: the new post at once",
        "Edit the post (PUT)",
        "Delete the post",
        "Log out",
        "List news posts",
        "List news posts again: a cache HIT",
        "List travel posts: a cache entry of its own",
        "Create a news post (v2)",
        "List news posts: the new post at once",
    ]
    assert [name for name in names if name in plan] == plan


def test_the_collection_defaults_to_the_demo_admin(collection):
    variables = {variable["key"]: variable["value"] for variable in collection["variable"]}
    (admin,) = [username for kind, username, _ in demo_data.LOGINS if kind == "admin"]

    assert (variables["adminUsername"], variables["adminPassword"]) == (admin, demo_data.DEMO_PASSWORD)


@pytest.mark.slow
@pytest.mark.skipif(NEWMAN_MISSING is not None, reason=f"newman: {NEWMAN_MISSING}")
def test_newman_runs_the_collection_green_twice_against_one_server(collection, tmp_path):
    admin = UserFactory(username="postman_admin", role="admin")
    server = Gunicorn(GUNICORN_ACCESS_LOG="")
    variables = {"adminUsername": admin.username, "adminPassword": PASSWORD}
    try:
        runs = []
        for number in (1, 2):  # the second run meets the first one's users, posts and cache entries
            report = tmp_path / f"run-{number}.json"
            options = ("--reporters", "cli,json", "--reporter-json-export", str(report), "--color", "off")
            command = postman.newman_command(server.url, variables, *options)
            completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
            runs.append((completed, json.loads(report.read_text())["run"]))
    finally:
        server.stop()

    for completed, run in runs:
        assert completed.returncode == 0, completed.stdout[-15_000:] + completed.stderr
        assert run["failures"] == []
        assert run["stats"]["requests"] == {"total": len(list(requests_of(collection))), "pending": 0, "failed": 0}
        assert run["stats"]["assertions"] == {"total": expected_assertions(collection), "pending": 0, "failed": 0}
