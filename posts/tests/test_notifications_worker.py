"""Post notifications through a real Celery worker (and beat) on the real Redis broker,
delivered to a real SMTP server (the sink): what an author notices is one e-mail per post,
whatever happens to the worker, the SMTP server or the broker on the way."""

import os
import re
import signal
import socket
import time

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from posts.models import Post
from posts.services import post_create
from support.ports import free_port
from support.processes import wait_until
from support.smtp import subject

pytestmark = pytest.mark.slow


def create_post(client_for, user, title: str):
    response = client_for(user).post(reverse("v1:post-list"), {"title": title, "content": "Body."}, format="json")
    assert response.status_code == 201, response.content
    return Post.objects.get(pk=response.json()["id"])


def tasks_received(worker) -> int:
    return len(re.findall(r"send_post_notification\[[-0-9a-f]+\] received", worker.output()))


def assert_sent_once(sink, broker, post) -> None:
    """Exactly one e-mail, for this post: waits for it, then for the broker to have nothing
    left that could send a second one."""
    sink.wait_for_messages(1)
    wait_until(broker.is_idle, message="the broker to drain")
    assert [subject(m) for m in sink.messages] == [f"Your post “{post.title}” is published"]
    post.refresh_from_db()
    assert post.notified_at is not None


def test_a_created_post_sends_its_author_one_email_naming_it(worker, broker, smtp_sink, client_for, user):
    post = create_post(client_for, user, "Hello <world> & co")

    assert_sent_once(smtp_sink, broker, post)
    message = smtp_sink.messages[0]
    assert message["To"] == "alice@example.com"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert "your post “Hello <world> & co” is published" in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "<strong>“Hello &lt;world&gt; &amp; co”</strong>" in html


def test_a_rolled_back_post_sends_nothing(worker, broker, smtp_sink, client_for, user):
    tasks_before = tasks_received(worker)
    with pytest.raises(RuntimeError), transaction.atomic():
        post_create(user=user, title="Never committed", content="Body.")
        raise RuntimeError("the request failed after the post was written")
    # Queued after the rolled-back one would have been: once it is in, the other had its chance.
    committed = create_post(client_for, user, "Committed")

    assert_sent_once(smtp_sink, broker, committed)
    assert not Post.objects.filter(title="Never committed").exists()
    assert tasks_received(worker) == tasks_before + 1  # nothing was even queued for it


def test_an_smtp_server_failing_twice_then_accepting_delivers_one_email(worker, broker, smtp_sink, client_for, user):
    smtp_sink.faults.extend(["451 4.3.0 Try again later", "drop"])

    post = create_post(client_for, user, "Third time lucky")

    assert_sent_once(smtp_sink, broker, post)
    assert smtp_sink.data_commands == 3  # the reply, the dropped connection, the delivery


def test_a_pool_process_killed_mid_task_still_sends_one_email(worker, broker, smtp_sink, client_for, user):
    smtp_sink.stall_next_mail = True  # the task is inside its SMTP dialogue, holding the post's row lock
    post = create_post(client_for, user, "Survives a SIGKILL")
    assert smtp_sink.stalled.wait(30), worker.output()
    [pool_process] = worker.pool_pids()

    os.kill(pool_process, signal.SIGKILL)
    smtp_sink.release.set()

    assert_sent_once(smtp_sink, broker, post)
    assert worker.pool_pids() != [pool_process]  # a new pool process ran it
    assert "WorkerLostError" in worker.output()


def test_a_worker_killed_mid_task_sends_one_email_once_a_worker_is_back(
    celery_processes, worker, broker, smtp_sink, client_for, user
):
    smtp_sink.stall_next_mail = True
    post = create_post(client_for, user, "Survives a dead worker")
    assert smtp_sink.stalled.wait(30), worker.output()

    worker.kill()  # main process and pool, SIGKILL: the message stays unacknowledged in Redis
    smtp_sink.release.set()
    assert broker.unacked() == 1
    assert smtp_sink.messages == []

    # Redis hands an unacknowledged message out again after the visibility timeout (an hour
    # in production); this worker treats one second as that long, and we wait it out.
    time.sleep(1.2)
    celery_processes.start_worker(CELERY_VISIBILITY_TIMEOUT="1")

    assert_sent_once(smtp_sink, broker, post)
    celery_processes.worker.stop()  # the next test gets a worker with the usual settings


def test_a_post_created_while_the_broker_is_down_is_sent_by_beat_once_it_is_back(
    celery_processes, worker, broker, smtp_sink, client_for, user
):
    with socket.socket() as silent:
        # One broker refuses connections, the other accepts them and never answers.
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        timings = {}
        for name, url in [
            ("refused", f"redis://127.0.0.1:{free_port()}/0"),
            ("silent", f"redis://127.0.0.1:{silent.getsockname()[1]}/0"),
        ]:
            broker.publish_to(url)
            started = time.monotonic()
            create_post(client_for, user, f"Posted while the broker was {name}")
            timings[name] = time.monotonic() - started

    assert timings["refused"] < 1.0, timings
    # Bounded by the socket timeout and the short publish retry policy, not hanging.
    assert timings["silent"] < settings.CELERY_BROKER_CONNECTION_TIMEOUT * 2 + 1.0, timings
    assert Post.objects.filter(notified_at__isnull=True).count() == 2

    broker.publish_to(broker.url)
    beat = celery_processes.start_beat()  # the sweep every second in this test
    try:
        messages = smtp_sink.wait_for_messages(2)
    finally:
        beat.stop()
    wait_until(broker.is_idle, message="the broker to drain")
    assert sorted(subject(m) for m in messages) == [
        "Your post “Posted while the broker was refused” is published",
        "Your post “Posted while the broker was silent” is published",
    ]
    assert Post.objects.filter(notified_at__isnull=True).count() == 0
