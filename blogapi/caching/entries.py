"""A cached response: how it is stored in Redis and in the near cache, and answered from.

Only what a hit must send back is kept: the rendered JSON bytes, their ETag, and the
headers the view set (Content-Type, Vary, Cache-Control), stamped with the generation
tokens it was computed under. In Redis a body of a kilobyte or more is zlib-compressed
when that saves a tenth (it does for JSON lists: an entry then costs well under its
body); in the near cache bodies stay as they are sent.
"""

from __future__ import annotations

import hashlib
import zlib

from django.http import HttpResponse
from django.utils.cache import get_conditional_response

from .near import Copy

FORMAT = "3"  # part of every key: entries of an older layout are never misread, they expire
COMPRESS_FROM_BYTES = 1024  # below this, compression saves less than the stamp and key cost
CONDITIONAL_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


class Entry(Copy):
    __slots__ = ("body", "cache_control", "content_type", "etag", "vary")

    def __init__(self, stamp: str, etag: str, content_type: str, vary: str, cache_control: str, body: bytes) -> None:
        super().__init__(stamp, len(etag) + len(content_type) + len(vary) + len(cache_control) + len(body))
        self.etag, self.content_type, self.vary, self.cache_control, self.body = (
            etag,
            content_type,
            vary,
            cache_control,
            body,
        )

    @classmethod
    def of(cls, stamp: str, response: HttpResponse, body: bytes) -> Entry:
        """The entry of a fresh 200 whose headers _decorate has set."""
        return cls(stamp, response["ETag"], response["Content-Type"], response["Vary"], response["Cache-Control"], body)

    def packed(self) -> bytes:
        """The Redis value: one line per field, then the body (compressed where that pays)."""
        body, encoding = self.body, b""
        if len(body) >= COMPRESS_FROM_BYTES:
            compressed = zlib.compress(body)
            if len(compressed) * 10 <= len(body) * 9:
                body, encoding = compressed, b"zlib"
        fields = (self.stamp, self.etag, self.content_type, self.vary, self.cache_control)
        return b"\n".join([*(field.encode() for field in fields), encoding, body])

    @classmethod
    def unpacked_if_current(cls, stored: bytes | None, stamp: str) -> Entry | None:
        """The stored entry, if it was stored under `stamp`: no write it depends on came after it."""
        if stored is None or not stored.startswith(stamp.encode() + b"\n"):
            return None
        _, etag, content_type, vary, cache_control, encoding, body = stored.split(b"\n", 6)
        if encoding == b"zlib":
            body = zlib.decompress(body)
        return cls(stamp, etag.decode(), content_type.decode(), vary.decode(), cache_control.decode(), body)

    def response(self, request, outcome: str = "HIT") -> HttpResponse:
        """What the view answered, with its headers set directly (the hot path)."""
        response = HttpResponse(self.body, content_type=self.content_type)
        response["X-Cache"] = outcome
        response["Vary"] = self.vary
        response["Cache-Control"] = self.cache_control
        response["ETag"] = self.etag
        if is_conditional(request):
            return conditional(request, response, self.etag, outcome)
        return response


def etag_of(body: bytes) -> str:
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def is_conditional(request) -> bool:
    meta = request.META
    return any(header in meta for header in CONDITIONAL_HEADERS)


def conditional(request, response: HttpResponse, etag: str, outcome: str) -> HttpResponse:
    """A 304 (or 412) where the request's conditions say so, else `response`."""
    answer = get_conditional_response(request, etag=etag, response=response)
    if answer is not response:
        answer["X-Cache"] = outcome
    return answer
