"""/metrics: requests by view, method and status with their latency, response-cache hits
and misses by view, in the Prometheus text format; served to localhost or a token holder.

The counters live for the whole test process, so every test compares a scrape taken
before with one taken after.
"""

import pytest
from django.test import override_settings
from prometheus_client.parser import text_string_to_metric_families

from posts.tests.factories import PostFactory

TOKEN = "metrics-token-for-tests-0123456789"


def scrape(api, **extra) -> dict[tuple[str, frozenset], float]:
    response = api.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def growth(before, after, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def test_metrics_are_in_the_prometheus_text_format(api):
    response = api.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "# TYPE blogapi_http_requests_total counter" in text
    assert "# TYPE blogapi_http_request_duration_seconds histogram" in text
    assert "# TYPE blogapi_response_cache_lookups_total counter" in text


def test_openmetrics_is_served_to_scrapers_that_ask_for_it(api):
    response = api.get("/metrics", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert response.content.endswith(b"# EOF\n")


def test_requests_are_counted_by_view_method_and_status(api):
    post = PostFactory()
    before = scrape(api)

    api.get("/api/v1/posts/")
    api.get("/api/v1/posts/")
    api.get(f"/api/v2/posts/{post.pk}/")
    api.get("/api/v1/posts/999999/")
    api.post("/api/v1/posts/", {"title": "t", "content": "c"}, format="json")  # anonymous: 401

    after = scrape(api)
    requests = "blogapi_http_requests_total"
    assert growth(before, after, requests, view="v1:post-list", method="GET", status="200") == 2
    assert growth(before, after, requests, view="v2:post-detail", method="GET", status="200") == 1
    assert growth(before, after, requests, view="v1:post-detail", method="GET", status="404") == 1
    assert growth(before, after, requests, view="v1:post-list", method="POST", status="401") == 1


def test_latency_is_a_histogram_by_view_and_status(api):
    before = scrape(api)

    for _ in range(3):
        api.get("/api/v1/users/")

    after = scrape(api)
    labels = {"view": "v1:user-list", "method": "GET", "status": "200"}
    histogram = "blogapi_http_request_duration_seconds"
    assert growth(before, after, f"{histogram}_count", **labels) == 3
    assert growth(before, after, f"{histogram}_bucket", le="+Inf", **labels) == 3
    assert growth(before, after, f"{histogram}_bucket", le="30.0", **labels) == 3
    assert 0 < growth(before, after, f"{histogram}_sum", **labels) < 30


def test_cache_hits_and_misses_are_counted_by_view(api):
    post = PostFactory()
    before = scrape(api)

    first, second = api.get("/api/v1/posts/"), api.get("/api/v1/posts/")
    detail = api.get(f"/api/v1/posts/{post.pk}/")

    after = scrape(api)
    assert (first["X-Cache"], second["X-Cache"], detail["X-Cache"]) == ("MISS", "HIT", "MISS")
    lookups = "blogapi_response_cache_lookups_total"
    assert growth(before, after, lookups, view="post-list", outcome="miss") == 1
    assert growth(before, after, lookups, view="post-list", outcome="hit") == 1
    assert growth(before, after, lookups, view="post-retrieve", outcome="miss") == 1
    assert growth(before, after, lookups, view="post-retrieve", outcome="hit") == 0


def test_unknown_paths_share_one_label(api):
    """A label per path would let any client grow the metrics without bound."""
    before = scrape(api)

    api.get("/no/such/page/1/")
    api.get("/no/such/page/2/")

    after = scrape(api)
    assert growth(before, after, "blogapi_http_requests_total", view="unresolved", method="GET", status="404") == 2
    assert not any("/no/such" in str(labels) for _, labels in after)


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.53", "::1", "::ffff:127.0.0.1"])
def test_loopback_clients_read_metrics(api, address):
    assert api.get("/metrics", REMOTE_ADDR=address).status_code == 200


def test_remote_clients_are_refused(api):
    response = api.get("/metrics", REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 403
    assert response.content == b"Metrics are served to localhost only.\n"


def test_a_request_relayed_by_a_local_proxy_is_refused(api):
    """A proxy on the same host connects from 127.0.0.1; its client is elsewhere."""
    response = api.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert response.status_code == 403
    assert b"blogapi_http_requests_total" not in response.content


@override_settings(METRICS_TOKEN=TOKEN)
def test_the_bearer_token_opens_metrics_to_remote_clients(api):
    granted = api.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    relayed = api.get(
        "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"
    )

    assert granted.status_code == relayed.status_code == 200
    assert b"blogapi_http_requests_total" in granted.content


@override_settings(METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_a_missing_or_wrong_token_is_a_401(api, authorization):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = api.get("/metrics", REMOTE_ADDR="203.0.113.7", **extra)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"blogapi_" not in response.content


def test_metrics_are_read_only(api):
    response = api.post("/metrics", {}, format="json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert b"blogapi_" not in response.content
