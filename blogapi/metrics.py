"""Prometheus metrics at /metrics: requests by view and status, their latency, and
response-cache hits and misses by view.

Several gunicorn workers report combined numbers through prometheus_client's
multiprocess mode: gunicorn.conf.py points PROMETHEUS_MULTIPROC_DIR at a directory
wiped at start, each worker writes its counters there, and a scrape served by any
worker adds up every file (a dead worker's counts included, so totals never drop).
Without that variable (runserver, tests, a management command) the numbers are this
process's own.

Who may read them: a client on the loopback interface that did not come through a
proxy (no X-Forwarded-For), or one with `Authorization: Bearer <METRICS_TOKEN>`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import choose_encoder

REQUESTS = Counter(
    "blogapi_http_requests_total",
    "HTTP requests answered, by view, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "blogapi_http_request_duration_seconds",
    "Time from the request entering Django to its response leaving it, by view, method and status.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
CACHE_LOOKUPS = Counter(
    "blogapi_response_cache_lookups_total",
    "Response-cache lookups, by cached view and outcome (hit or miss).",
    ["view", "outcome"],
)

# Forwarding headers: a request relayed by a proxy on this host has a loopback
# REMOTE_ADDR, but its client is elsewhere.
_FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
_OUTCOMES = {"hits": "hit", "misses": "miss"}
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def count_cache_lookup(view_name: str, outcome: str) -> None:
    """Called by blogapi.caching for every cached-view lookup ("hits" or "misses")."""
    with contextlib.suppress(OSError):  # see RequestMetricsMiddleware
        CACHE_LOOKUPS.labels(view_name, _OUTCOMES.get(outcome, outcome)).inc()


def _view_label(request: HttpRequest) -> str:
    # URL names, not paths: a bounded set of labels whatever clients ask for.
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or "unnamed"
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    return "unresolved"


class RequestMetricsMiddleware:
    """Counts and times every request; first in MIDDLEWARE so the time covers the rest."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in _METHODS else "other"
        labels = (_view_label(request), method, str(response.status_code))
        # Multiprocess mode writes to files: a vanished directory costs metrics, never a 500.
        with contextlib.suppress(OSError):
            REQUESTS.labels(*labels).inc()
            LATENCY.labels(*labels).observe(time.perf_counter() - started)
        return response


def _is_local(request: HttpRequest) -> bool:
    if any(header in request.META for header in _FORWARDED):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _has_token(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and secrets.compare_digest(given.strip(), token)


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def metrics_view(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format (OpenMetrics if the scraper asks for it), GET only."""
    if not (_is_local(request) or _has_token(request)):
        if settings.METRICS_TOKEN:
            response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        return HttpResponse("Metrics are served to localhost only.\n", status=403, content_type="text/plain")
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse(status=405)
        response["Allow"] = "GET, HEAD"
        return response
    encode, content_type = choose_encoder(request.META.get("HTTP_ACCEPT", ""))
    response = HttpResponse(encode(_registry()), content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


# Included by blogapi/urls.py as `path("metrics", include("blogapi.metrics"))`: /metrics,
# the path Prometheus scrapes by default.
urlpatterns = [path("", metrics_view, name="metrics")]
