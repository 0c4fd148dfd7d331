"""Post tasks: thin wrappers that fetch by id and call posts.notifications."""

import logging

from celery import shared_task

from .models import Post
from .notifications import post_notification_send, post_notifications_send_pending

logger = logging.getLogger(__name__)


# Acknowledged late and requeued if its worker dies (CELERY_TASK_ACKS_LATE and
# CELERY_TASK_REJECT_ON_WORKER_LOST, for every task): the service's row lock and
# notified_at stamp make a redelivery send nothing twice.
@shared_task(
    # SMTP errors (smtplib.SMTPException is an OSError) and dropped or refused connections:
    # 1, 2, 4, 8, 16 s (jittered), then the beat sweep takes over.
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def send_post_notification(post_id: int) -> None:
    post = Post.objects.select_related("user").filter(pk=post_id).first()
    if post is None:
        logger.info("post %s was deleted before its notification went out", post_id)
        return
    post_notification_send(post=post)


@shared_task
def send_pending_post_notifications() -> int:
    """Beat: send the notifications the normal path missed (broker down, retries exhausted)."""
    return post_notifications_send_pending()
