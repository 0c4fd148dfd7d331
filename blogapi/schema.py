"""OpenAPI post-processing: each version's description names its own login URL, every
operation documents the API's error shape, and the string inputs say what the server
refuses, so that a client (or a fuzzer) generating "valid" input from the schema gets it
accepted.

Two rules of every DRF CharField that drf-spectacular leaves out:
- no NUL character (PostgreSQL text cannot hold one: ProhibitNullCharactersValidator),
  in the body and, through RejectNulBytesMiddleware, anywhere in the URL;
- a field that trims whitespace and may not be blank needs one character that is not
  whitespace ("   " is trimmed to "", then refused as blank).
Both become a `pattern` of request properties (unless they have a pattern, format or
enum already) and of string query and path parameters. Responses keep no pattern: they
show what is stored, and a promise about it would bind every past writer. An optional query parameter sent
empty is that parameter left out (`allowEmptyValue`).
"""

from django.urls import reverse
from drf_spectacular.drainage import get_override
from rest_framework import serializers
from rest_framework.settings import api_settings

ERROR_STATUSES = {
    "400": "Invalid input.",
    "401": "Missing, invalid or expired credentials.",
    "403": "Not allowed for this user.",
    "404": "Not found.",
    "429": "Too many requests.",
}

BODY_TOO_LARGE = "The body is over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default)."

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "The HTTP reason phrase."},
        "message": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Validation messages per field (400 only).",
        },
    },
    "required": ["error", "message"],
}

# Exactly what str.strip() (hence DRF's trim_whitespace) removes, spelled out: the `\s`
# of Python, ECMAScript and Rust regexes disagree on \x1c-\x1f and \x85.
WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = rf"^[^\x00]*[^\x00{WHITESPACE}][^\x00]*$"


# Refused by gunicorn before the request reaches Django, so as its HTML page.
URI_TOO_LONG = {
    "description": "The request line is longer than the server accepts (gunicorn: 4094 bytes).",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


# The router's other routes share the URL space of an id: /users/login/ is POST only.
WRONG_ROUTE = "Another route's name in place of the id (e.g. /users/login/) and a method that route does not offer."


def describe_version(result, generator, request, public):
    """The description ends with where this version's bearer tokens come from: a schema
    listing /api/v2/... sends its reader to /api/v2/users/login/, not to another version's.
    The version is the one the schema was generated for (view or `spectacular --api-version`),
    else the default, as drf-spectacular picks it."""
    version = generator.api_version or api_settings.DEFAULT_VERSION
    authorize = f"Authorize with a bearer token from `POST {reverse(f'{version}:user-login')}`."
    result["info"]["description"] = " ".join(filter(None, [result["info"].get("description"), authorize]))
    return result


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                responses.setdefault(status, {"description": description, **error})
            responses.setdefault("414", URI_TOO_LONG)
            if "requestBody" in operation:
                responses.setdefault("413", {"description": BODY_TOO_LARGE, **error})
            if "{" in path:
                responses.setdefault("405", {"description": WRONG_ROUTE, **error})
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("query", "path"):
                    _forbid_nul(parameter.get("schema", {}))
                if parameter.get("in") == "query" and not parameter.get("required"):
                    # `?user_id=` is `user_id` left out (django-filter, DRF and our
                    # pagination all read an empty value so), not an invalid integer.
                    parameter["allowEmptyValue"] = True
    for name, schema in result["components"]["schemas"].items():
        for prop in schema.get("properties", {}).values():
            if "pattern" not in prop:
                continue
            if name.endswith("Request"):
                prop["pattern"] = unicode_word_pattern(prop["pattern"])
            else:  # a response shows what is stored, whatever wrote it (admin, commands, older rules)
                del prop["pattern"]
    for name, schema in result["components"]["schemas"].items():
        if not name.endswith("Request"):
            continue
        fields = _serializer_fields(generator, name)
        for prop_name, prop in schema.get("properties", {}).items():
            field = fields.get(prop_name)
            declared = get_override(field, "field") if field is not None else None
            if isinstance(declared, dict) and "minLength" in declared:
                # spectacular's "not blank: minLength 1" overwrites a field's declared schema
                prop["minLength"] = declared["minLength"]
            if isinstance(field, serializers.CharField) and _is_plain_string(prop) and not prop.get("readOnly"):
                blank_refused = field.trim_whitespace and not field.allow_blank
                prop["pattern"] = NOT_BLANK if blank_refused else NO_NUL
    return result


def unicode_word_pattern(pattern: str) -> str:
    """A Python validator's `\\w` is any Unicode letter or digit (Django's usernames: "Zoë"),
    where a JSON Schema (ECMAScript) `\\w` is [A-Za-z0-9_]: spell it as Unicode classes."""
    out, in_class, i = [], False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escape = pattern[i : i + 2]
            if escape == r"\w":
                escape = r"\p{L}\p{N}_" if in_class else r"[\p{L}\p{N}_]"
            out.append(escape)
            i += 2
            continue
        in_class = (in_class or char == "[") and not (in_class and char == "]")
        out.append(char)
        i += 1
    return "".join(out)


def _forbid_nul(schema: dict) -> None:
    if _is_plain_string(schema):
        schema["pattern"] = NO_NUL


def _is_plain_string(schema: dict) -> bool:
    return schema.get("type") == "string" and not {"pattern", "format", "enum"} & set(schema)


def _serializer_fields(generator, component_name: str) -> dict:
    """The fields of the serializer a schema component was built from ({} if none)."""
    try:
        serializer = generator.registry[(component_name, "schemas")].object
        if isinstance(serializer, type):
            serializer = serializer()
        return dict(serializer.fields)
    except (KeyError, TypeError, AttributeError):
        return {}
