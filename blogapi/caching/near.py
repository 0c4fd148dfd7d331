"""The near cache: this process's copies of responses (and of rows read to authenticate),
bounded in bytes, least recently used out first.

A copy is stored with the stamp it was computed under and used only while the tokens
this process holds under a lease give that same stamp (generations.py): it is exactly
as fresh as the shared entry, and a hit on it asks Redis nothing. Bodies are kept
uncompressed: a hit sends them as they are.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from cachetools import LRUCache
from django.conf import settings
from django.core.signals import setting_changed

# What an item costs beyond the sizes it reports: its slots in the LRU's three
# dictionaries, the tuple key and the item object itself (measured with tracemalloc).
ITEM_OVERHEAD = 600


class Copy:
    """Anything held: `stamp` says what it was computed under, `nbytes` what it costs."""

    __slots__ = ("nbytes", "stamp")

    def __init__(self, stamp: str, nbytes: int) -> None:
        self.stamp = stamp
        self.nbytes = nbytes + len(stamp) + ITEM_OVERHEAD


class _NearCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: LRUCache | None = None
        self.configure()

    def configure(self) -> None:
        size = settings.RESPONSE_CACHE_NEAR_BYTES if settings.RESPONSE_CACHE_LEASE > 0 else 0
        with self.lock:
            self.items = LRUCache(maxsize=size, getsizeof=_size) if size > 0 else None

    @property
    def enabled(self) -> bool:
        return self.items is not None

    def get(self, key: Any, stamp: str | None = None) -> Any:
        """The copy under `key`; with `stamp`, only if it was computed under that stamp."""
        items = self.items
        if items is None:
            return None
        with self.lock:
            held = items.get(key)
        if held is None or (stamp is not None and held.stamp != stamp):
            return None
        return held

    def put(self, key: Any, copy: Copy) -> None:
        items = self.items
        if items is None:
            return
        # LRUCache refuses an item larger than the whole bound: such a copy is simply not kept.
        with self.lock, contextlib.suppress(ValueError):
            items[key] = copy

    def clear(self) -> None:
        self.configure()

    @property
    def nbytes(self) -> int:
        return int(self.items.currsize) if self.items is not None else 0

    def __len__(self) -> int:
        return len(self.items) if self.items is not None else 0


def _size(copy: Copy) -> int:
    return copy.nbytes


near = _NearCache()


def _reconfigure(*, setting: str, **kwargs: Any) -> None:
    if setting in ("RESPONSE_CACHE_NEAR_BYTES", "RESPONSE_CACHE_LEASE", "CACHES"):
        near.configure()


setting_changed.connect(_reconfigure)
