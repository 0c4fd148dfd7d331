"""Generation tokens, the leases that let a process trust its copy of them, and invalidation.

Tokens. Every tag has a random generation token in the shared cache. A cached response
is stamped with the tokens of its tags (the epoch first) read before its view queried
the database, and served only while they are unchanged: a write deletes the tokens of
the tags it touches after its transaction commits, and the next reader creates fresh
ones (`add`, so concurrent readers agree). Deleting needs no memory, so an invalidation
succeeds whenever Redis answers at all, out of memory included; a reader that cannot
store a fresh token serves from the database. Random tokens, never counters: an evicted
token can only drop entries, never revive old ones.

Leases (Gray and Cheriton, 1989). A process may use tokens it read for at most
RESPONSE_CACHE_LEASE seconds, measured on its monotonic clock from before it sent the
read; within the lease a hit asks Redis nothing. In exchange a write returns only once
its deletions are acknowledged and a lease has passed since (also when they could not
be written: readers' leases run out and they cannot renew). Any copy a reader still
holds was read before the write's deletion, so it has expired before the write returns.
Every process sharing the cache must use the same lease. Inside a request (or
`one_wait_for_writes()`), all the writes of the request pay that wait once, at the end.

Failure. A cache error opens a short circuit (RESPONSE_CACHE_RETRY_AFTER) during which
reads skip the cache. A process that saw Redis unreachable, or could not write an
invalidation, deletes the epoch before it uses the cache again (a background thread
does it as soon as Redis answers, requests or not) and waits a lease: every
invalidation it could not write, and every one another process could not, is then
applied, since nothing stamped before is reachable.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from redis.exceptions import ResponseError

from .dependencies import EPOCH

logger = logging.getLogger("blogapi.caching")

GENERATION_TTL = 7 * 24 * 3600  # outlives any response entry; an expired token only drops entries
LEASE_MARGIN = 1.001  # monotonic clocks of two hosts under NTP run apart by < 0.05 %


class CacheUnavailable(Exception):
    """The shared cache did not answer (down, stalled, or the circuit is open)."""


def lease() -> float:
    return settings.RESPONSE_CACHE_LEASE


def generation_key(tag: str) -> str:
    return f"gen:{tag}"


# --- The circuit breaker, and recovery after an outage ---------------------------------------


class _Health:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.retry_at = 0.0
        # Bumped whenever this process sees Redis unreachable or loses an invalidation;
        # recovery deletes the epoch and clears it only if nothing happened meanwhile.
        self.outages = 0
        self.recovered = 0
        self.retrier: threading.Thread | None = None

    @property
    def outage_seen(self) -> bool:
        return self.outages != self.recovered

    def open(self) -> None:
        with self.lock:
            self.retry_at = time.monotonic() + settings.RESPONSE_CACHE_RETRY_AFTER
            self.outages += 1
        _tokens.clear()  # nothing read before the outage is trusted after it
        _retry_in_background()

    def is_open(self) -> bool:
        return time.monotonic() < self.retry_at


health = _Health()


def call(operation: Callable[..., Any], *args: Any, bypass_circuit: bool = False, **kwargs: Any) -> Any:
    """Run a cache operation. While the circuit is open, or an outage is not yet recovered
    from, reads skip the cache. Invalidations bypass the circuit: Redis may be back already,
    and another process that never saw it fail would serve what they must drop."""
    if not bypass_circuit and (health.outage_seen or health.is_open()):
        raise CacheUnavailable
    try:
        return operation(*args, **kwargs)
    except Exception as exc:
        if _answered(exc) and not bypass_circuit:
            # Redis answered with an error (out of memory under noeviction, say): it is
            # there, our deletions still work, so this request alone goes without the cache.
            logger.warning("cache refused %s: %s", getattr(operation, "__name__", operation), exc)
            raise CacheUnavailable from exc
        health.open()
        logger.warning("cache unavailable (%s: %s); serving from the database", type(exc).__name__, exc)
        raise CacheUnavailable from exc


def _answered(exc: BaseException) -> bool:
    return isinstance(exc, ResponseError) or isinstance(exc.__cause__, ResponseError)


def _recover() -> None:
    """Delete the epoch, then wait a lease before trusting the cache again."""
    seen = health.outages
    cache.delete(generation_key(EPOCH))
    time.sleep(lease() * LEASE_MARGIN)
    with health.lock:
        if health.outages == seen:
            health.recovered = seen
    logger.warning("cache reachable again: every response cached before the outage dropped")


def _retry_in_background() -> None:
    """Recover as soon as the cache is back, even if this process gets no further request
    (a worker that only writes, say)."""

    def run() -> None:
        while health.outage_seen:
            time.sleep(min(settings.RESPONSE_CACHE_RETRY_AFTER, 0.2))
            with contextlib.suppress(Exception):
                _recover()
        health.retrier = None

    with health.lock:
        if health.retrier is None:
            health.retrier = threading.Thread(target=run, name="cache-recovery", daemon=True)
            health.retrier.start()


# --- Tokens, held under a lease ---------------------------------------------------------------

# tag -> (token, monotonic time its lease ends). Plain dict operations: atomic under the GIL.
_tokens: dict[str, tuple[str, float]] = {}
_PRUNE_ABOVE = 50_000  # tokens held; expired ones are dropped past this (they serve nothing)


def leased_stamp(tags: list[str]) -> str | None:
    """The stamp of `tags` from tokens this process may still trust without asking, or None."""
    now = time.monotonic()
    tokens = []
    for tag in tags:
        held = _tokens.get(tag)
        if held is None or held[1] <= now:
            return None
        tokens.append(held[0])
    return ",".join(tokens)


def current_stamp(tags: list[str]) -> str:
    """The stamp of `tags`: from the tokens held under a lease, else read (and then held)."""
    return leased_stamp(tags) or fetch_stamp(tags)[0]


def fetch_stamp(tags: list[str], also: str | None = None) -> tuple[str, Any]:
    """One round trip: the current tokens of `tags` (creating missing ones) and, if asked,
    the value stored under `also`. The tokens are then held for a lease."""
    started = time.monotonic()
    keys = [generation_key(tag) for tag in tags]
    found = call(cache.get_many, [*keys, also] if also else keys)
    for key in keys:
        if key not in found:
            # First use, or deleted by a write: a fresh token. `add`, so concurrent readers agree.
            token = secrets.token_hex(8)
            found[key] = token if call(cache.add, key, token, GENERATION_TTL) else call(cache.get, key)
            if found[key] is None:
                raise CacheUnavailable
    if lease() > 0:
        if len(_tokens) > _PRUNE_ABOVE:
            _prune(started)
        until = started + lease()
        for tag, key in zip(tags, keys, strict=True):
            _tokens[tag] = (found[key], until)
    return ",".join(found[key] for key in keys), found.get(also)


def _prune(now: float) -> None:
    for tag, (_, until) in list(_tokens.items()):
        if until <= now:
            _tokens.pop(tag, None)


def forget_tokens() -> None:
    _tokens.clear()


# --- Invalidation -------------------------------------------------------------------------------

_pending = threading.local()  # .tags[alias]: tags to delete when that connection's transaction commits


def invalidate(tags: Iterable[str], using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop every cached response that depends on one of `tags`, once the current transaction
    on `using` commits (at once outside one). All tags of a transaction go in one round trip
    and pay one lease wait; a rolled-back transaction drops nothing it needed to."""
    pending = _pending.__dict__.setdefault("tags", {})
    pending.setdefault(using, set()).update(tags)
    connection = connections[using]
    if not connection.in_atomic_block:
        _flush(using)
    elif not any(hook[1] is _flush_hooks[using] for hook in connection.run_on_commit):
        transaction.on_commit(_flush_hooks[using], using=using)


class _FlushHooks(dict):
    def __missing__(self, alias: str) -> Callable[[], None]:
        self[alias] = hook = lambda: _flush(alias)
        return hook


_flush_hooks = _FlushHooks()


def _flush(using: str) -> None:
    tags = _pending.__dict__.get("tags", {}).pop(using, set())
    if tags:
        delete_generations(tags)


def delete_generations(tags: Iterable[str]) -> None:
    """Delete the tokens of `tags` now, then make the caller wait out every lease on them."""
    tags = list(tags)
    for tag in tags:
        _tokens.pop(tag, None)  # this process sees its own write at once
    try:
        call(cache.delete_many, [generation_key(tag) for tag in tags], bypass_circuit=True)
    except CacheUnavailable:
        # Not lost: the outage is recorded, and recovery deletes the epoch.
        logger.warning("cache unavailable: invalidation of %s applied on recovery", sorted(tags))
    settle_after(time.monotonic())


# --- The writer's wait ----------------------------------------------------------------------------

_settle = threading.local()  # .depth: nested one_wait_for_writes(); .until: when the wait ends


def settle_after(acknowledged: float) -> None:
    """Return (or, within `one_wait_for_writes()`, let it return) no sooner than a lease
    after `acknowledged`: by then every lease read before it has run out."""
    if lease() <= 0:
        return
    until = acknowledged + lease() * LEASE_MARGIN
    if getattr(_settle, "depth", 0):
        _settle.until = max(getattr(_settle, "until", 0.0), until)
    else:
        _sleep_until(until)


@contextlib.contextmanager
def one_wait_for_writes() -> Iterator[None]:
    """Every write inside pays its lease wait once, on the way out (a request, a seed run)."""
    _settle.depth = getattr(_settle, "depth", 0) + 1
    try:
        yield
    finally:
        _settle.depth -= 1
        if not _settle.depth:
            until, _settle.until = getattr(_settle, "until", 0.0), 0.0
            _sleep_until(until)


def _sleep_until(until: float) -> None:
    remaining = until - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
