"""`make bench` (quick) and `make bench-full`: what the response cache buys, side by side.

    python -m bench.run [--full] [--seconds N] [--rounds N]

One run: PostgreSQL + Redis (the running ones, else throwaway ones, via
support.devservices), the database `blogapi_bench` (`blogapi_bench_full`, recreated, for
the full run) and Redis dbs 5, 6 and 9 (BENCH_REDIS_DB, BENCH_SPARE_REDIS_DB,
BENCH_NO_NEAR_REDIS_DB) under the key prefix `blogapi-bench`; migrate; seed_demo; our
gunicorns with the production settings, one sync worker each: one as deployed (response
cache and near cache), one with RESPONSE_CACHE_ENABLED=false for the misses, one with its
cache on db 6 that holds 100,000 entries for the invalidation cost, one without the near
cache (RESPONSE_CACHE_LEASE=0, db 9) for the PATCH latency; and beside them the peers
(bench/peers/): the Flask tutorial, FastAPI with fastapi-cache2, and the floor, a bare
Django project. wrk (`-t1 -c8`, bounded in time, loopback) measures every case in
interleaved rounds, with Redis's own command counters read around each of our hit cases;
then the Redis bytes per entry, the PATCH latencies and the scale figures (judged against
their targets in the full run). Results: bench/results/latest.json (+ quick.json or
full.json), bench/results/<mode>.png, bench/RESULTS.md; the table is printed. Everything
started is stopped by pid.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

from bench import report
from bench.load import request, wrk, wrk_available
from bench.peers import Peers
from bench.servers import Stack, log

DEMO_PASSWORD = "blogapi-demo"  # blogapi.demo_data.DEMO_PASSWORD (read here without Django set up)
LEASE_SECONDS = 0.25  # RESPONSE_CACHE_LEASE as deployed with Redis (blogapi/settings/base.py)


@dataclass(frozen=True)
class Mode:
    name: str
    database: str
    fresh_database: bool
    users: int
    posts: int
    seconds: int  # per wrk run
    rounds: int  # every case is measured this many times, interleaved (order rotated each round)
    update_samples: int
    large_entries: int = 100_000
    small_entries: int = 100


QUICK = Mode("quick", "blogapi_bench", False, users=100, posts=10_000, seconds=2, rounds=5, update_samples=40)
FULL = Mode("full", "blogapi_bench_full", True, users=1_000, posts=1_000_000, seconds=5, rounds=5, update_samples=100)


@dataclass(frozen=True)
class Case:
    name: str
    label: str
    server: str  # ours: "cached" or "uncached" (RESPONSE_CACHE_ENABLED=false); a peer: "flask", "fastapi", "floor"
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    x_cache: str | None = None  # what every response must say


def cases(post_id: int, etag: str, token: str) -> list[Case]:
    bearer = {"Authorization": f"Bearer {token}"}
    # Measured in this order (rotated each round): each ratio's two cases sit side by side
    # where they can, so a burst of outside load hits both alike.
    return [
        Case("floor", "floor (bare Django JSON view)", "floor", "/bench/floor/"),
        Case("v1_list_20_hit", "v1 list, 20/page, hit", "cached", "/api/v1/posts/", x_cache="HIT"),
        Case(
            "revalidation_304",
            "v1 list, 20/page, 304",
            "cached",
            "/api/v1/posts/",
            headers={"If-None-Match": etag},
            status=304,
            x_cache="HIT",
        ),
        Case("v1_list_20_miss", "v1 list, 20/page, miss", "uncached", "/api/v1/posts/", x_cache="MISS"),
        Case("flask_list_100", "Flask tutorial: list of 100, cached", "flask", "/api/v1/posts?per_page=100"),
        Case("v1_list_100_hit", "v1 list, 100/page, hit", "cached", "/api/v1/posts/?page_size=100", x_cache="HIT"),
        Case("fastapi_list_100", "FastAPI: list of 100, cached", "fastapi", "/api/v1/posts?page_size=100"),
        Case("v1_list_100_miss", "v1 list, 100/page, miss", "uncached", "/api/v1/posts/?page_size=100", x_cache="MISS"),
        Case("flask_detail", "Flask tutorial: detail, cached", "flask", f"/api/v1/posts/{post_id}"),
        Case("detail_hit", "v1 detail, hit", "cached", f"/api/v1/posts/{post_id}/", x_cache="HIT"),
        Case("fastapi_detail", "FastAPI: detail, cached", "fastapi", f"/api/v1/posts/{post_id}"),
        Case("detail_miss", "v1 detail, miss", "uncached", f"/api/v1/posts/{post_id}/", x_cache="MISS"),
        Case("v2_list_hit", "v2 list (cursor), hit", "cached", "/api/v2/posts/", x_cache="HIT"),
        Case("v2_list_miss", "v2 list (cursor), miss", "uncached", "/api/v2/posts/", x_cache="MISS"),
        Case("todo_list_hit", "v1 own to-do list, hit", "cached", "/api/v1/todos/", headers=bearer, x_cache="HIT"),
    ]


def is_our_hit(case: Case) -> bool:
    return case.server == "cached"


def check(base_url: str, case: Case) -> int:
    """Warm the case and make sure it answers what it claims to (a hit: the same bytes as
    the request before it); returns the body size."""
    first = reply = request(base_url, "GET", case.path, case.headers)
    if case.x_cache == "HIT":
        reply = request(base_url, "GET", case.path, case.headers)
    if reply.status != case.status or (case.x_cache and reply.headers.get("x-cache") != case.x_cache):
        raise RuntimeError(f"{case.name}: got {reply.status} X-Cache={reply.headers.get('x-cache')}")
    if reply.body != first.body:
        raise RuntimeError(f"{case.name}: a hit answered other bytes than the request before it")
    return len(reply.body)


def redis_commands(stack: Stack) -> int:
    """Commands the Redis server has run so far, by its own counters (INFO excluded)."""
    stats = stack.redis().info("commandstats")
    return sum(stat["calls"] for name, stat in stats.items() if name != "cmdstat_info")


def measure_cases(mode: Mode, stack: Stack, servers: dict[str, str], all_cases: list[Case]) -> dict[str, dict]:
    runs: dict[str, list[dict]] = {case.name: [] for case in all_cases}
    body_bytes: dict[str, int] = {}
    for round_number in range(1, mode.rounds + 1):
        log(f"round {round_number}/{mode.rounds}: {len(all_cases)} cases x {mode.seconds} s")
        rotated = all_cases[round_number - 1 :] + all_cases[: round_number - 1]
        for case in rotated:
            base_url = servers[case.server]
            body_bytes[case.name] = check(base_url, case)
            commands_before = redis_commands(stack)
            result = wrk(base_url + case.path, seconds=mode.seconds, headers=case.headers)
            result["redis_commands"] = redis_commands(stack) - commands_before
            if result["bad_status"] or result["socket_errors"] > result["requests"] // 100:
                bad, errors = result["bad_status"], result["socket_errors"]
                raise RuntimeError(f"{case.name}: {bad} bad statuses, {errors} socket errors")
            runs[case.name].append(result)
    measured = {}
    for case in all_cases:
        by_rps = sorted(runs[case.name], key=lambda run: run["rps"])
        median = by_rps[len(by_rps) // 2]
        measured[case.name] = {
            "label": case.label,
            "server": case.server,
            "path": case.path,
            "rps": median["rps"],
            "p50_ms": median["p50_ms"],
            "p99_ms": median["p99_ms"],
            # The slowest request of every round, and Redis commands per request over all rounds.
            "max_ms": max(run["max_ms"] for run in runs[case.name]),
            "redis_commands_per_request": round(
                sum(run["redis_commands"] for run in runs[case.name]) / sum(run["requests"] for run in runs[case.name]),
                4,
            ),
            "body_bytes": body_bytes[case.name],
            "rounds_rps": [run["rps"] for run in runs[case.name]],
            # Like every ratio here, the tail's is the median of its rounds' (p99 / p50).
            "tail_ratio": round(statistics.median(run["p99_ms"] / run["p50_ms"] for run in runs[case.name]), 3),
        }
    return measured


# --- Cache keys, as blogapi.caching computes them -------------------------------------------


class KeyRequest:
    """What blogapi.caching.pages.response_key reads from a request, for a GET the bench sends."""

    scheme = "http"
    accepted_renderer = SimpleNamespace(format="json")
    accepted_media_type = "application/json"  # what DRF settles on for `*/*` and for application/json

    def __init__(self, base_url: str, path: str, version: str, user_pk: int | None = None) -> None:
        from django.http import QueryDict

        parts = urlsplit(base_url + path)
        self.path, self.GET, self.version, self.host = parts.path, QueryDict(parts.query), version, parts.netloc
        self.user = SimpleNamespace(pk=user_pk)

    def get_host(self) -> str:
        return self.host


def response_key(view_name: str, base_url: str, path: str, version: str = "v1", user_pk: int | None = None) -> str:
    from blogapi.caching import pages

    return pages.response_key(view_name, KeyRequest(base_url, path, version, user_pk), user_pk is not None)


# --- Invalidation cost ----------------------------------------------------------------------


def fill_path(n: int) -> str:
    return "/api/v1/posts/?" + urlencode({"page_size": 1, "fill": n})


def patch_latency(base_url: str, token: str, post_id: int, title: str) -> float:
    """Wall time (ms) of a PATCH of a post's title over HTTP. The title must be new: an edit
    that changes nothing writes nothing, and so has nothing to invalidate or wait for."""
    started = time.perf_counter()
    bearer = {"Authorization": f"Bearer {token}"}
    reply = request(base_url, "PATCH", f"/api/v1/posts/{post_id}/", bearer, {"title": title})
    if reply.status != 200 or reply.json()["title"] != title:
        raise RuntimeError(f"PATCH post {post_id}: {reply.status} {reply.body[:200]!r}")
    return (time.perf_counter() - started) * 1000


def spare_cache(stack: Stack):
    """The cache API on the spare Redis database, configured like the default cache."""
    from django.conf import settings
    from django_redis.cache import RedisCache

    params = {name: value for name, value in settings.CACHES["default"].items() if name != "LOCATION"}
    return RedisCache(stack.spare_redis_url, params)


def fill(cache, base_url: str, by_http: int, total: int) -> int:
    """`by_http` real misses on distinct query strings (`?page_size=1&fill=N`), then up to
    `total` entries written through the cache API under the keys blogapi.caching computes
    for the next such URLs, each a copy of a real entry (same stamp): seconds instead of
    the minutes as many misses would take. The last one must then be an HTTP hit."""
    for n in range(by_http):
        request(base_url, "GET", fill_path(n))
    if total > by_http:
        value = cache.get(response_key("post-list", base_url, fill_path(0)))
        if value is None:
            raise RuntimeError("the fill entry is not where blogapi.caching keeps it")
        for start in range(by_http, total, 5000):
            keys = (response_key("post-list", base_url, fill_path(n)) for n in range(start, min(start + 5000, total)))
            cache.set_many(dict.fromkeys(keys, value), timeout=600)
        if request(base_url, "GET", fill_path(total - 1)).headers.get("x-cache") != "HIT":
            raise RuntimeError("a directly written fill entry was not served as a hit")
    return sum(1 for _ in cache.iter_keys("resp:*"))


def measure_invalidation(mode: Mode, stack: Stack, servers: dict[str, str], token: str, post_ids: list[int]) -> dict:
    """PATCH latency on a server whose cache holds `small_entries` responses and on one
    whose cache (the spare Redis database) holds `large_entries`, alternated request by
    request so both see the same machine."""
    from django.core.cache import cache

    from blogapi import caching

    caching.clear_responses()
    small_cache, large_cache = cache, spare_cache(stack)
    counts = {
        "small": fill(small_cache, servers["cached"], mode.small_entries, mode.small_entries),
        "large": fill(large_cache, servers["large"], mode.small_entries, mode.large_entries),
    }
    medians = alternated_patch_medians(mode, {"small": servers["cached"], "large": servers["large"]}, token, post_ids)
    caching.clear_responses()
    return {
        "entries_small": counts["small"],
        "entries_large": counts["large"],
        "median_ms_small": medians["small"],
        "median_ms_large": medians["large"],
        "samples": mode.update_samples,
        "method": (
            f"PATCH /api/v1/posts/<id>/ (title) as an admin, median of {mode.update_samples} on each of two "
            "cached gunicorns (one per Redis database), alternated request by request; "
            f"{mode.small_entries} entries in each filled by HTTP misses, the rest of the large one written "
            "through the cache API under the real keys of distinct query strings (copies of a real entry), "
            "checked by an HTTP hit; entries stay stored during the PATCHes (a write never scans or deletes them)"
        ),
    }


def alternated_patch_medians(mode: Mode, pair: dict[str, str], token: str, post_ids: list[int]) -> dict[str, float]:
    """Median PATCH latency (ms) on each of two servers, alternated request by request (the
    order swapped every time) so both see the same machine; the first ten are a warm-up."""
    times: dict[str, list[float]] = {name: [] for name in pair}
    for n in range(10 + mode.update_samples):
        for name in pair if n % 2 else reversed(pair):
            elapsed = patch_latency(pair[name], token, post_ids[n % len(post_ids)], f"Bench {n} on {name}")
            if n >= 10:
                times[name].append(elapsed)
    return {name: round(statistics.median(values), 3) for name, values in times.items()}


def measure_patch_latency(mode: Mode, servers: dict[str, str], token: str, post_ids: list[int]) -> dict:
    """PATCH latency as deployed (a write waits out the near cache's lease) and on a server
    without the near cache (RESPONSE_CACHE_LEASE=0, its own Redis database), alternated
    request by request."""
    medians = alternated_patch_medians(
        mode, {"near": servers["cached"], "no_near": servers["no_near"]}, token, post_ids
    )
    return {
        "median_ms_near": medians["near"],
        "median_ms_no_near": medians["no_near"],
        "lease_ms": LEASE_SECONDS * 1000,
        "samples": mode.update_samples,
    }


# --- Redis bytes per entry ------------------------------------------------------------------


def measure_memory(stack: Stack, base_url: str, measured: dict, post_id: int, demo_pk: int) -> list[dict]:
    from django.core.cache import cache

    entries = [
        ("v1_list_20_hit", "post-list", "/api/v1/posts/", "v1", None),
        ("v1_list_100_hit", "post-list", "/api/v1/posts/?page_size=100", "v1", None),
        ("v2_list_hit", "post-list", "/api/v2/posts/", "v2", None),
        ("detail_hit", "post-retrieve", f"/api/v1/posts/{post_id}/", "v1", None),
        ("todo_list_hit", "todo-list", "/api/v1/todos/", "v1", demo_pk),
    ]
    client, rows = stack.redis(), []
    for case_name, view_name, path, version, user_pk in entries:
        key = cache.make_key(response_key(view_name, base_url, path, version, user_pk))
        redis_bytes = client.memory_usage(key, samples=0)
        if redis_bytes is None:
            raise RuntimeError(f"{case_name}: no entry at {key}")
        body = measured[case_name]["body_bytes"]
        rows.append(
            {
                "case": case_name,
                "label": measured[case_name]["label"],
                "redis_bytes": redis_bytes,
                "body_bytes": body,
                "ratio": round(redis_bytes / body, 3),
                "post_list": view_name == "post-list",
            }
        )
    return rows


# --- Scale ----------------------------------------------------------------------------------


def measure_scale(mode: Mode, uncached: str, seconds: int) -> dict:
    """One client at a time (-c1): the latency a request costs, without queueing behind others."""
    path = "/api/v2/posts/"
    for _ in range(10):
        path = urlsplit(request(uncached, "GET", path).json()["next"])
        path = f"{path.path}?{path.query}"
    count = request(uncached, "GET", "/api/v1/posts/").json()["count"]
    pages = -(-count // 20)
    deep_page = max(1, pages - 10)
    scale = {}
    for name, label, url in (
        ("v2_cursor_page_miss", "v2 cursor page (11th), miss, -c1", path),
        ("v1_deep_page_miss", f"v1 page {deep_page:,} of {pages:,}, miss, -c1", f"/api/v1/posts/?page={deep_page}"),
    ):
        result = wrk(uncached + url, seconds=seconds, connections=1)
        scale[name] = {"label": label, "path": url, **{k: result[k] for k in ("rps", "p50_ms", "p99_ms")}}
    scale["published_posts"] = count
    return scale


# --- The run --------------------------------------------------------------------------------


def run(mode: Mode) -> dict:
    stack = Stack(
        database=mode.database,
        redis_db=int(os.environ.get("BENCH_REDIS_DB", "5")),
        spare_redis_db=int(os.environ.get("BENCH_SPARE_REDIS_DB", "6")),
        no_near_redis_db=int(os.environ.get("BENCH_NO_NEAR_REDIS_DB", "9")),
    )
    peers = None
    try:
        stack.locate_services()
        os.environ.update(stack.env())
        import django

        django.setup()
        stack.create_database(fresh=mode.fresh_database)
        stack.delete_our_keys()
        log("migrate")
        stack.manage("migrate", "--noinput")
        log(f"seed_demo --users {mode.users} --posts {mode.posts}")
        seed_seconds = stack.manage("seed_demo", "--users", str(mode.users), "--posts", str(mode.posts), "--todos", "5")
        log(f"seeded in {seed_seconds:.1f} s")
        servers = {
            "cached": stack.start_gunicorn("cached"),
            "uncached": stack.start_gunicorn("uncached", RESPONSE_CACHE_ENABLED="false"),
            "large": stack.start_gunicorn("cached-large", REDIS_URL=stack.spare_redis_url),
            "no_near": stack.start_gunicorn("no-near", REDIS_URL=stack.no_near_redis_url, RESPONSE_CACHE_LEASE="0"),
        }
        peers = Peers(database_url=stack.database_url, redis_url=stack.redis_url, workdir=stack.workdir)
        servers.update(peers.start())
        cached = servers["cached"]
        wrk(cached + "/api/v1/posts/", seconds=1)  # warm the worker up
        post_id = request(cached, "GET", "/api/v1/posts/").json()["results"][0]["id"]
        etag = request(cached, "GET", "/api/v1/posts/").headers["etag"]
        login = {"username": "demo", "password": DEMO_PASSWORD}
        token = request(cached, "POST", "/api/v1/users/login/", body=login).json()["access"]
        demo_pk = request(cached, "GET", "/api/v1/users/me/", {"Authorization": f"Bearer {token}"}).json()["id"]
        all_cases = cases(post_id, etag, token)
        measured = measure_cases(mode, stack, servers, all_cases)
        memory = measure_memory(stack, cached, measured, post_id, demo_pk)
        log("invalidation cost")
        admin = {"username": "demo_admin", "password": DEMO_PASSWORD}
        admin_token = request(cached, "POST", "/api/v1/users/login/", body=admin).json()["access"]
        page = request(cached, "GET", "/api/v1/posts/?page=2").json()["results"]
        invalidation = measure_invalidation(mode, stack, servers, admin_token, [post["id"] for post in page[:5]])
        log("PATCH latency with and without the near cache")
        invalidation["patch"] = measure_patch_latency(mode, servers, admin_token, [post["id"] for post in page[5:10]])
        log("scale")
        scale = measure_scale(mode, servers["uncached"], max(5, 2 * mode.seconds))
        scale["seed_seconds"] = round(seed_seconds, 2)
        scale["seeded_posts"] = mode.posts
        return report.assemble(mode, measured, memory, invalidation, scale)
    finally:
        if peers is not None:
            peers.stop()
        stack.delete_our_keys()
        stack.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="1,000,000 posts and longer runs")
    parser.add_argument("--seconds", type=int, help="per wrk run (default 3 quick, 8 full)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds per case (default 3)")
    args = parser.parse_args(argv)
    if not wrk_available():
        print("bench: wrk is missing: install Debian's wrk package (apt-get install wrk)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # stop what we started
    mode = FULL if args.full else QUICK
    overrides = {k: v for k, v in (("seconds", args.seconds), ("rounds", args.rounds)) if v}
    if overrides:
        mode = Mode(**{**mode.__dict__, **overrides})
    started = time.monotonic()
    results = run(mode)
    results["run_seconds"] = round(time.monotonic() - started, 1)
    report.save(results)
    print(report.table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
