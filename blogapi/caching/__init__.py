"""Per-view response caching that is never wrong, and fast. The whole design lives in this
package; it is the only code that knows cache keys and tags.

- dependencies.py  what responses are built from and what writes drop, named by model:
                   `@tracked(...)` on a model, `depends_on=[Post, row(Post), ...]` on a view
- writes.py        every ORM write to a tracked model, caught at Django's SQL compilers
- generations.py   generation tokens, the leases that let a process trust them without
                   asking Redis, invalidation after commit, the writer's wait, outages
- near.py          this process's copies (responses, held rows), bounded in bytes, LRU
- entries.py       a cached response: stored form, ETag, the answer built from it
- pages.py         `cache_page`, the decorator views use (Django's call shape)
- front.py         the middleware answering anonymous near-cache hits before Django's
                   view machinery runs, and making a request's writes wait once
- held.py          other values kept the same way (the user a JWT names)
- operations.py    hit/miss counts, `cache_stats`, `cache_clear`

The caching contract these keep is written out in docs/CACHING.md.
"""

from .dependencies import CALLER, column, row, rows, tracked
from .generations import CacheUnavailable, one_wait_for_writes
from .held import held
from .operations import clear_responses, flush_counts, stats
from .pages import cache_page
from .writes import models_changed

__all__ = [
    "CALLER",
    "CacheUnavailable",
    "cache_page",
    "clear_responses",
    "column",
    "flush_counts",
    "held",
    "models_changed",
    "one_wait_for_writes",
    "row",
    "rows",
    "stats",
    "tracked",
]
