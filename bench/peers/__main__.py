"""`python -m bench.peers --check [--wrk SECONDS]`: start the peers, check them, stop them.

PostgreSQL and Redis are found like the bench finds them (support.devservices). The data:
the quick bench's database `blogapi_bench` if it holds published posts, else
`blogapi_peers_check` (created, migrated and seeded with 10 users and 500 posts when
missing). Every case is requested twice (the second must be a hit where the peer shows
it, and answer the same bytes); the lists must hold the posts our API lists, newest first.
Then a round of the Flask tutorial's writes on a post of its own (created, read, updated,
read, deleted). With --wrk, each case is measured with `wrk -t1 -c8 -d<SECONDS>s`.
Everything started is stopped by pid; the peers' cache keys are deleted at both ends.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from bench.load import request, wrk, wrk_available
from bench.peers.servers import FLASK_WRITE_PATHS, Peers, log, peer_cases
from support import ROOT, devservices

BENCH_DATABASE = "blogapi_bench"
CHECK_DATABASE = "blogapi_peers_check"
DEMO_USERNAME, DEMO_PASSWORD = "demo", "blogapi-demo"  # blogapi.demo_data


def connect(server_url: str, dbname: str):
    import psycopg

    parts = urlsplit(server_url)
    conninfo = f"host={parts.hostname} port={parts.port or 5432} user={parts.username} dbname={dbname}"
    if parts.password:
        conninfo += f" password={parts.password}"
    return psycopg.connect(conninfo, autocommit=True)


def published_count(server_url: str, dbname: str) -> int:
    with connect(server_url, "postgres") as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            return -1
    with connect(server_url, dbname) as conn:
        if not conn.execute("SELECT to_regclass('posts_post')").fetchone()[0]:
            return 0
        return conn.execute("SELECT count(*) FROM posts_post WHERE status = 'published'").fetchone()[0]


def seed_check_database(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "blogapi.settings.local"}
    env["SECRET_KEY"] = "peers-check-only-secret-key-0123456789-not-for-any-deployment"
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):  # the embedded defaults: no shared cache or broker
        env.pop(name, None)
    for args in (["migrate", "--noinput"], ["seed_demo", "--users", "10", "--posts", "500", "--todos", "1"]):
        log(f"manage.py {' '.join(args)}")
        command = [sys.executable, "manage.py", *args]
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def database_url(server_url: str) -> str:
    """The bench's database when it has data, else ours for the check (seeded if need be)."""
    parts = urlsplit(server_url)
    if published_count(server_url, BENCH_DATABASE) >= 100:
        return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))
    url = urlunsplit(parts._replace(path=f"/{CHECK_DATABASE}"))
    count = published_count(server_url, CHECK_DATABASE)
    if count < 0:
        with connect(server_url, "postgres") as conn:
            conn.execute(f'CREATE DATABASE "{CHECK_DATABASE}"')
    if count < 100:
        seed_check_database(url)
    return url


def newest_published_ids(url: str, limit: int) -> list[int]:
    with connect(url, urlsplit(url).path.lstrip("/")) as conn:
        rows = conn.execute(
            "SELECT id FROM posts_post WHERE status = 'published' ORDER BY created_at DESC, id DESC LIMIT %s", [limit]
        )
        return [row[0] for row in rows]


def check_cases(peers: Peers, url: str) -> list:
    newest = newest_published_ids(url, 100)
    cases = peer_cases(newest[0])
    for case in cases:
        result = peers.check(case)
        if case.name.startswith("list"):
            ids = [post["id"] for post in request(peers.urls[case.peer], "GET", case.path).json()]
            if ids != newest[: len(ids)]:
                raise RuntimeError(f"{case.label}: not the posts our API lists first, in its order")
        print(f"  {case.label:<18} {case.path:<32} 200 x2, {result.body_bytes:>6} bytes  {result.hit}")
    return cases


def check_flask_writes(peers: Peers) -> None:
    """The tutorial's write path, on a post made for it and deleted after."""
    base = peers.urls["flask"]
    credentials = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
    login = request(base, "POST", FLASK_WRITE_PATHS["login"], body=credentials)
    if login.status != 200:
        raise RuntimeError(f"flask login: {login.status} {login.body[:200]!r}")
    bearer = {"Authorization": f"Bearer {login.json()['token']}"}
    created = request(base, "POST", FLASK_WRITE_PATHS["create"], bearer, {"title": "peer check", "content": "x"})
    if created.status != 201:
        raise RuntimeError(f"flask create: {created.status} {created.body[:200]!r}")
    path = FLASK_WRITE_PATHS["update"].format(id=created.json()["id"])
    before = request(base, "GET", path).json()["title"]
    updated = request(base, "PUT", path, bearer, {"title": "peer check, edited"})
    if updated.status != 200 or updated.json()["title"] != "peer check, edited":
        raise RuntimeError(f"flask update: {updated.status} {updated.body[:200]!r}")
    after = request(base, "GET", path).json()["title"]
    deleted = request(base, "DELETE", path, bearer)
    if deleted.status != 200:
        raise RuntimeError(f"flask delete: {deleted.status} {deleted.body[:200]!r}")
    stale = "stale: the tutorial's cache.delete keys miss Flask-Caching's" if after == before else "fresh"
    print(f"  flask writes       login 200, POST 201, PUT 200, DELETE 200; GET after PUT: {after!r} ({stale})")


def measure(peers: Peers, cases: list, seconds: int) -> None:
    for case in cases:
        result = wrk(peers.urls[case.peer] + case.path, seconds=seconds)
        if result["bad_status"] or result["socket_errors"]:
            raise RuntimeError(f"{case.label}: {result['bad_status']} bad statuses, {result['socket_errors']} errors")
        rps, p50, p99 = result["rps"], result["p50_ms"], result["p99_ms"]
        print(f"  {case.label:<18} {rps:>9,.0f} req/s  p50 {p50:.2f} ms  p99 {p99:.2f} ms")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="start, check and stop the peers")
    parser.add_argument("--wrk", type=int, metavar="SECONDS", help="then measure each case with wrk")
    args = parser.parse_args(argv)
    if not args.check:
        parser.print_help()
        return 2
    if args.wrk and not wrk_available():
        print("bench.peers: wrk is missing: install Debian's wrk package", file=sys.stderr)
        return 2
    peers = None
    try:
        url = database_url(devservices.find_or_start_postgres())
        peers = Peers(url, devservices.find_or_start_redis())
        log(f"database {urlsplit(url).path.lstrip('/')}, Redis dbs {peers.flask_redis_db} and {peers.fastapi_redis_db}")
        peers.start()
        print("cases (each requested twice):")
        cases = check_cases(peers, url)
        check_flask_writes(peers)
        if args.wrk:
            print(f"wrk -t1 -c8 -d{args.wrk}s, cache hits (the floor: no cache):")
            measure(peers, cases, args.wrk)
        print("peers: all checks passed")
        return 0
    finally:
        if peers is not None:
            peers.stop()
        devservices.stop_started()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
