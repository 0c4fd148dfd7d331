"""The near cache's front door, a middleware placed right after the request log and metrics.

A GET without credentials whose answer this process holds, under a stamp its leased
tokens still confirm, is answered here, before the rest of Django and DRF run: the
status, headers and bytes the full path gave it (as Django's FetchFromCacheMiddleware
and Varnish do), with `X-Cache: HIT`, and still counted by the request log, the metrics
and `cache_stats`. It is keyed on exactly what that answer could depend on: scheme
(and a proxy's X-Forwarded-Proto), host, path, query string and Accept, as the request
spelled them. Only answers of views that do not vary by user, asked without an
Authorization header, are kept (pages.py marks them), so no credential is ever needed
to decide. Conditional requests take the full path.

The same middleware makes every write of a request pay its lease wait once, at the end
(generations.one_wait_for_writes).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

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
_NEVER_ANSWERED_HERE = ("HTTP_AUTHORIZATION", *CONDITIONAL_HEADERS)
_PER_REQUEST_HEADERS = frozenset({"x-cache"})


class FrontCopy(Copy):
    __slots__ = ("body", "headers", "resolver_match", "tags", "view_name")

    def __init__(self, stamp: str, tags: list[str], headers: tuple, body: bytes, view_name: str, match: Any) -> None:
        super().__init__(stamp, len(body) + sum(len(name) + len(value) for name, value in headers) + 64 * len(tags))
        self.tags, self.headers, self.body, self.view_name, self.resolver_match = tags, headers, body, view_name, match


def _key(meta: dict) -> tuple:
    return ("front", *(meta.get(name) for name in _KEYED_ON))


class NearCacheMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if near.enabled and request.method == "GET" and not any(name in meta for name in _NEVER_ANSWERED_HERE):
            held = near.get(_key(meta))
            if held is not None and leased_stamp(held.tags) == held.stamp:
                return _answer(request, held)
        with one_wait_for_writes():
            response = self.get_response(request)
        shareable = getattr(response, "near_front", None)
        if shareable is not None and near.enabled and not response.cookies and not response.streaming:
            tags, stamp, view_name = shareable
            headers = tuple(item for item in response.items() if item[0].lower() not in _PER_REQUEST_HEADERS)
            match = getattr(request, "resolver_match", None)
            near.put(_key(meta), FrontCopy(stamp, tags, headers, response.content, view_name, match))
        return response


def _answer(request: HttpRequest, held: FrontCopy) -> HttpResponse:
    response = HttpResponse(held.body)
    for name, value in held.headers:
        response[name] = value
    response["X-Cache"] = "HIT"
    request.resolver_match = held.resolver_match  # the metrics label it by view, as on the full path
    operations.count(held.view_name, "hits")
    return response
