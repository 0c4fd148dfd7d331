from django.core.management.base import BaseCommand, CommandError
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from blogapi import caching


class Command(BaseCommand):
    help = "Drop every cached API response (all processes); hit/miss counters are kept."

    def handle(self, *args, **options) -> None:
        try:
            dropped = caching.clear_responses()
        except (ConnectionInterrupted, RedisError) as exc:
            raise CommandError(f"cache unavailable: {exc}") from exc
        self.stdout.write(f"Dropped {dropped} cached response(s).")
