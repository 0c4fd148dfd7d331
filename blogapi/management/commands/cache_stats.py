import json

from django.core.management.base import BaseCommand, CommandError
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from blogapi import caching


def hit_ratio(hits: int, misses: int) -> float | None:
    return round(hits / (hits + misses), 4) if hits + misses else None


def percent(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.1%}"


class Command(BaseCommand):
    help = "Response cache hits, misses and hit ratio per view, stored entries and Redis memory."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")

    def handle(self, *args, **options) -> None:
        try:
            stats = caching.stats()
        except (ConnectionInterrupted, RedisError) as exc:
            raise CommandError(f"cache unavailable: {exc}") from exc
        views = {
            name: {**counts, "hit_ratio": hit_ratio(counts["hits"], counts["misses"])}
            for name, counts in sorted(stats["views"].items())
        }
        hits = sum(view["hits"] for view in views.values())
        misses = sum(view["misses"] for view in views.values())
        totals = {"hits": hits, "misses": misses, "hit_ratio": hit_ratio(hits, misses)}
        if options["json"]:
            report = {"views": views, "totals": totals, **{key: stats[key] for key in ("entries", "memory_bytes")}}
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(f"{'view':<16} {'hits':>10} {'misses':>10} {'hit ratio':>10}")
        for name, row in [*views.items(), ("total", totals)]:
            self.stdout.write(f"{name:<16} {row['hits']:>10} {row['misses']:>10} {percent(row['hit_ratio']):>10}")
        self.stdout.write(f"\ncached responses: {stats['entries']}")
        memory = stats["memory_bytes"]
        self.stdout.write("redis memory:     " + ("n/a (in-process cache)" if memory is None else f"{memory:,} bytes"))
