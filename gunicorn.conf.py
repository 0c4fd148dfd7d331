"""gunicorn settings, read from the working directory by every `gunicorn blogapi.wsgi:application`.

Only what a bare gunicorn lacks for this app: timeouts, an optional access log, the shared
directory of the Prometheus metrics (blogapi/metrics.py), and no control socket at a
path every gunicorn on the host would share. Everything else keeps gunicorn's defaults:
bind 127.0.0.1:8000 (0.0.0.0:$PORT when PORT is set), workers from WEB_CONCURRENCY
(else 1), sync workers. Command-line flags override all of it; the Procfile passes
--bind and --workers.
"""

import glob
import os
import shutil
import tempfile

# --- Timeouts --------------------------------------------------------------------------
# A worker silent this long is killed and replaced (requests are short; the slowest
# path, a cache outage, costs CACHE_SOCKET_TIMEOUT plus a database query).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (deploys, honcho stopping), requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# Seconds an idle keep-alive connection is held (only for non-sync workers; behind a proxy).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# --- Control socket --------------------------------------------------------------------
# gunicorn >= 25 opens one at a fixed path per user ($XDG_RUNTIME_DIR or ~/.gunicorn):
# several masters on one host (the way to scale out here) would take it from one another,
# and `gunicornc` would steer whichever started last. Off unless given a path of its own.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# --- Logs ------------------------------------------------------------------------------
# The app writes one line per request itself (blogapi.request: method, path, status,
# duration, cache HIT/MISS, on stderr). gunicorn's access log would be a second line for
# every request, at a tenth of a cache hit's cost: off unless GUNICORN_ACCESS_LOG names
# stdout ("-") or a file.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# Client, request line, status, bytes, duration in ms, user agent.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# --- Metrics shared by the workers -----------------------------------------------------
# prometheus_client picks its multiprocess mode when first imported, so the variable is
# set here, in the master, before any worker is forked. Given: that directory is used
# (created if missing, its *.db files deleted at start). Not given: a fresh temporary
# directory of this master's own, removed when it exits. (This file is read again on
# SIGHUP: the variable is set by then, and the marker says whose directory it is.)
_OWNER = "BLOGAPI_METRICS_DIR_OWNER"
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="blogapi-metrics-")
    os.environ[_OWNER] = str(os.getpid())


def on_starting(server) -> None:
    """Once, before the first worker: start from zero, not from a previous run's counts."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for stale in glob.glob(os.path.join(directory, "*.db")):
        os.remove(stale)


def child_exit(server, worker) -> None:
    """A worker died or was replaced: drop its live gauges; its counters still count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    # Not after a USR2 upgrade (reexec_pid): the new master goes on using the directory.
    if os.environ.get(_OWNER) == str(os.getpid()) and not server.reexec_pid:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
