import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from blogapi import demo_data


class LineProgress:
    """Progress for logs and pipes: a plain line at every tenth of the way."""

    def __init__(self, label: str, total: int, stream) -> None:
        self.label, self.total, self.stream = label, total, stream
        self.done = self.reported = 0

    def update(self, n: int) -> None:
        self.done += n
        tenth = self.done * 10 // self.total
        if tenth > self.reported:
            self.reported = tenth
            self.stream.write(f"{self.label}: {self.done:,}/{self.total:,}\n")

    def close(self) -> None:
        pass


def count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Top the demo data up to the given sizes (idempotent: only what is missing is created) "
        f"and print the demo logins (password {demo_data.DEMO_PASSWORD!r})."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--users", type=count, default=20, help="bulk demo users (default 20)")
        parser.add_argument("--posts", type=count, default=200, help="posts by the demo users (default 200)")
        parser.add_argument("--todos", type=count, default=5, help="to-dos per demo user (default 5)")

    def handle(self, *args, users: int, posts: int, todos: int, **options) -> None:
        try:
            result = demo_data.seed_demo(users=users, posts=posts, todos_per_user=todos, progress=self.progress)
        except KeyboardInterrupt:
            raise CommandError("interrupted: what was committed stays, run again to finish") from None
        for kind in ("users", "posts", "todos"):
            self.stdout.write(f"{kind:<6} {result.totals[kind]:>10,} demo rows ({result.created[kind]:,} created)")
        self.stdout.write(self.style.SUCCESS("\nDemo logins:"))
        for login in result.logins:
            self.stdout.write(f"  {login.kind:<10} username {login.username:<15} password {login.password}")
        self.stdout.write(f"  (the {demo_data.USER_PREFIX}NNNNN users have the same password)")

    def progress(self, label: str, total: int) -> demo_data.Progress:
        if sys.stderr.isatty():
            return tqdm(total=total, desc=label, unit=" rows", unit_scale=True, file=sys.stderr)
        return LineProgress(label, total, self.stderr)
