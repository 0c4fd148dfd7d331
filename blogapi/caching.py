"""Per-view response caching that is never wrong. The whole design is in this module;
it is the only code that knows cache keys.

Declaring. A view caches an action with
    @method_decorator(cache_response(depends_on=..., per_user=...), name="list")
The decorator runs inside DRF's handler, so authentication, permissions, throttling
and content negotiation have already happened: an anonymous or deactivated client
never reaches a cached answer it could not get uncached. `depends_on(request, **kwargs)`
names the dependency tags of the response ("posts", "post:7", ...).

Keys. A response is stored under a hash of everything it depends on: view, version,
scheme and host (absolute pagination links), path, the whole query string (sorted by
name), the rendered format, and the user id for per-user views (the id, not the token,
so a refreshed token still hits). Only JSON is cached; the stored value is the rendered
bytes with their ETag and content type, stamped with the generation tokens (below)
current when the request began. Bodies of a kilobyte or more are stored zlib-compressed
when that saves a tenth (it does for JSON lists: an entry then costs well under its
body); a hit decompresses them, a 304 does not need to.

Invalidation. Each tag has a generation token in the cache. `invalidate(*tags)`
replaces those tokens with fresh random ones once the current transaction commits
(one round trip for all tags of a transaction). An entry is served only if its stamp
equals the current tokens, so every older entry is dead at once, with no key scan; it
is overwritten by the next miss or expires by TTL. Random tokens, not counters, so an
evicted token can never revive old entries. A request reads the tokens together with
the entry (one round trip), before the view queries the database, and stamps its
result with them: a reader racing a write can only store older data under a stamp the
write already replaced.

Failure. Any cache error opens a short circuit (RESPONSE_CACHE_RETRY_AFTER): requests
are served from the database meanwhile. A process that saw the cache fail replaces the
global epoch before it uses the cache again (a background thread does it as soon as
the cache answers if no request comes): that applies every invalidation it could not
write, and every one another process could not, since nothing cached before the
outage is reachable after it.

Stampede. On a miss the first request takes a short lock; concurrent misses on that
key and stamp wait for its entry instead of running the view again.

HTTP. ETag from the body, 304 for a matching If-None-Match (from the stored ETag,
without rendering or decompressing), `Cache-Control: no-cache` (`private` for per-user
views) so no browser or proxy reuses a response without revalidating, `Vary`, `X-Cache`.

Cost. A hit is one Redis round trip, a hash of the key and a few headers: no database,
no serializer, no rendering (bench/RESULTS.md has the figures).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import secrets
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from rest_framework.response import Response

logger = logging.getLogger(__name__)

EPOCH = "*"  # a tag every cached response depends on: replaced by cache_clear and on recovery
GENERATION_TTL = 7 * 24 * 3600  # outlives any response entry; an expired token only drops entries
LOCK_TTL = 10  # seconds a filler may hold the stampede lock before others compute anyway
LOCK_WAIT = 5.0  # how long a concurrent miss waits for the filler's entry
LOCK_POLL = 0.02
ENTRY_FORMAT = "2"  # part of every key: entries of an older layout are never misread, they expire
COMPRESS_FROM_BYTES = 1024  # below this, compression saves less than the stamp and key cost
CONDITIONAL_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")

Dependencies = Callable[..., Iterable[str]]


class CacheUnavailable(Exception):
    """The shared cache did not answer (down, stalled, or the circuit is open)."""


# --- The circuit breaker, and recovery after an outage ------------------------------------


class _Health:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.retry_at = 0.0
        # This process saw the cache fail: an invalidation of its own may be lost, and
        # other processes may have written meanwhile. Cleared by replacing the epoch.
        self.outage_seen = False
        self.retrier: threading.Thread | None = None

    def open(self) -> None:
        with self.lock:
            self.retry_at = time.monotonic() + settings.RESPONSE_CACHE_RETRY_AFTER
            self.outage_seen = True

    def is_open(self) -> bool:
        return time.monotonic() < self.retry_at


_health = _Health()


def _call(operation: Callable[..., Any], *args: Any, bypass_circuit: bool = False, **kwargs: Any) -> Any:
    """Run a cache operation; while the circuit is open, reads skip the cache. Invalidations
    bypass the circuit: Redis may already be back, and another process that never saw it
    fail would serve what this write must drop until our retry came round."""
    if _health.is_open() and not bypass_circuit:
        raise CacheUnavailable
    try:
        return operation(*args, **kwargs)
    except Exception as exc:
        _health.open()
        logger.warning("cache unavailable (%s: %s); serving from the database", type(exc).__name__, exc)
        raise CacheUnavailable from exc


def _recover() -> None:
    """After an outage, replace the epoch before this process uses the cache again: every
    invalidation it could not write, and any another process could not, is applied at
    once. Raises CacheUnavailable while the cache is still away."""
    if not _health.outage_seen:
        return
    _call(_replace_generations, [EPOCH])
    _health.outage_seen = False
    logger.warning("cache reachable again: every response cached before the outage dropped")


def _retry_in_background() -> None:
    """Apply a lost invalidation as soon as the cache is back, even if this process gets
    no further request (a worker that only writes, say)."""

    def run() -> None:
        while _health.outage_seen:
            time.sleep(settings.RESPONSE_CACHE_RETRY_AFTER)
            with contextlib.suppress(CacheUnavailable):
                _recover()
        _health.retrier = None

    with _health.lock:
        if _health.retrier is None:
            _health.retrier = threading.Thread(target=run, name="cache-invalidation-retry", daemon=True)
            _health.retrier.start()


# --- Generations and invalidation ---------------------------------------------------------


def _generation_key(tag: str) -> str:
    return f"gen:{tag}"


def _replace_generations(tags: Iterable[str]) -> None:
    cache.set_many({_generation_key(tag): secrets.token_hex(8) for tag in tags}, timeout=GENERATION_TTL)


def _lookup(key: str, tags: list[str]) -> tuple[str, bytes | None]:
    """One round trip: the entry under `key` and the current generation token of every
    tag (epoch first). Returns the current stamp (the tokens joined) and the entry, if
    it was stored under that same stamp, i.e. no write it depends on came after it."""
    _recover()
    generation_keys = [_generation_key(tag) for tag in (EPOCH, *tags)]
    found = _call(cache.get_many, [key, *generation_keys])
    for generation_key in generation_keys:
        if generation_key not in found:
            # First use, or evicted: a fresh token. `add` so concurrent requests agree.
            token = secrets.token_hex(8)
            added = _call(cache.add, generation_key, token, GENERATION_TTL)
            found[generation_key] = token if added else _call(cache.get, generation_key)
            if found[generation_key] is None:
                raise CacheUnavailable
    stamp = ",".join(found[generation_key] for generation_key in generation_keys)
    return stamp, _entry_if_current(found.get(key), stamp)


def _entry_if_current(stored: bytes | None, stamp: str) -> bytes | None:
    if stored is None:
        return None
    stored_stamp, entry = stored.split(b"\n", 1)
    return entry if stored_stamp == stamp.encode() else None


_pending = threading.local()


def invalidate(*tags: str) -> None:
    """Drop every cached response that depends on one of `tags`, once the current
    transaction commits (at once outside a transaction). A rolled-back write drops nothing
    it needed to; all tags of one transaction are written in one round trip."""
    if not hasattr(_pending, "tags"):
        _pending.tags = set()
    _pending.tags.update(tags)
    transaction.on_commit(_flush_pending)


def _flush_pending() -> None:
    tags, _pending.tags = getattr(_pending, "tags", set()), set()
    if not tags:
        return  # an earlier callback of the same transaction wrote them
    try:
        _call(_replace_generations, tags, bypass_circuit=True)
    except CacheUnavailable:
        # Not lost: the outage is recorded, and recovery replaces the epoch.
        logger.warning("cache unavailable: invalidation of %s applied on recovery", sorted(tags))
        _retry_in_background()


# --- Keys and stored entries --------------------------------------------------------------


def _response_key(view_name: str, request: Any, per_user: bool) -> str:
    query = urlencode(sorted(request.GET.lists(), key=lambda item: item[0]), doseq=True)
    variant = "\n".join(
        [
            ENTRY_FORMAT,
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


def _pack(stamp: str, etag: str, content_type: str, body: bytes) -> bytes:
    """Stamp, ETag, content type and body encoding on a line each, then the body."""
    encoding = b""
    if len(body) >= COMPRESS_FROM_BYTES:
        compressed = zlib.compress(body)
        if len(compressed) * 10 <= len(body) * 9:
            body, encoding = compressed, b"zlib"
    return b"\n".join([stamp.encode(), etag.encode(), content_type.encode(), encoding, body])


def _unpack(entry: bytes) -> tuple[str, str, bytes, bytes]:
    """The stored ETag, content type, body encoding and body (as stored) of an entry."""
    etag, content_type, encoding, body = entry.split(b"\n", 3)
    return etag.decode(), content_type.decode(), encoding, body


def _etag(body: bytes) -> str:
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


# --- Hit and miss counters (per process, flushed to the shared cache now and then) --------

_counts: Counter[str] = Counter()
_counts_lock = threading.Lock()
_flusher_pid = [0]  # the process whose flusher thread runs (a forked worker starts its own)


def _count(view_name: str, outcome: str) -> None:
    from blogapi.metrics import count_cache_lookup  # loaded with the middleware: a dict lookup here

    count_cache_lookup(view_name, outcome)
    with _counts_lock:
        _counts[f"stats:{view_name}:{outcome}"] += 1
    if _flusher_pid[0] != os.getpid():
        _start_flusher()


def _start_flusher() -> None:
    """Counts reach the shared cache within RESPONSE_CACHE_STATS_FLUSH_SECONDS even if no
    request follows (`cache_stats` in another process reads them there)."""
    with _counts_lock:
        if _flusher_pid[0] == os.getpid():
            return
        _flusher_pid[0] = os.getpid()

    def run(every: float) -> None:
        while True:
            time.sleep(every)
            flush_counts()

    if settings.RESPONSE_CACHE_STATS_FLUSH_SECONDS > 0:
        every = settings.RESPONSE_CACHE_STATS_FLUSH_SECONDS
        threading.Thread(target=run, args=(every,), name="cache-stats-flush", daemon=True).start()


def flush_counts() -> None:
    with _counts_lock:
        batch = dict(_counts)
        _counts.clear()
    try:
        for key, delta in batch.items():
            _call(cache.add, key, 0, None)
            _call(cache.incr, key, delta)
    except (CacheUnavailable, ValueError):
        pass  # counters are best effort; responses never depend on them


atexit.register(flush_counts)  # a clean exit hands over what the flusher has not (a no-op if nothing)


# --- The decorator -------------------------------------------------------------------------


def cache_response(*, depends_on: Dependencies, per_user: bool = False, timeout: int | None = None):
    """Cache a DRF list/retrieve handler; apply with `method_decorator(..., name=action)`."""

    def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(handler)
        def cached_handler(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
            view = request.parser_context["view"]
            view_name = f"{view.basename}-{view.action}"
            if request.method not in ("GET", "HEAD"):
                return handler(request, *args, **kwargs)  # e.g. PATCH on a view that also GETs
            if not settings.RESPONSE_CACHE_ENABLED or request.accepted_renderer.format != "json":
                return _uncached(handler, request, args, kwargs, per_user)
            key = _response_key(view_name, request, per_user)
            try:
                stamp, entry = _lookup(key, list(depends_on(request, **kwargs)))
            except CacheUnavailable:
                return _uncached(handler, request, args, kwargs, per_user)
            if entry is not None:
                _count(view_name, "hits")
                return _from_entry(request, entry, per_user)
            _count(view_name, "misses")
            ttl = timeout or settings.RESPONSE_CACHE_TTL
            return _fill(key, stamp, handler, request, args, kwargs, per_user, ttl)

        return cached_handler

    return decorator


def _fill(key: str, stamp: str, handler, request, args, kwargs, per_user: bool, timeout: int) -> HttpResponse:
    """Compute a missing entry once: concurrent misses of the same key and stamp wait for it."""
    lock_key = f"lock:{key}:{stamp}"
    try:
        holds_lock = _call(cache.add, lock_key, 1, LOCK_TTL)
        if not holds_lock:
            entry = _wait_for_filler(key, lock_key, stamp)
            if entry is not None:
                return _from_entry(request, entry, per_user, outcome="HIT")
    except CacheUnavailable:
        return _uncached(handler, request, args, kwargs, per_user)
    try:
        response = handler(request, *args, **kwargs)
        if response.status_code != 200 or not isinstance(response, Response):
            return _decorate(request, response, None, per_user, "MISS")
        body, content_type = _render(request, response)
        etag = _etag(body)
        with contextlib.suppress(CacheUnavailable):
            _call(cache.set, key, _pack(stamp, etag, content_type, body), timeout)
        return _decorate(request, response, etag, per_user, "MISS")
    finally:
        if holds_lock:
            with contextlib.suppress(CacheUnavailable):  # else it expires by LOCK_TTL
                _call(cache.delete, lock_key)


def _wait_for_filler(key: str, lock_key: str, stamp: str) -> bytes | None:
    deadline = time.monotonic() + LOCK_WAIT
    while time.monotonic() < deadline:
        time.sleep(LOCK_POLL)
        found = _call(cache.get_many, [key, lock_key])
        entry = _entry_if_current(found.get(key), stamp)
        if entry is not None:
            return entry
        if lock_key not in found:
            return None  # the filler failed or gave up: compute it here
    return None


def _render(request: Any, response: Response) -> tuple[bytes, str]:
    # What DRF's finalize_response would do later, done now so the bytes can be stored.
    view = request.parser_context["view"]
    response.accepted_renderer = request.accepted_renderer
    response.accepted_media_type = request.accepted_media_type
    response.renderer_context = view.get_renderer_context()
    response.render()
    return response.content, response["Content-Type"]


def _is_conditional(request: Any) -> bool:
    meta = request.META
    return any(header in meta for header in CONDITIONAL_HEADERS)


def _from_entry(request: Any, entry: bytes, per_user: bool, outcome: str = "HIT") -> HttpResponse:
    """The stored answer: what _decorate gives a fresh 200, with its headers set directly
    (the hot path), and the body decompressed only if it is sent."""
    etag, content_type, encoding, body = _unpack(entry)
    response = HttpResponse(content_type=content_type)
    response["X-Cache"] = outcome
    response["Vary"] = "Accept, Authorization" if per_user else "Accept"
    response["Cache-Control"] = "private, no-cache" if per_user else "no-cache"
    response["ETag"] = etag
    if _is_conditional(request):
        conditional = get_conditional_response(request, etag=etag, response=response)
        if conditional is not response:
            conditional["X-Cache"] = outcome
            return conditional
    response.content = zlib.decompress(body) if encoding == b"zlib" else body
    return response


def _uncached(handler, request, args, kwargs, per_user: bool) -> HttpResponse:
    response = handler(request, *args, **kwargs)
    etag = None
    if response.status_code == 200 and isinstance(response, Response):
        etag = _etag(_render(request, response)[0])
    return _decorate(request, response, etag, per_user, "MISS")


def _decorate(request: Any, response: HttpResponse, etag: str | None, per_user: bool, outcome: str) -> HttpResponse:
    response["X-Cache"] = outcome
    patch_vary_headers(response, ["Accept", "Authorization"] if per_user else ["Accept"])
    if response.status_code != 200:
        return response
    if per_user:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, no_cache=True)
    if etag is None:
        return response
    response["ETag"] = etag
    if not _is_conditional(request):
        return response
    conditional = get_conditional_response(request, etag=etag, response=response)
    if conditional is not response:
        conditional["X-Cache"] = outcome
    return conditional


# --- Operations: cache_stats and cache_clear ------------------------------------------------


def _redis_client() -> Any | None:
    get_client = getattr(getattr(cache, "client", None), "get_client", None)
    return get_client() if get_client else None


def _stored_keys(pattern: str) -> list[str]:
    if _redis_client() is not None:
        return list(cache.iter_keys(pattern))  # SCAN: never blocks Redis like KEYS
    prefix = pattern.rstrip("*")
    return [key.split(":", 2)[-1] for key in getattr(cache, "_cache", {}) if key.split(":", 2)[-1].startswith(prefix)]


def stats() -> dict[str, Any]:
    """Hits and misses per view, stored entries and memory, for `manage.py cache_stats`."""
    flush_counts()
    names = _stored_keys("stats:*")
    values = cache.get_many(names)
    views: dict[str, dict[str, int]] = {}
    for name, value in values.items():
        _, view_name, outcome = name.split(":", 2)
        views.setdefault(view_name, {"hits": 0, "misses": 0})[outcome] = int(value)
    entries = len(_stored_keys("resp:*"))
    client = _redis_client()
    memory = client.info("memory")["used_memory"] if client is not None else None
    return {"views": views, "entries": entries, "memory_bytes": memory}


def clear_responses() -> int:
    """Make every cached response unreachable at once (all processes), then free them."""
    _replace_generations([EPOCH])
    if _redis_client() is not None:
        return cache.delete_pattern("resp:*")
    keys = _stored_keys("resp:*")
    cache.delete_many(keys)
    return len(keys)
