"""`cache_page`: Django's call shape, for DRF list and retrieve handlers, with invalidation.

    @method_decorator(cache_page(settings.RESPONSE_CACHE_TTL, depends_on=[Post]), name="list")
    @method_decorator(vary_on_headers("Authorization"), name="list")     # per-user views only

It runs inside DRF's handler, after authentication, permissions, throttling and content
negotiation: nobody gets from the cache what they could not get without it.

Keys. A response is stored under a hash of what it depends on: view, version, scheme and
host (absolute pagination links), path, the whole query string (sorted by name), the
rendered format, and, exactly when the view's responses vary on Authorization (Django's
own `vary_on_headers`, learned from the view's first answer, as Django's cache
middleware learns a URL's Vary), the caller's id: a refreshed token still hits, and
nobody else's answer is ever reachable. Only JSON 200s are cached.

Freshness. `depends_on` names the models the response is built from (dependencies.py);
an entry is served only while the generation tokens of those tags are the ones it was
stamped with (generations.py). Within a lease the tokens, and the entry itself, come
from this process's memory: a hit asks Redis nothing.

Stampede. On a miss the first request takes a short lock; concurrent misses of the
same key and stamp wait for its entry instead of running the view again.

HTTP. ETag from the body, 304 for a matching If-None-Match (no rendering),
`Cache-Control: no-cache` (`private, no-cache` per user) so no browser or proxy reuses
a response without revalidating, `Vary`, `X-Cache: HIT|MISS`.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import has_vary_header, patch_cache_control, patch_vary_headers
from rest_framework.response import Response

from . import front, generations, operations
from .dependencies import Dependency, as_dependency, tags_of
from .entries import FORMAT, Entry, conditional, etag_of, is_conditional
from .generations import CacheUnavailable
from .near import near

LOCK_TTL = 10  # seconds a filler may hold the stampede lock before others compute anyway
LOCK_WAIT = 5.0  # how long a concurrent miss waits for the filler's entry
LOCK_POLL = 0.02

# view name -> whether its responses vary on Authorization (learned from its first 200)
_per_user: dict[str, bool] = {}


def cache_page(timeout: int, *, depends_on: Iterable[Dependency | type]):
    """Cache a DRF list/retrieve handler for `timeout` seconds (Django's `cache_page`
    shape); `depends_on` lists what it is built from (a model, `row(...)`, ...)."""
    dependencies = [as_dependency(dependency) for dependency in depends_on]

    def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(handler)
        def cached_handler(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return handler(request, *args, **kwargs)  # e.g. PATCH on a view that also GETs
            view = request.parser_context["view"]
            view_name = f"{view.basename}-{view.action}"
            if not settings.RESPONSE_CACHE_ENABLED or request.accepted_renderer.format != "json":
                return _uncached(handler, request, args, kwargs)
            per_user = _per_user.get(view_name)
            key = response_key(view_name, request, bool(per_user))
            tags = tags_of(dependencies, request)
            try:
                if per_user is None:  # not learned yet in this process: compute, learn, store
                    stamp, entry = generations.current_stamp(tags), None
                else:
                    stamp, entry = _lookup(key, tags)
            except CacheUnavailable:
                return _uncached(handler, request, args, kwargs)
            if entry is not None:
                operations.count(view_name, "hits")
                response = entry.response(request)
                front.mark(response, request, per_user, tags, stamp, view_name)
                return response
            operations.count(view_name, "misses")
            return _fill(view_name, key, stamp, tags, handler, request, args, kwargs, timeout)

        return cached_handler

    return decorator


def response_key(view_name: str, request: Any, per_user: bool) -> str:
    query = urlencode(sorted(request.GET.lists(), key=lambda item: item[0]), doseq=True)
    variant = "\n".join(
        [
            FORMAT,
            request.version or "",
            request.scheme,
            request.get_host(),
            request.path,
            query,
            request.accepted_media_type,  # the format and its parameters (e.g. indent=4)
            str(request.user.pk) if per_user else "",
        ]
    )
    return f"resp:{view_name}:{hashlib.blake2b(variant.encode(), digest_size=20).hexdigest()}"


def _lookup(key: str, tags: list[str]) -> tuple[str, Entry | None]:
    """The current stamp of `tags` and the entry under `key` if it was stored under it: from
    this process's memory within a lease, else in one round trip (two right after a write)."""
    stamp = generations.leased_stamp(tags)
    held = near.get(key)
    if stamp is None:
        stamp, stored = generations.fetch_stamp(tags, also=None if held else key)
        if held is not None and held.stamp != stamp:
            stored = generations.call(cache.get, key)
    elif held is None or held.stamp != stamp:
        stored = generations.call(cache.get, key)
    if held is not None and held.stamp == stamp:
        return stamp, held
    entry = Entry.unpacked_if_current(stored, stamp)
    if entry is not None:
        near.put(key, entry)
    return stamp, entry


def _fill(view_name, key, stamp, tags, handler, request, args, kwargs, timeout: int) -> HttpResponse:
    """Compute a missing entry once: concurrent misses of the same key and stamp wait for it.
    (While the view's Vary is not learned, `key` is its key for everyone: a view that turns
    out to vary by user stores under the caller's, and those waiting compute their own.)"""
    lock_key = f"lock:{key}:{stamp}"
    try:
        if not generations.call(cache.add, lock_key, 1, LOCK_TTL):
            lock_key, entry = None, _wait_for_filler(key, lock_key, stamp)
            if entry is not None:
                near.put(key, entry)
                return entry.response(request)
    except CacheUnavailable:
        return _uncached(handler, request, args, kwargs)
    try:
        response = handler(request, *args, **kwargs)
        if response.status_code != 200 or not isinstance(response, Response):
            return _decorate(request, response, None)
        per_user = has_vary_header(response, "Authorization")
        _per_user[view_name] = per_user
        body = _render(request, response)
        response = _decorate(request, response, etag_of(body))
        if response.status_code == 200:
            key = response_key(view_name, request, per_user)
            entry = Entry.of(stamp, response, body)
            with contextlib.suppress(CacheUnavailable):
                generations.call(cache.set, key, entry.packed(), timeout)
            near.put(key, entry)
            front.mark(response, request, per_user, tags, stamp, view_name)
        return response
    finally:
        if lock_key is not None:
            with contextlib.suppress(CacheUnavailable):  # else it expires by LOCK_TTL
                generations.call(cache.delete, lock_key)


def _wait_for_filler(key: str, lock_key: str, stamp: str) -> Entry | None:
    deadline = time.monotonic() + LOCK_WAIT
    while time.monotonic() < deadline:
        time.sleep(LOCK_POLL)
        found = generations.call(cache.get_many, [key, lock_key])
        entry = Entry.unpacked_if_current(found.get(key), stamp)
        if entry is not None:
            return entry
        if lock_key not in found:
            return None  # the filler failed or gave up: compute it here
    return None


def _render(request: Any, response: Response) -> bytes:
    # What DRF's finalize_response would do later, done now so the bytes can be stored.
    view = request.parser_context["view"]
    response.accepted_renderer = request.accepted_renderer
    response.accepted_media_type = request.accepted_media_type
    response.renderer_context = view.get_renderer_context()
    response.render()
    return response.content


def _uncached(handler, request, args, kwargs) -> HttpResponse:
    response = handler(request, *args, **kwargs)
    etag = None
    if response.status_code == 200 and isinstance(response, Response):
        etag = etag_of(_render(request, response))
    return _decorate(request, response, etag)


def _decorate(request: Any, response: HttpResponse, etag: str | None, outcome: str = "MISS") -> HttpResponse:
    """The headers of every answer of a cached view, hit or miss, cached or not."""
    response["X-Cache"] = outcome
    patch_vary_headers(response, ["Accept"])
    if response.status_code != 200:
        return response
    if has_vary_header(response, "Authorization"):
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, no_cache=True)
    if etag is None:
        return response
    response["ETag"] = etag
    return conditional(request, response, etag, outcome) if is_conditional(request) else response
