"""One error shape for the whole API: {"error": <reason phrase>, "message": <text>[, "fields"]}."""

from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler


def error_body(status: int, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": HTTPStatus(status).phrase, "message": message}
    if fields is not None:
        body["fields"] = fields
    return body


def error_response(status: int, message: str) -> JsonResponse:
    """For errors raised outside DRF (Django's own 404/500, middleware), written compactly
    as DRF's JSONRenderer writes the others."""
    return JsonResponse(error_body(status, message), status=status, json_dumps_params={"separators": (",", ":")})


def _fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {name: _messages(value) for name, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):  # nested serializer: flatten "a.b" style
        return [f"{key}: {msg}" for key, inner in value.items() for msg in _messages(inner)]
    if isinstance(value, list):
        return [msg for item in value for msg in _messages(item)]
    return [str(value)]


def _is_json_too_deep(exc: Exception) -> bool:
    # The json module raises RecursionError, not ValueError, on a body nested thousands of
    # levels deep ([[[[...]]]]); DRF's JSONParser only turns ValueError into a ParseError.
    return isinstance(exc, RecursionError) and "decoding a JSON" in str(exc)


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is larger than the server accepts."
    default_code = "body_too_large"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if _is_json_too_deep(exc):
        exc = exceptions.ParseError("JSON parse error - nested too deeply.")
    if isinstance(exc, RequestDataTooBig):
        # Django calls it a SuspiciousOperation, answered 400; the precise answer is 413.
        exc = BodyTooLarge(f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes.")
    response = exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django turns it into a 500, ApiJsonErrorMiddleware into JSON
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(response.status_code, "Invalid input.", _fields(exc.detail))
    else:
        detail = getattr(exc, "detail", None)
        if isinstance(detail, dict):  # simplejwt's InvalidToken: {"detail", "code", "messages"}
            detail = detail.get("detail")
        message = str(detail) if isinstance(detail, str) else HTTPStatus(response.status_code).description
        response.data = error_body(response.status_code, message)
    return response
