"""Schemathesis hooks for `support/fuzz.py` (loaded by the CLI through SCHEMATHESIS_HOOKS=support.fuzz_hooks).

Authentication: a bearer token from `POST /api/v1/users/login/` with the credentials in
FUZZ_USERNAME / FUZZ_PASSWORD, renewed through `POST /api/v1/auth/refresh/` (rotation)
every few minutes and whenever the API answers 401. The refresh token never reaches the
fuzzer, so it cannot log that session out; and renewing by refresh token, not by logging
in again, keeps the run authenticated after the fuzzer renamed its user through
`PUT/PATCH /users/me/` (it does: a random username is valid input there).

Accepted rejections: `positive_data_acceptance` wants schema-valid input accepted, but
two rules of the API cannot be written in JSON Schema, so a 400 citing only them is no
finding: a username already taken (uniqueness); a username valid as sent whose NFKC
normal form (what is validated and stored) is not; and Django's password validators
beyond length and "not all digits" (too common, too similar to the username or e-mail),
which the schema states in words. Any other 400 of schema-valid input fails the run.

Designed: a normal user's `role` at registration is ignored, not validated (users.services), so an
invalid one there is accepted (and not stored); `negative_data_rejection` failures that
are only that are dropped too, in the user's pass, never in the admin's.

Self-deletion: with an admin's token (FUZZ_ADMIN_ID set), a generated `DELETE
/users/{id}/` aimed at that admin's own id is sent to an id that does not exist instead,
so the rest of the run keeps its caller. Deleting oneself is legal; it only ends the run.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
import unicodedata

import requests
import schemathesis

LOGIN_PATH = "/api/v1/users/login/"
REFRESH_PATH = "/api/v1/auth/refresh/"
MISSING_ID = 2**62  # no row has it: the request stays a DELETE of a user, answered 404
USERNAME = re.compile(r"[\w.@+-]+")  # Django's UnicodeUsernameValidator
UNSTATABLE = {
    "username": re.compile(r"A user with that username already exists\.$"),
    "password": re.compile(
        r"This password is (too common|entirely numeric|too short\. .*)\.$|The password is too similar to the .*\.$"
    ),
}


def _origin(context) -> str:
    return context.operation.schema.get_base_url().split("/api/", 1)[0].rstrip("/")


@schemathesis.auth(refresh_interval=240)
class LoginThenRefresh:
    """Log in once, then rotate the refresh token; log in again only if the refresh fails."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.refresh: str | None = None

    def get(self, case, context) -> str:
        origin = _origin(context)
        with self.lock:
            if self.refresh is not None:
                response = requests.post(origin + REFRESH_PATH, json={"refresh": self.refresh}, timeout=30)
                if response.status_code == 200:
                    return self._keep(response.json())
                _report("refresh", response)
            credentials = {"username": os.environ["FUZZ_USERNAME"], "password": os.environ["FUZZ_PASSWORD"]}
            for _ in range(3):
                response = requests.post(origin + LOGIN_PATH, json=credentials, timeout=30)
                if response.status_code != 429:  # the fuzzer's own failed logins throttle this address
                    break
                time.sleep(min(int(response.headers.get("Retry-After", "5")), 30))
            if response.status_code != 200:
                _report("login", response)
            response.raise_for_status()
            return self._keep(response.json())

    def _keep(self, pair: dict[str, str]) -> str:
        self.refresh = pair["refresh"]
        return pair["access"]

    def set(self, case, data: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def _report(step: str, response) -> None:
    print(f"fuzz auth: {step} answered {response.status_code}: {response.text[:300]}", file=sys.stderr, flush=True)


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    admin_id = os.environ.get("FUZZ_ADMIN_ID")
    if not admin_id or case.method.upper() != "DELETE" or not case.path.endswith("/users/{id}/"):
        return
    try:
        aimed_at = int(str((case.path_parameters or {}).get("id")))  # "02" and "\u0662" are 2 to the API too
    except ValueError:
        return
    if aimed_at == int(admin_id):
        case.path_parameters = {**case.path_parameters, "id": MISSING_ID}


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep every failure but a schema-valid input refused for a reason JSON Schema cannot
    state, and a non-admin's invalid `role` ignored at registration (users.services)."""
    if "negative_data_rejection" in failure.checks:
        return not _role_ignored(failure, case, response)
    if "positive_data_acceptance" not in failure.checks or response.status_code != 400:
        return True
    try:
        fields = json.loads(response.content)["fields"]
    except (ValueError, KeyError, TypeError):
        return True
    reasons = [(name, message) for name, messages in fields.items() for message in messages]
    unstatable = all(_unstatable(name, message, case) for name, message in reasons)
    return not (reasons and unstatable)


def _unstatable(name: str, message: str, case) -> bool:
    if name in UNSTATABLE and UNSTATABLE[name].match(message):
        return True
    # Usernames are NFKC-normalized, then validated (as Django's forms do): "\u013f" is a
    # letter, but its normal form "L\u00b7" holds a middle dot, which no username may.
    sent = (case.body or {}).get("username") if isinstance(case.body, dict) else None
    return (
        name == "username"
        and message.startswith("Enter a valid username.")
        and isinstance(sent, str)
        and USERNAME.fullmatch(sent) is not None
        and USERNAME.fullmatch(unicodedata.normalize("NFKC", sent)) is None
    )


def _role_ignored(failure, case, response) -> bool:
    """The API's rule: "a `role` in the body is ignored unless an admin sends it", not even validated
    (users/tests/test_mass_assignment.py). The schema, one for every caller, lists the roles
    an admin may send; a normal user's invalid role is therefore accepted, and not stored."""
    if os.environ.get("FUZZ_ADMIN_ID") or case.method.upper() != "POST" or not case.path.endswith("/users/"):
        return False
    violations = re.findall(r" at (/\S*)", failure.message)
    stored_role = json.loads(response.content).get("role") if response.status_code == 201 else None
    return bool(violations) and all(v.startswith("/properties/role") for v in violations) and stored_role == "user"
