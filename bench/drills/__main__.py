"""`make drills`: fault drills against two gunicorns under a steady load, one line of figures each.

    python -m bench.drills [DRILL ...]     # all of them by default: redis-kill redis-pause
                                           # worker-kill postgres-restart read-your-writes

Each drill starts its own stack (bench/drills/stack.py): a throwaway PostgreSQL cluster,
a redis-server (cache, and Celery broker on db 1), an SMTP sink, two gunicorns with the
production settings (2 sync workers each), a Celery worker where the drill needs one;
and a load process (bench/drills/load.py: readers on both gunicorns, a writer where the
drill needs one; bounded in requests and time, loopback only). Everything is stopped by
pid at the end. Targets: no 5xx outside a database outage, no stale read, no lost or
doubled e-mail, no request slower than the cache's socket timeout + 1 s.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable

import redis

from . import load
from .stack import Stack, call, log, register_and_login

SOCKET_TIMEOUT = 0.25  # CACHE_SOCKET_TIMEOUT's default, as deployed
PASSWORD = "drill-Pass-123456"


class Drill:
    """A started stack with the tracked post and its author signed in."""

    def __init__(self, *, worker_broker: bool = False) -> None:
        self.stack = Stack(extra_env={"JWT_ACCESS_MINUTES": "120"})
        self.stack.start_services(smtp=True)
        if worker_broker:
            self.broker_url = self.stack.redis.url(1)
            self.stack.extra_env["CELERY_BROKER_URL"] = self.broker_url
        self.stack.manage("migrate", "--noinput")
        self.webs = [self.stack.start_web("web-a"), self.stack.start_web("web-b")]
        self.token = register_and_login(self.webs[0].url, "drill-writer", PASSWORD, "writer@example.com")
        status, body = call(
            self.webs[0].url, "POST", "/api/v1/posts/", token=self.token, body={"title": "tracked v0", "content": "."}
        )
        assert status == 201, (status, body)
        self.post_id, self.author_id = body["id"], body["user_id"]

    def plan(self, name: str, seconds: float, **options) -> load.Plan:
        return load.Plan(
            servers=[web.port for web in self.webs],
            token=self.token,
            post_id=self.post_id,
            author_id=self.author_id,
            out=str(self.stack.workdir / f"{name}.jsonl"),
            seconds=seconds,
            **options,
        )


def at(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def server_errors(samples, start=float("-inf"), end=float("inf")) -> int:
    """5xx among the requests in flight at some moment of [start, end]."""
    return sum(1 for s in samples if s.status >= 500 and s.start <= end and s.end >= start)


def no_answers(samples) -> int:
    return sum(1 for s in samples if s.status == 0)


def slowest(samples) -> float:
    return max((s.end - s.start for s in samples), default=0.0)


# --- The drills ------------------------------------------------------------------------------


def redis_kill(drill: Drill) -> dict:
    """Redis SIGKILLed under load, restarted (empty) 6 s later."""
    plan = drill.plan("redis-kill", seconds=18, writes=10_000, writer_pause=0.1)
    process = load.start(plan)
    begin = time.monotonic()
    at(begin + 5)
    killed = time.monotonic()
    drill.stack.redis.kill()
    at(killed + 6)
    drill.stack.redis.start()
    restarted = time.monotonic()
    samples = load.finish(process, plan)
    during = [s.end - s.start for s in samples if killed <= s.start <= restarted]
    stale_after, _ = load.stale_reads(samples, since=restarted)
    return {
        "requests": len(samples),
        "5xx": server_errors(samples),
        "no_answer": no_answers(samples),
        "p99_outage_ms": round(load.percentile(during, 0.99) * 1000, 1),
        "outage_requests": len(during),
        "stale_after_recovery": stale_after,
        "stale_all": load.stale_reads(samples)[0],
        "slowest_s": round(slowest(samples), 2),
    }


def redis_pause(drill: Drill) -> dict:
    """Redis SIGSTOPped for 20 s under load, then SIGCONT."""
    plan = drill.plan("redis-pause", seconds=34, writes=10_000, writer_pause=0.1)
    process = load.start(plan)
    begin = time.monotonic()
    at(begin + 5)
    paused = time.monotonic()
    drill.stack.redis.pause()
    at(paused + 20)
    drill.stack.redis.resume()
    resumed = time.monotonic()
    samples = load.finish(process, plan)
    limit = SOCKET_TIMEOUT + 1.0
    stale_after, _ = load.stale_reads(samples, since=resumed)
    return {
        "requests": len(samples),
        f"slower_than_{limit}s": sum(1 for s in samples if s.end - s.start > limit),
        "5xx": server_errors(samples),
        "no_answer": no_answers(samples),
        "stale_after_resume": stale_after,
        "stale_all": load.stale_reads(samples)[0],
        "p99_pause_ms": round(
            load.percentile([s.end - s.start for s in samples if paused <= s.start <= resumed], 0.99) * 1000, 1
        ),
        "slowest_s": round(slowest(samples), 2),
    }


POSTS = 200
KILL_AFTER = 70


# Production: an hour's visibility timeout, a sweep every minute for what is owed past 5
# minutes. The drill keeps their roles and shortens them to fit in a minute or two.
DRILL_CELERY = {
    "CELERY_VISIBILITY_TIMEOUT": "5",
    "NOTIFICATION_SWEEP_SECONDS": "2",
    "NOTIFICATION_SWEEP_GRACE_SECONDS": "20",
}


def worker_kill(drill: Drill) -> dict:
    """200 posts created under load; the Celery worker SIGKILLed (with its pool) after 70,
    a new one started once the broker's visibility timeout has passed; beat runs the
    sweep that sends what the tasks missed (e.g. a message the killed worker had taken
    off the queue but not yet recorded as unacknowledged)."""
    visibility = DRILL_CELERY["CELERY_VISIBILITY_TIMEOUT"]
    worker = drill.stack.start_worker(drill.broker_url, **DRILL_CELERY)
    drill.stack.start_beat(drill.broker_url, **DRILL_CELERY)
    plan = drill.plan("worker-kill", seconds=60)
    process = load.start(plan)
    created: list[tuple[int, str]] = []
    statuses = Counter()
    killed_at = [0.0]

    def create_posts() -> None:
        for number in range(POSTS):
            web = drill.webs[number % 2]
            title = f"worker drill {number}"
            body = {"title": title, "content": "."}
            status, body = call(web.url, "POST", "/api/v1/posts/", token=drill.token, body=body)
            statuses[status] += 1
            if status == 201:
                created.append((body["id"], title))
            if number + 1 == KILL_AFTER:
                drill.stack.kill_worker(worker)
                killed_at[0] = time.monotonic()
            time.sleep(0.05)

    creator = threading.Thread(target=create_posts)
    creator.start()
    while not killed_at[0] and creator.is_alive():
        time.sleep(0.05)
    time.sleep(float(visibility) + 1)
    drill.stack.start_worker(drill.broker_url, **DRILL_CELERY)
    creator.join()
    expected = {f"Your post “{title}” is published" for _, title in created}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not expected <= set(drill.stack.smtp.subjects()):
        time.sleep(0.5)
    time.sleep(float(visibility) + 2)  # time for a late duplicate to show
    samples = load.finish(process, plan)
    received = Counter(s for s in drill.stack.smtp.subjects() if s in expected)
    owed = drill.stack.python(
        "from posts.models import Post; "
        "print(Post.objects.filter(title__startswith='worker drill', notified_at__isnull=True).count())"
    )
    logs = drill.stack.worker_logs()
    broker = redis.Redis.from_url(drill.broker_url)
    held = {"queued": broker.llen("celery"), "unacked": broker.hlen("unacked")}
    if broker.exists("unacked_mutex"):
        held["restore_mutex_ttl_s"] = broker.ttl("unacked_mutex")
    return {
        "posts": len(created),
        "post_errors": sum(n for status, n in statuses.items() if status != 201),
        "emails": sum(received.values()),
        "missing": len(expected - set(received)),
        "duplicates": sum(n - 1 for n in received.values() if n > 1),
        "sent_by_sweep": sum(int(n) for n in re.findall(r"notification sweep: \d+ owed, (\d+) sent", logs)),
        "still_owed": int(owed.strip().splitlines()[-1]),  # notified_at unset
        **{f"broker_{key}": value for key, value in held.items()},
        "load_requests": len(samples),
        "5xx": server_errors(samples) + sum(n for status, n in statuses.items() if status >= 500),
    }


def postgres_restart(drill: Drill) -> dict:
    """PostgreSQL (the drill's own cluster) stopped under load and started again 3 s later."""
    plan = drill.plan("postgres-restart", seconds=20, writes=10_000, writer_pause=0.1)
    process = load.start(plan)
    begin = time.monotonic()
    at(begin + 5)
    down = time.monotonic()
    drill.stack.postgres.stop()
    time.sleep(3)
    drill.stack.postgres.start()
    up = time.monotonic()
    samples = load.finish(process, plan)
    return {
        "requests": len(samples),
        "outage_s": round(up - down, 1),
        # A request sent before the stop may be served after it (it queued behind others,
        # such as writes waiting out the cache lease): it belongs to the outage. Before and
        # after mean wholly before the stop and wholly after the restart.
        "5xx_in_outage": server_errors(samples, down, up),
        "5xx_before": sum(1 for s in samples if s.status >= 500 and s.end < down),
        "5xx_after": sum(1 for s in samples if s.status >= 500 and s.start > up),
        "no_answer": no_answers(samples),
        "stale_after": load.stale_reads(samples, since=up)[0],
        "slowest_s": round(slowest(samples), 2),
    }


WRITES = 1_000


def read_your_writes(drill: Drill) -> dict:
    """1,000 writes of the tracked post, alternating between the gunicorns, with readers on both."""
    plan = drill.plan("read-your-writes", seconds=300, writes=WRITES, writer_pause=0.0, readers=6)
    samples = load.finish(load.start(plan), plan)
    count, worst = load.stale_reads(samples)
    writes = [s for s in samples if s.kind == "write"]
    return {
        "writes": sum(1 for s in writes if s.status == 200),
        "reads": sum(1 for s in samples if s.kind != "write"),
        "stale_reads": count,
        "max_staleness_ms": round(worst * 1000, 1),
        "5xx": server_errors(samples),
        "no_answer": no_answers(samples),
    }


DRILLS: dict[str, tuple[Callable[[Drill], dict], dict]] = {
    "redis-kill": (redis_kill, {}),
    "redis-pause": (redis_pause, {}),
    "worker-kill": (worker_kill, {"worker_broker": True}),
    "postgres-restart": (postgres_restart, {}),
    "read-your-writes": (read_your_writes, {}),
}


# The figures that must be zero, per drill.
TARGETS = {
    "redis-kill": ("5xx", "no_answer", "stale_all"),
    "redis-pause": (f"slower_than_{SOCKET_TIMEOUT + 1.0}s", "5xx", "no_answer", "stale_all"),
    "worker-kill": ("post_errors", "missing", "duplicates", "5xx"),
    "postgres-restart": ("5xx_before", "5xx_after", "stale_after"),
    "read-your-writes": ("stale_reads", "5xx", "no_answer"),
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drills", nargs="*", metavar="DRILL", help=f"any of {', '.join(DRILLS)} (default: all)")
    names = parser.parse_args(argv).drills or list(DRILLS)
    if unknown := set(names) - set(DRILLS):
        parser.error(f"unknown drill(s): {', '.join(sorted(unknown))}")
    missed = []
    for name in names:
        function, options = DRILLS[name]
        log(f"{name}: starting")
        drill = Drill(**options)
        try:
            figures = function(drill)
        finally:
            drill.stack.stop(keep_workdir=bool(os.environ.get("DRILLS_KEEP")))
        failed = [key for key in TARGETS[name] if figures[key]]
        verdict = "ok" if not failed else f"MISSED ({', '.join(failed)})"
        print(f"{name}: " + " ".join(f"{key}={value}" for key, value in figures.items()) + f" -> {verdict}", flush=True)
        missed += failed
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
