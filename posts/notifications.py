"""The author's notification e-mail for a new post.

Delivery is at least once and, barring a crash between the SMTP server's "250 OK" and our
commit, exactly once: `post_notification_send` locks the post's row, sends only while
`notified_at` is NULL and stamps it in the same transaction. A redelivered task (worker
killed, broker redelivery) or a sweep racing the task therefore finds it stamped.

Who sends: the `send_post_notification` task, queued once the post is committed; and the
beat sweep `send_pending_post_notifications` for what that missed (broker down when the
post was created, retries exhausted while SMTP was down).
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Post

logger = logging.getLogger(__name__)

# The SMTP server went away mid-session (as opposed to refusing one message): the sweep
# stops at the first instead of timing out on every post.
SERVER_GONE = (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError)


def queue_post_notification(post_id: int) -> None:
    """Hand the e-mail to Celery (called on commit). If the broker is unreachable the post
    stays owed (notified_at is NULL) and the beat sweep sends it later: never lost."""
    from .tasks import send_post_notification

    try:
        send_post_notification.delay(post_id)
    except Exception as exc:  # kombu raises several kinds; the post is committed whatever happens here
        logger.warning("could not queue the notification for post %s (%s); the sweep will send it", post_id, exc)


def post_notification_message(*, post: Post, connection=None) -> EmailMultiAlternatives:
    context = {"post": post, "author": post.user}
    # Subjects are one line: a title with a line break in it must not break the header.
    subject = " ".join(f"Your post “{post.title}” is published".split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("posts/email/post_published.txt", context),
        to=[post.user.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("posts/email/post_published.html", context), "text/html")
    return message


@transaction.atomic
def post_notification_send(*, post: Post, connection=None, skip_locked: bool = False) -> bool:
    """Send the notification unless it already went out; True if this call settled it
    (sent it, or had the address rejected for good).

    The row stays locked while the SMTP server answers, so a concurrent sender waits and
    then sees the stamp (or, with skip_locked, leaves the post to whoever holds it).
    Raises the SMTP/connection error on failure, with nothing stamped.
    """
    owed = list(
        Post.objects.select_for_update(skip_locked=skip_locked)
        .filter(pk=post.pk, notified_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if not owed:
        return False
    if not post.user.email:
        logger.info("post %s: its author has no e-mail address, no notification", post.pk)
        return False
    try:
        post_notification_message(post=post, connection=connection).send()
    except smtplib.SMTPRecipientsRefused as exc:
        if any(code < 500 for code, _ in exc.recipients.values()):
            raise  # 4xx: try again later
        # The server rejected the address for good: like a bounce, there is nothing to retry.
        logger.warning("post %s: notification to %s rejected for good: %s", post.pk, post.user.email, exc.recipients)
    Post.objects.filter(pk=post.pk).update(notified_at=timezone.now())
    return True


def posts_owed_notification(*, now=None) -> list[int]:
    """Ids of posts whose notification is owed and was left to the sweep, oldest first."""
    now = now or timezone.now()
    return list(
        Post.objects.filter(
            notified_at__isnull=True,
            created_at__lt=now - timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS),
            created_at__gte=now - timedelta(hours=settings.NOTIFICATION_SWEEP_MAX_AGE_HOURS),
        )
        .exclude(user__email="")
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[: settings.NOTIFICATION_SWEEP_BATCH]
    )


def post_notifications_send_pending() -> int:
    """Send what the normal path missed, over one SMTP session; returns how many went out.

    A message the server refuses is logged and skipped (the next sweep tries it again); a
    server that cannot be reached, or hangs up, ends the run instead of failing every post.
    """
    post_ids = posts_owed_notification()
    if not post_ids:
        return 0  # the usual case: no SMTP connection at all
    sent = 0
    connection = get_connection()
    try:
        for post_id in post_ids:
            post = Post.objects.select_related("user").filter(pk=post_id).first()
            if post is None:
                continue  # deleted meanwhile
            try:
                connection.open()  # a no-op while the session is open
            except OSError as exc:
                logger.warning("notification sweep stopped, SMTP server unreachable: %s", exc)
                break
            try:
                sent += post_notification_send(post=post, connection=connection, skip_locked=True)
            except SERVER_GONE as exc:
                logger.warning("notification sweep stopped, SMTP server gone: %s", exc)
                break
            except OSError as exc:  # smtplib.SMTPException is one
                logger.warning("post %s: notification refused (%s); the next sweep retries", post_id, exc)
                connection.close()  # a half-finished SMTP dialogue must not leak into the next post
    finally:
        connection.close()
    logger.info("notification sweep: %s owed, %s sent", len(post_ids), sent)
    return sent
