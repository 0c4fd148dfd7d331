"""The steady load of a drill, from a second process: reader threads on both gunicorns and,
if asked, one writer thread; bounded in requests and seconds, loopback only. Every
request is recorded (JSON lines): what it was, on which server, when it started and
ended (CLOCK_MONOTONIC, shared by the processes of this machine), its status, and for
reads of the tracked post the version its title showed.

Stale read: a read that started after a write of a newer version had returned.
"""

from __future__ import annotations

import bisect
import http.client
import json
import multiprocessing
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
TITLE = "tracked v{}"


@dataclass
class Plan:
    servers: list[int]  # gunicorn ports on 127.0.0.1
    token: str
    post_id: int
    author_id: int
    out: str  # where the samples go (JSON lines)
    seconds: float
    readers: int = 4
    reader_pause: float = 0.02
    writes: int = 0  # the writer stops after this many (0: no writer)
    writer_pause: float = 0.05
    max_requests: int = 200_000
    timeout: float = 60.0  # a client timeout well past gunicorn's 30 s: hangs show as they are


@dataclass
class Sample:
    kind: str
    server: int
    start: float
    end: float
    status: int  # 0: no answer (connection refused, reset, timed out)
    version: int | None = None


@dataclass
class _Shared:
    plan: Plan
    deadline: float
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)
            if len(self.samples) >= self.plan.max_requests:
                self.stop.set()

    def running(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.deadline


def _request(port: int, method: str, path: str, token: str, body: dict | None, timeout: float):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}", "Connection": "close"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        return 0, b""
    finally:
        conn.close()


def _version(kind: str, status: int, data: bytes, post_id: int) -> int | None:
    if status != 200:
        return None
    try:
        body = json.loads(data)
    except ValueError:
        return None
    if kind.startswith("detail"):
        title = body.get("title", "")
    else:
        title = next((post["title"] for post in body.get("results", []) if post.get("id") == post_id), "")
    return int(title.rsplit("v", 1)[1]) if title.startswith("tracked v") else None


def _reader(shared: _Shared, number: int) -> None:
    plan = shared.plan
    reads = [
        ("detail-v1", f"/api/v1/posts/{plan.post_id}/"),
        ("detail-v2", f"/api/v2/posts/{plan.post_id}/"),
        ("list-v1", f"/api/v1/posts/?user_id={plan.author_id}"),
        ("list-v2", f"/api/v2/posts/?user_id={plan.author_id}&ordering=-updated_at"),
        ("me", "/api/v1/users/me/"),
    ]
    turn = number
    while shared.running():
        kind, path = reads[turn % len(reads)]
        port = plan.servers[(turn // len(reads)) % len(plan.servers)]
        turn += 1
        start = time.monotonic()
        status, data = _request(port, "GET", path, plan.token, None, plan.timeout)
        shared.record(Sample(kind, port, start, time.monotonic(), status, _version(kind, status, data, plan.post_id)))
        time.sleep(plan.reader_pause)


def _writer(shared: _Shared) -> None:
    plan = shared.plan
    for number in range(1, plan.writes + 1):
        if not shared.running():
            return
        port = plan.servers[number % len(plan.servers)]
        start = time.monotonic()
        body = {"title": TITLE.format(number)}
        status, _ = _request(port, "PATCH", f"/api/v1/posts/{plan.post_id}/", plan.token, body, plan.timeout)
        shared.record(Sample("write", port, start, time.monotonic(), status, number))
        time.sleep(plan.writer_pause)
    shared.stop.set()  # a drill with a writer ends with its writes


def run(plan: Plan) -> None:
    """The load process's body: runs until its time or request budget is spent."""
    shared = _Shared(plan, time.monotonic() + plan.seconds)
    threads = [threading.Thread(target=_reader, args=(shared, n), daemon=True) for n in range(plan.readers)]
    if plan.writes:
        threads.append(threading.Thread(target=_writer, args=(shared,), daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(plan.seconds + plan.timeout + 5)
    with open(plan.out, "w") as out:
        for sample in shared.samples:
            out.write(json.dumps(asdict(sample)) + "\n")


def start(plan: Plan) -> multiprocessing.Process:
    process = multiprocessing.get_context("spawn").Process(target=run, args=(plan,), name="drill-load")
    process.start()
    return process


def finish(process: multiprocessing.Process, plan: Plan) -> list[Sample]:
    process.join(plan.seconds + plan.timeout + 30)
    if process.is_alive():
        process.terminate()
        process.join()
    return [Sample(**json.loads(line)) for line in Path(plan.out).read_text().splitlines()]


# --- Figures ---------------------------------------------------------------------------------


def stale_reads(samples: list[Sample], since: float = float("-inf")) -> tuple[int, float]:
    """Reads started at or after `since` that showed an older version than a write that had
    returned before they started: how many, and the largest staleness (seconds from the
    return of the first write they missed to the start of the read)."""
    # One writer, one write at a time: by version is also by time.
    writes = sorted((s.version, s.end) for s in samples if s.kind == "write" and s.status == 200)
    versions = [version for version, _ in writes]
    count, worst = 0, 0.0
    for read in samples:
        if read.kind == "write" or read.version is None or read.start < since:
            continue
        first_newer = bisect.bisect_right(versions, read.version)
        if first_newer < len(writes) and writes[first_newer][1] < read.start:
            count += 1
            worst = max(worst, read.start - writes[first_newer][1])
    return count, worst


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
