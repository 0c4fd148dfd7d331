"""support.servers: start() returns once the server is ready; a server that exits first or is
not ready in time is stopped by its pid, and the error carries the end of its log."""

import signal
import sys

import pytest

from support.ports import HOST, free_port, port_open
from support.processes import StartError
from support.servers import Server, http_ok

# A server that stays deaf to SIGTERM (as a worker stuck in a request would).
DEAF_TO_SIGTERM = """
import signal, socket, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
time.sleep(60)
"""


def test_start_returns_once_the_server_answers_and_stop_ends_it(tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "http.server", "--bind", HOST, str(port)]
    server = Server("http.server", command, port, cwd=tmp_path, log=tmp_path / "server.log", ready_path="/")

    server.start()
    try:
        assert http_ok(port, "/")
        assert server.url == f"http://{HOST}:{port}"
    finally:
        server.stop()

    assert server.process.returncode == -signal.SIGTERM
    assert not port_open(port)


def test_a_server_that_exits_before_it_is_ready_raises_with_the_end_of_its_log(tmp_path):
    command = [sys.executable, "-c", "print('no such setting: bogus'); raise SystemExit(3)"]
    server = Server("broken", command, free_port(), log=tmp_path / "broken.log")

    with pytest.raises(StartError, match=r"broken on 127\.0\.0\.1:\d+ exited with 3; its log:\nno such setting: bogus"):
        server.start()


def test_a_server_not_ready_in_time_is_stopped(tmp_path):
    server = Server("silent", [sys.executable, "-c", "import time; time.sleep(60)"], free_port(), timeout=1)

    with pytest.raises(StartError, match=r"silent on 127\.0\.0\.1:\d+ did not come up in 1 s"):
        server.start()

    assert server.process.returncode == -signal.SIGTERM


def test_a_server_deaf_to_its_stop_signal_is_killed_after_the_grace_period():
    port = free_port()
    server = Server("deaf", [sys.executable, "-c", DEAF_TO_SIGTERM, str(port)], port, grace=0.5).start()

    server.stop()

    assert server.process.returncode == -signal.SIGKILL
