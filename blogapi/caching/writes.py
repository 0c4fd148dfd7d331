"""Catch every ORM write to a tracked model where all of them meet: Django's SQL compilers.

save(), delete() and its cascades, QuerySet.update()/delete(), bulk_create(),
bulk_update(), get_or_create()/update_or_create(), admin actions, the historical models
of data migrations and ORM code in a shell all end in an INSERT, UPDATE or DELETE built
by these three compilers (as django-cachalot found; django-cacheops' signals and
`invalidated_update()` miss `update()`, `bulk_create()` and fast deletes). Each such
write names what it touched, and `dependencies.Tracking` turns that into tags:

- INSERT: the rows are in the query (`query.objs`): their group values.
- UPDATE, DELETE: `RETURNING` the primary key and the group columns of exactly the rows
  the statement touched (PostgreSQL, SQLite >= 3.35). An UPDATE that sets a group or an
  embedded column first reads the old values of the rows it will touch `FOR UPDATE`, in
  the same transaction, so a row moved from one owner to another drops both owners' views
  and a column is dropped only if its value changed.
- Without a WHERE clause (a whole table), with more rows than are worth naming, or on a
  database without RETURNING: everything the model's writes can drop.

The tags are deleted after commit (generations.invalidate). Raw SQL is not seen here:
code that writes with it calls `models_changed()`; an operator runs `cache_clear`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from functools import wraps

from django.db import transaction
from django.db.models import Model
from django.db.models.constants import OnConflict
from django.db.models.sql.compiler import SQLCompiler, SQLDeleteCompiler, SQLInsertCompiler, SQLUpdateCompiler
from django.db.models.sql.constants import CURSOR, MULTI, NO_RESULTS, ROW_COUNT
from django.db.models.sql.query import Query

from .dependencies import EVERY, Tracking, declared_tracking, tracking_of
from .generations import invalidate

ROWS_NAMED_UP_TO = 1000  # past this many rows, one "every row" tag is cheaper than a tag each


def models_changed(*models: type[Model], using: str = "default") -> None:
    """For writes the ORM did not make (COPY, raw SQL): drop everything these models' writes can."""
    invalidate(set().union(*(declared_tracking(model).everything() for model in models)), using=using)


# --- What each kind of statement touched ---------------------------------------------------------


def _inserted(tracking: Tracking, objs: Iterable[Model]) -> set[str]:
    tags = {tracking.all_rows()}
    for obj in objs:
        for field in tracking.groups:
            tags.add(tracking.group(field, getattr(obj, field.attname)))
    return tags


def _touched(
    tracking: Tracking,
    after: list[tuple],
    groups: tuple,
    before: dict | None = None,
    written_groups: frozenset = frozenset(),
    written_columns: tuple = (),
) -> set[str]:
    """Tags of rows an UPDATE or DELETE returned as (pk, *groups, *written columns), with
    the old values of the rows it read first, by pk (for groups or columns it set)."""
    if not after:
        return set()
    tags = {tracking.all_rows()}
    if len(after) > ROWS_NAMED_UP_TO:
        return tags | tracking.unknown_rows(written_columns)
    unknown_before = before is not None and any(row[0] not in before for row in after)
    for row in after:
        tags.add(tracking.row(row[0]))
        for index, field in enumerate(groups, 1):
            tags.add(tracking.group(field, row[index]))
            if field in written_groups:
                if unknown_before:
                    tags.add(tracking.group(field, EVERY))  # a row appeared between the read and the write
                elif row[0] in before:
                    tags.add(tracking.group(field, before[row[0]][field]))
        for index, field in enumerate(written_columns, 1 + len(groups)):
            if unknown_before or before[row[0]][field] != row[index]:
                tags.add(tracking.column(field))
    return tags


# --- The compilers -------------------------------------------------------------------------------


def _returns_rows(connection) -> bool:
    return connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 35)
    )


def _returning(compiler, sql: str) -> str:
    columns = getattr(compiler, "returning_columns", None)
    if not sql or not columns:
        return sql
    quote = compiler.connection.ops.quote_name
    return f"{sql} RETURNING {', '.join(quote(field.column) for field in columns)}"


def _execute_returning(compiler) -> tuple[int | None, list[tuple]]:
    """Run the UPDATE or DELETE with its RETURNING clause: its row count and the rows."""
    cursor = SQLCompiler.execute_sql(compiler, CURSOR)
    if cursor is None:  # nothing to run (an empty IN list, say)
        return None, []
    with cursor:
        rows = cursor.fetchall()
    return len(rows), rows


def _whole_table(compiler) -> bool:
    return not compiler.query.where


def _read_before(compiler, tracking: Tracking, fields: tuple) -> dict:
    """The current values of `fields` of the rows the UPDATE will touch, locked until commit."""
    query = compiler.query.chain(klass=Query)
    query.select_related = False
    query.clear_ordering(force=True)
    query.extra = {}
    query.select = []
    query.add_fields([tracking.pk.attname, *(field.attname for field in fields)])
    query.select_for_update = compiler.connection.features.has_select_for_update
    rows = query.get_compiler(using=compiler.using).execute_sql(MULTI)
    return {row[0]: dict(zip(fields, row[1:], strict=True)) for chunk in rows for row in chunk}


def _patch_insert(original):
    @wraps(original)
    def execute_sql(self, returning_fields=None):
        rows = original(self, returning_fields)
        tracking = tracking_of(self.query.model)
        if tracking is not None:
            if self.query.on_conflict == OnConflict.UPDATE:
                written = [field for field in self.query.update_fields or () if field in tracking.columns]
                invalidate(tracking.unknown_rows(written), using=self.using)
            else:
                invalidate(_inserted(tracking, self.query.objs), using=self.using)
        return rows

    return execute_sql


def _patch_update(original):
    @wraps(original)
    def execute_sql(self, result_type):
        tracking = tracking_of(self.query.model)
        fields = [field for field, _, _ in self.query.values]
        if tracking is None or (fields and set(fields) <= tracking.unseen):
            return original(self, result_type)
        written_groups, written_columns = tracking.written(fields)
        if (
            result_type not in (ROW_COUNT, NO_RESULTS)
            or self.query.related_updates
            or _whole_table(self)
            or not _returns_rows(self.connection)
        ):
            count = original(self, result_type)
            invalidate(tracking.unknown_rows(written_columns), using=self.using)
            return count
        columns = tuple(field for field in tracking.columns if field in written_columns)
        reads_first = bool(written_groups or columns)
        atomic = transaction.atomic(using=self.using, savepoint=False) if reads_first else contextlib.nullcontext()
        with atomic:
            before = _read_before(self, tracking, (*tracking.groups, *columns)) if reads_first else None
            self.returning_columns = (tracking.pk, *tracking.groups, *columns)
            count, after = _execute_returning(self)
            tags = _touched(tracking, after, tracking.groups, before, frozenset(written_groups), columns)
            if tags:
                invalidate(tags, using=self.using)
        return (count or 0) if result_type == ROW_COUNT else None

    return execute_sql


def _patch_delete(original):
    @wraps(original)
    def execute_sql(self, result_type=MULTI, *args, **kwargs):
        tracking = tracking_of(self.query.model)
        if tracking is None:
            return original(self, result_type, *args, **kwargs)
        if result_type not in (ROW_COUNT, NO_RESULTS) or _whole_table(self) or not _returns_rows(self.connection):
            count = original(self, result_type, *args, **kwargs)
            invalidate(tracking.unknown_rows(), using=self.using)
            return count
        self.returning_columns = (tracking.pk, *tracking.groups)
        count, after = _execute_returning(self)
        tags = _touched(tracking, after, tracking.groups)
        if tags:
            invalidate(tags, using=self.using)
        return count if result_type == ROW_COUNT else None

    return execute_sql


def _patch_as_sql(original):
    @wraps(original)
    def as_sql(self, *args, **kwargs):
        sql, params = original(self, *args, **kwargs)
        return _returning(self, sql), params

    return as_sql


_installed = []


def install() -> None:
    """Once, from BlogapiConfig.ready()."""
    if _installed:
        return
    SQLInsertCompiler.execute_sql = _patch_insert(SQLInsertCompiler.execute_sql)
    SQLUpdateCompiler.execute_sql = _patch_update(SQLUpdateCompiler.execute_sql)
    SQLDeleteCompiler.execute_sql = _patch_delete(SQLDeleteCompiler.execute_sql)
    SQLUpdateCompiler.as_sql = _patch_as_sql(SQLUpdateCompiler.as_sql)
    SQLDeleteCompiler.as_sql = _patch_as_sql(SQLDeleteCompiler.as_sql)
    _installed.append(True)
