"""Waiting for a condition or for a process of ours to come up, and stopping one by its pid.

Every process the tooling starts is a child it keeps the `Popen` of; stopping it signals
that pid only, waits, then kills it. Nothing here looks processes up by name.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class StartError(RuntimeError):
    """A process of ours could not start or did not come up; the message says why (what to
    install, or the end of its log)."""


def wait_until(
    condition: Callable[[], bool], *, timeout: float = 30.0, message: str = "condition", interval: float = 0.05
) -> None:
    """Poll `condition` until it is true; TimeoutError naming `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def wait_started(
    process: subprocess.Popen, ready: Callable[[], bool], *, what: str, log: Path | None = None, timeout: float = 30.0
) -> None:
    """Wait until `ready()` while `process` comes up; StartError, with the end of its `log`,
    as soon as it exits or once `timeout` seconds have passed."""

    def ready_or_exited() -> bool:
        if process.poll() is not None:
            raise StartError(f"{what} exited with {process.returncode}{log_tail(log)}")
        return ready()

    try:
        wait_until(ready_or_exited, timeout=timeout, message=what)
    except TimeoutError:
        raise StartError(f"{what} did not come up in {timeout:.0f} s{log_tail(log)}") from None


def log_tail(log: Path | None, chars: int = 3000) -> str:
    """The end of a log file, as a paragraph to add to an error message ('' without one)."""
    if log is None:
        return ""
    try:
        return f"; its log:\n{log.read_text(errors='replace')[-chars:]}"
    except OSError:
        return ""


def stop_process(process: subprocess.Popen | None, stop_signal: int = signal.SIGTERM, grace: float = 10.0) -> None:
    """Send `stop_signal` to a process of ours, give it `grace` seconds, then SIGKILL it."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(stop_signal)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def child_pids(pid: int) -> list[int]:
    """The children of a process of ours (e.g. gunicorn's workers, a Celery worker's pool), from /proc."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:  # it has exited
        return []
