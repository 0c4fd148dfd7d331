"""`make bench`: the production settings, plus the floor view and persistent connections.

The benchmark measures what a deployment serves, so nothing here changes the product:
it only mounts `bench/floor/` (a trivial JSON view behind the same middleware) and keeps
database connections open for the life of the worker.
"""

from .production import *  # noqa: F403
from .production import DATABASES

ROOT_URLCONF = "bench.urls"
if "CONN_MAX_AGE" in DATABASES["default"]:
    DATABASES["default"]["CONN_MAX_AGE"] = None  # persistent: never reconnect mid-run
