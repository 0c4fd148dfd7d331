"""Fixtures for the notification tests: an SMTP sink in this process, real Celery worker
and beat processes, and this process publishing to their broker.

The broker is TEST_CELERY_BROKER_URL, else REDIS_URL's server with database
TEST_CELERY_BROKER_DB (default 14). Each run keeps to keys of its own there (a random
prefix, deleted at the end), so runs that overlap do not disturb each other.
"""

import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.conf import settings

from blogapi.celery import app as celery_app
from blogapi.tests.processes import child_env
from support.processes import child_pids, wait_until
from support.smtp import SmtpSink

WAIT_SECONDS = 30  # the longest any test waits for anything

# `celery -A blogapi ...` after two adjustments. It dies with the test process (Linux: a
# parent-death signal; SIGTERM is a warm shutdown that also stops the pool) instead of
# outliving a run that was killed. And where the test settings keep the suite in-process
# (in-memory e-mail backend, eager tasks), these processes use the real SMTP server
# (EMAIL_URL) and broker; Celery reads the settings only after this.
CELERY_BOOT = (
    "import ctypes, os, signal, sys; "
    "sys.platform == 'linux' and ctypes.CDLL(None).prctl(1, signal.SIGTERM); "  # PR_SET_PDEATHSIG
    "os.getppid() == int(os.environ['CELERY_PARENT_PID']) or sys.exit('test process gone'); "
    "import django; django.setup(); "
    "from django.conf import settings; "
    "settings.EMAIL_BACKEND = 'django.core.mail.backends.smtp.EmailBackend'; "
    "settings.CELERY_TASK_ALWAYS_EAGER = False; "
    "from celery.bin.celery import main; sys.argv[0] = 'celery'; sys.exit(main())"
)


# --- SMTP sink (support.smtp) -----------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp(smtp_sink, settings):
    """This process sends its e-mail to the sink (a fresh one: nothing received yet)."""
    smtp_sink.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_sink.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield smtp_sink
    smtp_sink.release.set()


# --- The broker -------------------------------------------------------------------------------


def broker_url_for_tests() -> str:
    if url := os.environ.get("TEST_CELERY_BROKER_URL"):
        return url
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.skip("the Celery worker tests need Redis: set REDIS_URL (make test does)")
    return re.sub(r"/\d*$", "", redis_url) + "/" + os.environ.get("TEST_CELERY_BROKER_DB", "14")


def drop_broker_connections() -> None:
    """Close this process's broker connections so that the next publish uses the current conf."""
    kombu.pools.reset()
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None


class Broker:
    """The real Redis broker, under a key prefix of this test run's own (runs sharing the
    database keep apart), and where this process's Celery app publishes."""

    def __init__(self, url: str):
        self.url = url
        self.key_prefix = f"notifications-test-{uuid.uuid4().hex[:8]}:"
        self.redis = redis.Redis.from_url(url)

    def publish_to(self, url: str) -> None:
        """Publish to that broker (with this run's key prefix) instead of running tasks eagerly."""
        drop_broker_connections()
        os.environ["CELERY_BROKER_URL"] = url  # Celery's conf reads the environment first
        celery_app.conf.broker_url = url
        celery_app.conf.broker_transport_options = {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "global_keyprefix": self.key_prefix,
        }
        celery_app.conf.task_always_eager = False

    def unacked(self) -> int:
        """Messages delivered but not acknowledged: a task running, or held for a retry."""
        return self.redis.hlen(f"{self.key_prefix}unacked")

    def is_idle(self) -> bool:
        return self.redis.llen(f"{self.key_prefix}celery") == 0 and self.unacked() == 0

    def delete_keys(self) -> None:
        for key in self.redis.scan_iter(f"{self.key_prefix}*"):
            self.redis.delete(key)


@pytest.fixture(scope="module")
def real_broker():
    broker = Broker(broker_url_for_tests())
    yield broker
    broker.delete_keys()
    broker.redis.close()


@pytest.fixture
def broker(real_broker):
    """This process publishes to the real broker for the test (the suite runs tasks eagerly)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_transport_options, conf.task_always_eager, os.environ.get("CELERY_BROKER_URL")
    real_broker.publish_to(real_broker.url)
    yield real_broker
    drop_broker_connections()
    conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved[:3]
    if saved[3] is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = saved[3]


# --- Worker and beat processes ------------------------------------------------------------------


class CeleryProcess:
    """`celery -A blogapi <command>` in a subprocess, output in a log file. Stopped by pid:
    the main process, then any pool process of ours still alive."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path):
        self.marker = f"CELERY_TEST_PROCESS=notifications-test-{uuid.uuid4().hex[:8]}"  # inherited by the pool
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", CELERY_BOOT, "-A", "blogapi", *command],
                cwd=settings.BASE_DIR,
                env={**env, "CELERY_TEST_PROCESS": self.marker.partition("=")[2]},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.known_children: set[int] = set()

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_output(self, text: str) -> None:
        def seen() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"celery exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            return text in self.output()

        wait_until(seen, message=f"{text!r} in the celery log", interval=0.1)

    def pool_pids(self) -> list[int]:
        """The prefork pool's processes (children of the main process)."""
        pids = child_pids(self.pid)
        self.known_children.update(pids)
        return pids

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: the main process, then its pool."""
        children = self.pool_pids()
        self.process.kill()
        for pid in children:
            self._kill_if_ours(pid)
        self.process.wait(timeout=WAIT_SECONDS)

    def stop(self) -> None:
        self.pool_pids()
        if self.process.poll() is None:
            self.process.terminate()  # warm shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=WAIT_SECONDS)
        for pid in self.known_children:
            self._kill_if_ours(pid)

    def _kill_if_ours(self, pid: int) -> None:
        # A pid is only ours while it still has our environment (pids get reused).
        try:
            if self.marker.encode() in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                os.kill(pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass


class CeleryProcesses:
    """The worker (one at a time, started on demand) and beat, for one test module."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.started: list[CeleryProcess] = []
        self.worker: CeleryProcess | None = None

    def _start(self, command: list[str], extra_env: dict[str, str]) -> CeleryProcess:
        log_path = self.log_dir / f"{command[0]}-{len(self.started)}.log"
        process = CeleryProcess(command, {**self.env, **extra_env}, log_path)
        self.started.append(process)
        return process

    def start_worker(self, **extra_env: str) -> CeleryProcess:
        """A new worker with one pool process, and none of the chatter between workers."""
        if self.worker is not None:
            self.worker.stop()
        command = ["worker", "-l", "info", "-c", "1", "-P", "prefork"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        self.worker = self._start(command, extra_env)
        self.worker.wait_for_output(" ready.")
        return self.worker

    def running_worker(self) -> CeleryProcess:
        if self.worker is None or self.worker.process.poll() is not None:
            return self.start_worker()
        return self.worker

    def start_beat(self, **extra_env: str) -> CeleryProcess:
        schedule = self.log_dir / f"beat-schedule-{len(self.started)}"
        beat = self._start(["beat", "-l", "info", "-s", str(schedule)], extra_env)
        beat.wait_for_output("beat: Starting")
        return beat

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.output()[-4000:]}" for p in self.started)

    def stop_all(self) -> None:
        for process in self.started:
            process.stop()


@pytest.fixture(scope="module")
def celery_processes(django_db_setup, real_broker, smtp_sink, tmp_path_factory):
    env = child_env(
        CELERY_BROKER_URL=real_broker.url,
        CELERY_BROKER_KEY_PREFIX=real_broker.key_prefix,
        CELERY_PARENT_PID=str(os.getpid()),
        EMAIL_URL=smtp_sink.url,
        LOG_LEVEL="INFO",
        # The sweep sends what is owed for a second; beat runs it every second when started here.
        NOTIFICATION_SWEEP_GRACE_SECONDS="1",
        NOTIFICATION_SWEEP_SECONDS="1",
    )
    processes = CeleryProcesses(env, tmp_path_factory.mktemp("celery"))
    yield processes
    processes.stop_all()


@pytest.fixture
def worker(celery_processes, broker, smtp_sink):
    """A running worker; at the end the broker must have nothing queued or in flight, so no
    task of this test runs into the next one (or into the table flush)."""
    smtp_sink.reset()
    yield celery_processes.running_worker()
    smtp_sink.release.set()
    try:
        wait_until(broker.is_idle, message="the broker to drain")
    finally:
        print(celery_processes.logs())  # pytest shows it when the test failed
