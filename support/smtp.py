"""An SMTP sink: an SMTP server (aiosmtpd, in a thread of this process) on a free loopback
port that keeps what it accepts, and misbehaves on request. The notification tests and the
worker drill send their e-mail to one.

    sink = SmtpSink().start()       # EMAIL_URL=sink.url
    sink.wait_for_messages(1); sink.subjects()
    sink.stop()
"""

from __future__ import annotations

import asyncio
import collections
import email
import email.message
import email.policy
import threading
import time

from aiosmtpd.controller import Controller

from support.ports import HOST, free_port
from support.processes import wait_until

WAIT_SECONDS = 30  # the longest the sink waits for anything, or makes anyone wait


def subject(message: email.message.EmailMessage) -> str:
    # Django folds an encoded subject onto continuation lines; the parser keeps their indent.
    return " ".join(str(message["Subject"]).split())


class SmtpSink:
    """Keeps every message it accepts in `messages`. On request: `faults` answers the next
    DATA commands with a reply ("451 ...") or a dropped connection ("drop"), `rcpt_faults`
    the next RCPT commands with a reply; `stall_next_mail` holds the next MAIL command
    unanswered until `release` is set (at most WAIT_SECONDS)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.controller = Controller(self, hostname=HOST, port=self.port, ready_timeout=10)
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Nothing received, no fault planned."""
        self.messages: list[email.message.EmailMessage] = []
        self.rcpt_commands = 0
        self.data_commands = 0
        self.faults: collections.deque[str] = collections.deque()
        self.rcpt_faults: collections.deque[str] = collections.deque()
        self.stall_next_mail = False
        self.stalled = threading.Event()
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.controller.stop()

    def wait_for_messages(self, count: int) -> list[email.message.EmailMessage]:
        wait_until(lambda: len(self.messages) >= count, message=f"{count} e-mail(s) at the SMTP sink")
        return self.messages

    def subjects(self) -> list[str]:
        with self.lock:
            return [subject(message) for message in self.messages]

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.stall_next_mail:
            self.stall_next_mail = False
            self.stalled.set()
            deadline = time.monotonic() + WAIT_SECONDS
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return "421 4.3.0 Stalled sender released"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_commands += 1
        if self.rcpt_faults:
            return self.rcpt_faults.popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        fault = self.faults.popleft() if self.faults else None
        if fault == "drop":
            server.transport.abort()
            return "421 4.3.0 Dropped"  # never reaches the client
        if fault:
            return fault
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 2.0.0 Accepted"
