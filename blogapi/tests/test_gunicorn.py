"""`gunicorn blogapi.wsgi:application` as deployed, reading gunicorn.conf.py from the
working directory: several workers report combined metrics, a restart starts from
zero, a worker's death loses none of its counts, and every request is logged once (in
gunicorn's access log too when asked)."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from posts.tests.factories import PostFactory
from support import servers
from support.processes import child_pids

from .processes import START_SECONDS, child_env

pytestmark = pytest.mark.slow

REQUESTS = "blogapi_http_requests_total"
LOOKUPS = "blogapi_response_cache_lookups_total"


class Web(servers.Gunicorn):
    """gunicorn with its config file (no --config: found in the working directory)."""

    def __init__(self, log: Path, workers: int = 3, **env: str) -> None:
        environment = child_env(**env)
        if "PROMETHEUS_MULTIPROC_DIR" not in env:
            environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
        super().__init__(env=environment, workers=workers, log=log, timeout=START_SECONDS, grace=20)

    def get(self, path: str) -> requests.Response:
        # A new connection per request: sync workers take turns accepting them.
        return requests.get(self.url + path, headers={"Connection": "close"}, timeout=20)

    def metrics(self) -> dict[tuple[str, frozenset], float]:
        response = self.get("/metrics")
        assert response.status_code == 200, response.text
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }


@pytest.fixture
def start(tmp_path):
    servers: list[Web] = []

    def start(workers: int = 3, **env: str) -> Web:
        servers.append(Web(tmp_path / "gunicorn.log", workers, **env))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def children(web: Web) -> set[int]:
    return set(child_pids(web.pid))


def worker_pids(metrics_dir: Path) -> set[int]:
    """Workers that have counted something: prometheus_client keeps a file per process."""
    return {int(path.stem.rsplit("_", 1)[1]) for path in metrics_dir.glob("counter_*.db")}


def get_until_workers_answered(web: Web, metrics_dir: Path, path: str, workers: int) -> int:
    """Concurrent GETs, in rounds, until `workers` processes have answered; returns how many."""
    sent = 0
    with ThreadPoolExecutor(max_workers=6) as pool:
        deadline = time.monotonic() + 60
        while len(worker_pids(metrics_dir)) < workers and time.monotonic() < deadline:
            statuses = list(pool.map(lambda _: web.get(path).status_code, range(12)))
            assert statuses == [200] * 12
            sent += 12
    assert len(worker_pids(metrics_dir)) >= workers, f"only {worker_pids(metrics_dir)} answered {sent} requests"
    return sent


def test_three_workers_report_combined_counts(start, tmp_path):
    PostFactory.create_batch(3)
    metrics_dir = tmp_path / "metrics"
    web = start(workers=3, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))

    sent = get_until_workers_answered(web, metrics_dir, "/api/v1/posts/", workers=3)

    # Every scrape, whichever worker answers it, adds up the same three workers' counts.
    for _ in range(6):
        samples = web.metrics()
        assert value(samples, REQUESTS, view="v1:post-list", method="GET", status="200") == sent
        hits = value(samples, LOOKUPS, view="post-list", outcome="hit")
        misses = value(samples, LOOKUPS, view="post-list", outcome="miss")
        assert hits + misses == sent
        assert misses >= 1
        assert hits >= sent - 12  # only the first round could miss


def test_counts_of_a_killed_worker_still_count(start, tmp_path):
    metrics_dir = tmp_path / "metrics"
    web = start(workers=2, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    sent = get_until_workers_answered(web, metrics_dir, "/api/v1/users/", workers=2)
    victim = min(worker_pids(metrics_dir))

    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (victim in children(web) or len(children(web)) < 2):
        time.sleep(0.1)  # the master notices, runs child_exit and forks a replacement

    assert victim not in children(web)
    assert len(children(web)) == 2
    assert web.get("/api/v1/users/").status_code == 200
    samples = web.metrics()
    assert value(samples, REQUESTS, view="v1:user-list", method="GET", status="200") == sent + 1


def test_a_restart_starts_from_zero(start, tmp_path):
    metrics_dir = tmp_path / "metrics"
    first = start(workers=2, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    assert [first.get("/api/v1/users/").status_code for _ in range(3)] == [200] * 3
    assert value(first.metrics(), REQUESTS, view="v1:user-list", method="GET", status="200") == 3
    first.stop()
    assert worker_pids(metrics_dir), "the first run left its files (the directory was given)"

    second = start(workers=2, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))

    assert value(second.metrics(), REQUESTS, view="v1:user-list", method="GET", status="200") == 0


def test_plain_gunicorn_uses_a_temporary_metrics_dir_and_removes_it(start, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    web = start(workers=2, TMPDIR=str(scratch))  # no PROMETHEUS_MULTIPROC_DIR given

    assert web.get("/api/v1/users/").status_code == 200
    (metrics_dir,) = scratch.glob("blogapi-metrics-*")
    assert worker_pids(metrics_dir)
    assert value(web.metrics(), REQUESTS, view="v1:user-list", method="GET", status="200") == 1

    web.stop()

    assert web.process.returncode == 0
    assert not metrics_dir.exists()


def test_every_request_is_logged_once_and_in_the_access_log_when_asked(start, tmp_path):
    plain = start(workers=1, LOG_LEVEL="INFO")  # the suite logs warnings only
    assert plain.get("/api/v1/users/?page=1").status_code == 200
    plain.stop()
    lines = (tmp_path / "gunicorn.log").read_text().splitlines()
    assert [line.split(" blogapi.request ")[1].split()[:3] for line in lines if " blogapi.request " in line] == [
        ["GET", "/api/v1/users/?page=1", "200"]
    ]
    assert not [line for line in lines if line.startswith('127.0.0.1 "')]  # one line per request, not two

    web = start(workers=1, GUNICORN_ACCESS_LOG="-")
    assert web.get("/api/v1/users/?page=1").status_code == 200
    assert web.get("/api/v1/posts/424242/").status_code == 404
    web.stop()

    lines = (tmp_path / "gunicorn.log").read_text().splitlines()
    access = [line for line in lines if line.startswith('127.0.0.1 "')]
    assert len(access) == 2, lines
    assert access[0].startswith('127.0.0.1 "GET /api/v1/users/?page=1 HTTP/1.1" 200 ')
    assert access[1].startswith('127.0.0.1 "GET /api/v1/posts/424242/ HTTP/1.1" 404 ')
    assert all(line.split('" ')[1].split()[2].endswith("ms") for line in access)


def test_no_control_socket_unless_given_a_path(start, tmp_path):
    """gunicorn's default control socket is one path per user: several masters would
    take it from each other, and `gunicornc` would steer the wrong one."""
    home = tmp_path / "home"
    home.mkdir()
    default = start(workers=1, HOME=str(home), XDG_RUNTIME_DIR="")
    given = start(workers=1, HOME=str(home), XDG_RUNTIME_DIR="", GUNICORN_CONTROL_SOCKET=str(tmp_path / "web.ctl"))
    deadline = time.monotonic() + 10
    while not (tmp_path / "web.ctl").exists() and time.monotonic() < deadline:
        time.sleep(0.1)

    assert default.get("/api/health/").status_code == given.get("/api/health/").status_code == 200
    assert (tmp_path / "web.ctl").is_socket()
    assert not (home / ".gunicorn").exists()
