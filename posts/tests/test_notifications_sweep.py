"""Beat's upkeep: the sweep that sends the notifications the normal path missed (broker
down when the post was created, retries used up), and the daily token flush."""

import logging
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from blogapi.celery import app as celery_app
from posts.models import Post
from posts.tasks import send_pending_post_notifications
from posts.tests.factories import PostFactory
from support.ports import free_port
from support.smtp import subject
from users.tasks import flush_expired_tokens
from users.tests.factories import UserFactory


def owed_post(age: timedelta, **fields) -> Post:
    """A post whose notification never went out (made without the service: nothing queued)."""
    return PostFactory(created_at=timezone.now() - age, **fields)


def test_the_sweep_sends_what_is_owed_past_the_grace_period_and_nothing_else(settings):
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 300
    settings.NOTIFICATION_SWEEP_MAX_AGE_HOURS = 72
    owed = owed_post(timedelta(minutes=10), title="Owed")
    owed_post(timedelta(seconds=30), title="Still the task's business")
    owed_post(timedelta(minutes=10), title="Already sent", notified_at=timezone.now())
    owed_post(timedelta(hours=73), title="Given up on")
    owed_post(timedelta(minutes=10), title="No address", user=UserFactory(username="anon", email=""))

    result = send_pending_post_notifications.delay()

    assert result.get() == 1
    assert [m.subject for m in mail.outbox] == ["Your post “Owed” is published"]
    assert mail.outbox[0].to == [owed.user.email]
    assert list(Post.objects.filter(notified_at__isnull=True).order_by("title").values_list("title", flat=True)) == [
        "Given up on",
        "No address",
        "Still the task's business",
    ]


def test_the_sweep_sends_oldest_first_and_at_most_a_batch_per_run(settings):
    settings.NOTIFICATION_SWEEP_BATCH = 2
    for minutes in (20, 40, 30):
        owed_post(timedelta(minutes=minutes), title=f"{minutes} minutes old")

    assert send_pending_post_notifications.delay().get() == 2
    assert [m.subject for m in mail.outbox] == [
        "Your post “40 minutes old” is published",
        "Your post “30 minutes old” is published",
    ]

    assert send_pending_post_notifications.delay().get() == 1
    assert send_pending_post_notifications.delay().get() == 0
    assert len(mail.outbox) == 3


def test_the_sweep_skips_a_message_the_server_refuses_and_sends_the_rest(smtp):
    owed_post(timedelta(minutes=20), title="Refused")
    owed_post(timedelta(minutes=10), title="Accepted")
    smtp.faults.append("554 5.6.0 Message refused")

    assert send_pending_post_notifications.delay().get() == 1

    assert [subject(m) for m in smtp.messages] == ["Your post “Accepted” is published"]
    assert Post.objects.get(title="Refused").notified_at is None  # the next sweep tries again
    assert send_pending_post_notifications.delay().get() == 1
    assert Post.objects.filter(notified_at__isnull=True).count() == 0


def test_the_sweep_gives_up_for_this_run_when_the_smtp_server_is_unreachable(smtp, settings, caplog):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    for minutes in (10, 20, 30):
        owed_post(timedelta(minutes=minutes))

    with caplog.at_level(logging.WARNING, logger="posts.notifications"):
        assert send_pending_post_notifications.delay().get() == 0

    # One connection attempt, not one per post.
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "notification sweep stopped, SMTP server unreachable"
    ]
    assert Post.objects.filter(notified_at__isnull=True).count() == 3


def test_beat_runs_the_sweep_every_minute_and_the_token_flush_daily():
    schedule = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}

    assert schedule == {
        "posts.tasks.send_pending_post_notifications": 60.0,
        "users.tasks.flush_expired_tokens": 24 * 3600.0,
    }
    assert set(schedule) <= set(celery_app.tasks)


def test_the_daily_flush_drops_expired_blacklisted_tokens_only(user):
    expired, current = RefreshToken.for_user(user), RefreshToken.for_user(user)
    for token in (expired, current):
        token.blacklist()
    OutstandingToken.objects.filter(jti=expired["jti"]).update(expires_at=timezone.now() - timedelta(seconds=1))

    flush_expired_tokens.delay()

    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == [current["jti"]]
    assert list(BlacklistedToken.objects.values_list("token__jti", flat=True)) == [current["jti"]]
