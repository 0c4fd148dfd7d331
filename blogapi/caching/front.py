"""The near cache's front door, a middleware placed right after the request log and metrics.

A GET whose answer this process holds, under a stamp its leased tokens still confirm, is
answered here, before the rest of Django and DRF run: the status, headers and bytes the
full path gave it (as Django's FetchFromCacheMiddleware and Varnish do), with
`X-Cache: HIT` (or its 304, for an If-None-Match naming its ETag), and still counted by
the request log, the metrics and `cache_stats`.

It is keyed on exactly what such an answer can depend on: scheme (and a proxy's
X-Forwarded-Proto), host, path, query string and Accept as the request spelled them, and
for a view that varies on Authorization, the caller. A request with credentials is
authenticated here by the API's own authentication classes (simplejwt's, the user held
under its row: a deactivated user is refused at once) and answered only as the user they
name; a token that fails goes the full path, to its 401. Only answers of views without
throttles are kept (a throttle must count every request); conditions other than
If-None-Match take the full path.

The same middleware makes every write of a request pay its lease wait once, at the end
(generations.one_wait_for_writes).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings
from rest_framework_simplejwt.authentication import JWTAuthentication

from . import operations
from .entries import CONDITIONAL_HEADERS
from .generations import leased_stamp, one_wait_for_writes
from .near import Copy, near

_KEYED_ON = (
    "wsgi.url_scheme",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_HOST",
    "HTTP_X_FORWARDED_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_ACCEPT",
)
_PER_REQUEST_HEADERS = frozenset({"x-cache"})
# Revalidation by ETag is answered here; other conditions are rare enough for the full path.
_FULL_PATH_CONDITIONS = tuple(header for header in CONDITIONAL_HEADERS if header != "HTTP_IF_NONE_MATCH")
ANYONE = None  # the caller part of the key of an answer that does not vary by user


class FrontCopy(Copy):
    """A 200 as it left Django, and once the full path has answered one, its 304."""

    __slots__ = ("body", "etag", "headers", "not_modified", "resolver_match", "tags", "view_name")

    def __init__(self, stamp: str, tags: list[str], headers: tuple, body: bytes, view_name: str, match: Any) -> None:
        super().__init__(stamp, len(body) + sum(len(name) + len(value) for name, value in headers) + 64 * len(tags))
        self.tags, self.headers, self.body, self.view_name, self.resolver_match = tags, headers, body, view_name, match
        self.etag = dict(headers).get("ETag")
        self.not_modified: tuple | None = None  # the 304's headers


def _key(meta: dict, caller: Any) -> tuple:
    return ("front", caller, *(meta.get(name) for name in _KEYED_ON))


@cache
def _authenticators() -> tuple | None:
    """The API's default authentication, if the front can run it: classes that read only
    the request's headers (bearer tokens). Anything else (sessions, CSRF) is left to DRF."""
    classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
    if not classes or not all(issubclass(cls, JWTAuthentication) for cls in classes):
        return None
    return tuple(cls() for cls in classes)


def _caller(request: HttpRequest) -> Any:
    """Who the request is, as DRF would find: ANYONE without credentials, a user's id (then
    `request.user` is that user, as DRF sets it), or False when only the full path can
    tell (a bad token's 401, another scheme)."""
    if "HTTP_AUTHORIZATION" not in request.META:
        return ANYONE
    authenticators = _authenticators()
    if authenticators is None:
        return False
    for authenticator in authenticators:
        try:
            found = authenticator.authenticate(request)
        except APIException:
            return False
        if found is not None:
            request.user = found[0]
            return found[0].pk
    return False


class NearCacheMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if near.enabled and request.method == "GET" and not any(h in request.META for h in _FULL_PATH_CONDITIONS):
            answer = _from_front(request)
            if answer is not None:
                return answer
        with one_wait_for_writes():
            response = self.get_response(request)
        _keep(request, response)
        return response


def _from_front(request: HttpRequest) -> HttpResponse | None:
    caller = _caller(request)
    if caller is False:
        return None
    # A user's own answer, else the one for anyone (a view that does not vary by user).
    callers = (ANYONE,) if caller is ANYONE else (caller, ANYONE)
    for key in (_key(request.META, caller) for caller in callers):
        held = near.get(key)
        if held is not None and leased_stamp(held.tags) == held.stamp:
            return _answer(request, held)
    return None


def _keep(request: HttpRequest, response: HttpResponse) -> None:
    """Keep what pages.py marked as answerable here, with the headers it left Django with:
    a 200 as a new copy, a 304 as the not-modified answer of the copy it revalidated."""
    kept = getattr(response, "near_front", None)
    if kept is None or not near.enabled or response.cookies or response.streaming:
        return
    tags, stamp, view_name, caller = kept
    key = _key(request.META, caller)
    headers = tuple(item for item in response.items() if item[0].lower() not in _PER_REQUEST_HEADERS)
    if response.status_code == 304:
        held = near.get(key, stamp)
        if held is not None and held.etag == response.get("ETag"):
            held.not_modified = headers
        return
    match = getattr(request, "resolver_match", None)
    near.put(key, FrontCopy(stamp, tags, headers, response.content, view_name, match))


def _answer(request: HttpRequest, held: FrontCopy) -> HttpResponse | None:
    if "HTTP_IF_NONE_MATCH" in request.META and _not_modified(request.META["HTTP_IF_NONE_MATCH"], request, held):
        if held.not_modified is None:
            return None  # no 304 seen yet: the full path answers it, and this copy learns it
        response, headers = HttpResponseNotModified(), held.not_modified
    else:
        response, headers = HttpResponse(held.body), held.headers
    for name, value in headers:
        response[name] = value
    response["X-Cache"] = "HIT"
    request.resolver_match = held.resolver_match  # the metrics label it by view, as on the full path
    operations.count(held.view_name, "hits")
    return response


def _not_modified(if_none_match: str, request: HttpRequest, held: FrontCopy) -> bool:
    # A client sending back the ETag it was given, as is, is the common case: no parsing.
    return if_none_match == held.etag or get_conditional_response(request, etag=held.etag) is not None


def mark(response: HttpResponse, request: Any, per_user: bool, tags: list[str], stamp: str, view_name: str) -> None:
    """Called by pages.py for a 200 it answers: let the front answer that same request next
    time. Per user only as authenticated by the front's own classes; never for a view that
    throttles, nor for a request whose credentials the front could not check."""
    view = request.parser_context["view"]
    if response.status_code not in (200, 304) or view.throttle_classes:
        return
    has_credentials = "HTTP_AUTHORIZATION" in request.META
    if not per_user:
        if not has_credentials:
            response.near_front = (tags, stamp, view_name, ANYONE)
        return
    authenticators = _authenticators()
    if authenticators and type(request.successful_authenticator) in {type(a) for a in authenticators}:
        response.near_front = (tags, stamp, view_name, request.user.pk)
