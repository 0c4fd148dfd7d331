"""Login throttling: failed logins are counted per username and per client address.

Each login attempt first reserves a slot with one atomic increment of a per-window
counter; an attempt whose slot is past the limit is refused (429) before the password
is checked, so concurrent guesses cannot all slip through a read-then-write gap. A
successful login gives its slot back (it was no failure) and clears the username's
count. Windows are fixed (`DEFAULT_THROTTLE_RATES`, e.g. "5/min"), read at call time.

The counts live in the shared cache so every process enforces one limit. While the
shared cache is unreachable each process counts in its own memory instead (the
`local` cache): the limit then holds per process (never unlimited guessing), and a
login never fails because Redis did.
"""

import contextlib
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import caches

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

clock = time.time  # tests move time forward by replacing this


def _parse_rate(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


def _incr(key: str, timeout: int) -> int:
    """Atomically count one more under `key`: in the shared cache, or in this process's if that fails."""
    try:
        return _incr_in(caches["default"], key, timeout)
    except Exception:
        return _incr_in(caches["local"], key, timeout)


def _incr_in(cache, key: str, timeout: int) -> int:
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 0, timeout)
        return cache.incr(key)


class _FailedLogins:
    scope: str

    def __init__(self, ident: str) -> None:
        self.limit, self.duration = _parse_rate(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope])
        now = clock()
        window = int(now // self.duration)
        self.window_ends_in = (window + 1) * self.duration - now
        # Hashed: any string may be sent as a username, and not every string is a good cache key.
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        self.key = f"login-failures:{self.scope}:{digest}:{window}"

    def reserve(self) -> bool:
        """Count this attempt; False when the limit was already reached in this window."""
        return _incr(self.key, math.ceil(self.window_ends_in) + 1) <= self.limit

    def wait(self) -> int:
        """Seconds until the window ends and attempts are counted afresh (Retry-After)."""
        return max(1, math.ceil(self.window_ends_in))

    def give_back(self) -> None:
        """The reserved attempt succeeded: it was no failure."""
        for alias in ("default", "local"):
            with contextlib.suppress(Exception):  # ValueError: it was counted in the other cache
                caches[alias].decr(self.key)
                return

    def reset(self) -> None:
        for alias in ("default", "local"):
            with contextlib.suppress(Exception):
                caches[alias].delete(self.key)


class FailedLoginsPerUsername(_FailedLogins):
    scope = "login_username"

    def __init__(self, username: str) -> None:
        super().__init__(username.lower())


class FailedLoginsPerAddress(_FailedLogins):
    scope = "login_address"
