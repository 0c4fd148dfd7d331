"""Request-level plumbing: the request log line, JSON errors under /api/, NUL-byte rejection."""

import logging
import time
from http import HTTPStatus

from blogapi.exceptions import error_response

request_log = logging.getLogger("blogapi.request")

API_PREFIX = "/api/"


class RequestLogMiddleware:
    """One line per request: method, path, status, duration and cache HIT/MISS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        request_log.info(
            "%s %s %s %.1fms cache=%s",
            request.method,
            request.get_full_path(),
            response.status_code,
            duration_ms,
            response.get("X-Cache", "-"),
        )
        return response


class ApiJsonErrorMiddleware:
    """Errors under /api/ that did not come from DRF (Django's 404 and 500 pages, the
    technical pages of DEBUG, CSRF failures, the browsable API's HTML) become the same
    JSON shape DRF's handler gives: a client never parses HTML or sees a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith(API_PREFIX):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        data = getattr(response, "data", None)
        message = data.get("message") if isinstance(data, dict) else None
        replacement = error_response(response.status_code, message or _default_message(response.status_code))
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                replacement[header] = response[header]
        return replacement


def _default_message(status: int) -> str:
    if status == 404:
        return "The requested resource was not found."
    if status >= 500:
        return "The server could not complete the request."
    return HTTPStatus(status).description


class RejectNulBytesMiddleware:
    """PostgreSQL text cannot hold NUL bytes: a query parameter with one would fail deep
    in the database driver as a 500. Refuse it up front as a client error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return error_response(400, "NUL bytes are not allowed in the URL.")
        return self.get_response(request)
