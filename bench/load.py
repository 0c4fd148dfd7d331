"""Load and single requests: wrk for throughput and latency, http.client for checks."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from urllib.parse import urlsplit

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self):
        return json.loads(self.body)


def request(base_url: str, method: str, path: str, headers: dict[str, str] | None = None, body=None) -> Reply:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Accept": "application/json", **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk(url: str, *, seconds: int, connections: int = 8, headers: dict[str, str] | None = None) -> dict:
    """`wrk -t1 -c<connections> -d<seconds>s --latency`: req/s, p50, p99 (ms) and errors."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    # Our own fixed command line against our own loopback server.
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 30, check=True)  # noqa: S603
    return parse_wrk(done.stdout)


def parse_wrk(output: str) -> dict:
    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M).groups()
        return round(float(value) * UNITS_MS[unit], 3)

    # "    Latency   2.64ms  238.70us   7.00ms   96.00%": average, deviation, max, share within one deviation
    latencies = re.search(r"^\s+Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)\s", output, re.M).groups()

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    bad_status = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "max_ms": round(float(latencies[0]) * UNITS_MS[latencies[1]], 3),
        "requests": requests,
        "bad_status": int(bad_status.group(1)) if bad_status else 0,
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }
