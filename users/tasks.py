from celery import shared_task
from django.core.management import call_command


@shared_task
def flush_expired_tokens() -> None:
    """Beat, daily: refresh tokens past their expiry are no use in the blacklist tables
    (simplejwt's `flushexpiredtokens` deletes them)."""
    call_command("flushexpiredtokens")
