"""Demo data for `manage.py seed_demo`: any size, fast, idempotent.

Demo rows are the users named `demo_user_00001`... and everything the demo users (those
plus the `demo` login) own. Each run tops them up to the requested sizes and never
duplicates: running it twice leaves the same counts. Three logins are always present,
all with DEMO_PASSWORD (reset on every run, so the printed logins always work):
`demo` (a normal user), `demo_moderator` (staff in the Moderators group) and `demo_admin`
(a superuser). The bulk users share that password too.

Fast because: one password hash for everybody (PBKDF2 per user would take minutes),
PostgreSQL COPY for the rows (`bulk_create` in batches elsewhere), no per-row signals.
Bulk writes send no signals, so the cached responses they affect are dropped through
blogapi.caching at the end, whatever happened before.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from blogapi.caching import models_changed, one_wait_for_writes
from posts.models import Post
from todos.models import Todo
from users.models import User

DEMO_PASSWORD = "blogapi-demo"
USER_PREFIX = "demo_user_"
DEMO_USERNAME = "demo"
# (what it is, username, flags): reset to exactly these on every run.
LOGINS = (
    ("user", DEMO_USERNAME, {}),
    ("moderator", "demo_moderator", {"is_staff": True}),
    ("admin", "demo_admin", {"is_staff": True, "is_superuser": True, "role": User.Role.ADMIN}),
)
MODERATORS_MIGRATION = "posts.migrations.0002_moderators_group"

CATEGORIES = ("general", "python", "django", "databases", "devops", "travel", "cooking")
SUBJECTS = ("caching", "migrations", "testing", "deployments", "indexes", "queues", "weekends", "recipes")
ANGLES = ("Notes on", "A short guide to", "What I learned about", "Thoughts on", "Mistakes with", "Starting with")
HIDDEN_EVERY = 25  # one seeded post in 25 is hidden, so moderators have something to find
POST_HISTORY = timedelta(days=365)  # seeded posts are spread over this much time before the oldest one
BATCH = 10_000


class Progress(Protocol):
    def update(self, n: int) -> None: ...
    def close(self) -> None: ...


ProgressFactory = Callable[[str, int], Progress]


class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def no_progress(label: str, total: int) -> Progress:
    return _NoProgress()


@dataclass(frozen=True)
class DemoLogin:
    kind: str
    username: str
    password: str


@dataclass(frozen=True)
class SeedResult:
    created: dict[str, int]  # rows inserted by this run, per kind
    totals: dict[str, int]  # demo rows present afterwards, per kind
    logins: list[DemoLogin]


def seed_demo(*, users: int, posts: int, todos_per_user: int, progress: ProgressFactory = no_progress) -> SeedResult:
    """Top the demo data up to `users` bulk users, `posts` posts and `todos_per_user` to-dos each."""
    password_hash = make_password(DEMO_PASSWORD)  # once, shared by every demo account
    created = {"users": 0, "posts": 0, "todos": 0}
    with one_wait_for_writes():  # every batch's cache invalidation, one lease wait at the end
        logins = _ensure_logins(password_hash)
        created["users"] = _top_up_users(users, password_hash, progress)
        authors = _demo_author_ids(users)
        created["posts"] = _top_up_posts(authors, posts, progress)
        created["todos"] = _top_up_todos(authors, todos_per_user, progress)
    totals = {
        "users": User.objects.filter(username__startswith=USER_PREFIX).count(),
        "posts": Post.objects.filter(_owned_by_demo_users()).count(),
        "todos": Todo.objects.filter(_owned_by_demo_users()).count(),
    }
    return SeedResult(created=created, totals=totals, logins=logins)


def _owned_by_demo_users() -> Q:
    return Q(user__username__startswith=USER_PREFIX) | Q(user__username=DEMO_USERNAME)


# --- The three logins -------------------------------------------------------------------------


@transaction.atomic
def _ensure_logins(password_hash: str) -> list[DemoLogin]:
    moderators = moderators_group()
    logins = []
    for kind, username, flags in LOGINS:
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
        wanted = {"is_active": True, "is_staff": False, "is_superuser": False, "role": User.Role.USER, **flags}
        for name, value in wanted.items():
            setattr(user, name, value)
        user.password = password_hash
        user.save()
        if kind == "moderator":
            user.groups.add(moderators)
        logins.append(DemoLogin(kind=kind, username=username, password=DEMO_PASSWORD))
    return logins


def moderators_group() -> Group:
    """The group the data migration creates, re-created with the migration's own code if missing."""
    migration = importlib.import_module(MODERATORS_MIGRATION)
    group = Group.objects.filter(name=migration.MODERATORS).first()
    if group is not None:
        return group
    posts_config = apps.get_app_config("posts")
    models_module = posts_config.models_module
    try:
        migration.create_moderators(apps, None)
    finally:
        # The migration function assumes a throwaway registry and resets this attribute.
        posts_config.models_module = models_module
    return Group.objects.get(name=migration.MODERATORS)


# --- Bulk rows ---------------------------------------------------------------------------------


def _bulk_user_names(count: int) -> list[str]:
    return [f"{USER_PREFIX}{n:05d}" for n in range(1, count + 1)]


def _top_up_users(count: int, password_hash: str, progress: ProgressFactory) -> int:
    existing = set(User.objects.filter(username__startswith=USER_PREFIX).values_list("username", flat=True))
    missing = [name for name in _bulk_user_names(count) if name not in existing]
    now = timezone.now()
    rows = (
        (password_hash, False, name, "", "", f"{name}@example.com", False, True, now, User.Role.USER)
        for name in missing
    )
    fields = (
        "password",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
        "role",
    )
    return bulk_insert(User, fields, rows, total=len(missing), progress=progress, label="users")


def _demo_author_ids(count: int) -> list[int]:
    """The `demo` login, then demo_user_00001 .. demo_user_<count>."""
    ids = dict(User.objects.filter(username__startswith=USER_PREFIX).values_list("username", "pk"))
    demo = User.objects.get(username=DEMO_USERNAME).pk
    return [demo, *(ids[name] for name in _bulk_user_names(count))]


def _history_start(model: type[models.Model]) -> datetime:
    """New rows go back in time from the oldest demo row, so no timestamp repeats across runs."""
    oldest = model.objects.filter(_owned_by_demo_users()).aggregate(oldest=Min("created_at"))["oldest"]
    return oldest or timezone.now()


def _top_up_posts(authors: Sequence[int], count: int, progress: ProgressFactory) -> int:
    existing = Post.objects.filter(_owned_by_demo_users()).count()
    missing = max(0, count - existing)
    if not missing:
        return 0
    start, now = _history_start(Post), timezone.now()
    # Distinct timestamps (cursor pagination orders by them), at least 1 ms apart.
    step = max(POST_HISTORY / missing, timedelta(milliseconds=1))

    def rows() -> Iterator[tuple]:
        for i in range(missing):
            n = existing + i + 1
            created_at = start - step * (i + 1)
            category = CATEGORIES[n % len(CATEGORIES)]
            subject = SUBJECTS[(n * 3) % len(SUBJECTS)]
            title = f"{ANGLES[(n // len(CATEGORIES)) % len(ANGLES)]} {subject} #{n}"
            content = f"Demo post {n} about {subject} in {category}: what worked, what did not, and what to try next."
            status = Post.Status.HIDDEN if n % HIDDEN_EVERY == 0 else Post.Status.PUBLISHED
            # notified_at is set: nobody is owed an e-mail for seeded posts.
            yield (authors[i % len(authors)], title, content, category, status, created_at, created_at, now)

    fields = ("user", "title", "content", "category", "status", "created_at", "updated_at", "notified_at")
    return bulk_insert(Post, fields, rows(), total=missing, progress=progress, label="posts")


def _top_up_todos(authors: Sequence[int], per_user: int, progress: ProgressFactory) -> int:
    owned = Todo.objects.filter(_owned_by_demo_users()).values("user").annotate(n=Count("pk"))
    have = dict(owned.values_list("user", "n"))
    wanted = [(author, max(0, per_user - have.get(author, 0))) for author in authors]
    missing = sum(n for _, n in wanted)
    if not missing:
        return 0
    start, today = _history_start(Todo), timezone.localdate()
    priorities = list(Todo.Priority.values)

    def rows() -> Iterator[tuple]:
        i = 0
        for author, count in wanted:
            for k in range(have.get(author, 0) + 1, have.get(author, 0) + count + 1):
                i += 1
                created_at = start - timedelta(minutes=i)
                due_date = None if k % 4 == 0 else today + timedelta(days=k)
                yield (
                    author,
                    f"Demo to-do {k}",
                    k % 3 == 0,
                    f"Step {k} of the demo plan.",
                    due_date,
                    priorities[k % len(priorities)],
                    created_at,
                    created_at,
                )

    fields = ("user", "title", "completed", "description", "due_date", "priority", "created_at", "updated_at")
    return bulk_insert(Todo, fields, rows(), total=missing, progress=progress, label="todos")


# --- Inserting: COPY on PostgreSQL, bulk_create elsewhere ----------------------------------------


def copy_supported() -> bool:
    return connection.vendor == "postgresql"


def bulk_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[tuple],
    *,
    total: int,
    progress: ProgressFactory = no_progress,
    label: str = "rows",
) -> int:
    """Insert `total` rows (values of `fields`, in order) in one transaction; returns how many."""
    if not total:
        return 0
    bar = progress(label, total)
    try:
        with transaction.atomic():
            insert = _copy if copy_supported() else _create
            return insert(model, fields, rows, bar)
    finally:
        bar.close()


def _copy(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple], progress: Progress) -> int:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    inserted = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for inserted, row in enumerate(rows, 1):
                copy.write_row(row)
                if inserted % BATCH == 0:
                    progress.update(BATCH)
        progress.update(inserted % BATCH)
        cursor.execute(f"ANALYZE {table}")  # fresh planner statistics for the list queries
    models_changed(model)  # COPY is not the ORM: say what it wrote (after commit)
    return inserted


def _create(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple], progress: Progress) -> int:
    attnames = [model._meta.get_field(name).attname for name in fields]
    objects = (model(**dict(zip(attnames, row, strict=True))) for row in rows)
    inserted = 0
    while batch := list(itertools.islice(objects, BATCH)):
        model.objects.bulk_create(batch, batch_size=1000)
        inserted += len(batch)
        progress.update(len(batch))
    return inserted
