"""The test suite: real PostgreSQL and Redis, given by `make test` (support.devservices)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"
SIMPLE_JWT["SIGNING_KEY"] = SECRET_KEY  # noqa: F405
# Fast hashing: the suite creates many users; production keeps Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Whatever a developer's .env says, the suite runs tasks in-process and keeps e-mail in
# memory; posts/tests/conftest.py starts real worker/beat processes and undoes both there.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# blogapi.test: the browser tests also serve pages under a name that is not loopback.
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1", "blogapi.test"]
# No background flush in the suite's own process: a test's counts must not land in the next
# test's cache. The gunicorn children a test starts may set it through the environment.
RESPONSE_CACHE_STATS_FLUSH_SECONDS = env.float("RESPONSE_CACHE_STATS_FLUSH_SECONDS", default=0)
# A short lease: every committed write in the suite waits it out. Tests of the lease itself
# set longer ones, in this process and in the servers they start alike.
RESPONSE_CACHE_LEASE = env.float("RESPONSE_CACHE_LEASE", default=0.01 if REDIS_URL else 0.0)  # noqa: F405
LOGGING["root"]["level"] = env("LOG_LEVEL", default="WARNING")  # noqa: F405

# The suite flushes its cache between tests: keep it on a Redis database of its own.
if REDIS_URL:  # noqa: F405
    import re

    CACHES["default"]["LOCATION"] = re.sub(r"/\d*$", "", REDIS_URL) + "/" + env("TEST_REDIS_DB", default="15")  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = "blogapi-test"  # noqa: F405
