"""What operators see and do: hit and miss counts (per process, added to the shared cache now
and then), and the two operations behind `manage.py cache_stats` and `manage.py cache_clear`."""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.cache import cache

from . import generations
from .dependencies import EPOCH
from .generations import CacheUnavailable

_counts: Counter[str] = Counter()
_counts_lock = threading.Lock()
_flusher_pid = [0]  # the process whose flusher thread runs (a forked worker starts its own)


def count(view_name: str, outcome: str) -> None:
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
            generations.call(cache.add, key, 0, None)
            generations.call(cache.incr, key, delta)
    except (CacheUnavailable, ValueError):
        pass  # counters are best effort; responses never depend on them


def reset_counts() -> None:
    with _counts_lock:
        _counts.clear()


atexit.register(flush_counts)  # a clean exit hands over what the flusher has not (a no-op if nothing)


# --- Operations ---------------------------------------------------------------------------------


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
    """Make every cached response unreachable at once, in every process (once this returns,
    after a lease, none serves one), then free them."""
    generations.delete_generations([EPOCH])
    if _redis_client() is not None:
        return cache.delete_pattern("resp:*")
    keys = _stored_keys("resp:*")
    cache.delete_many(keys)
    return len(keys)
