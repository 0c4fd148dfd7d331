"""What a cached response is built from, and what a write drops: both named by model.

A model opts in once, on its class::

    @tracked(groups=("user",))      # views select a user's to-dos
    class Todo(models.Model): ...

and from then on every ORM write to its table (save, delete, QuerySet.update/delete,
bulk_create/bulk_update, cascades, admin actions, data migrations: see `writes.py`)
drops, after commit:

- every response that depends on the model as a whole (its lists);
- the responses that depend on one of the rows the write touched (`row(Model)`);
- for each declared group field, the responses that depend on the rows sharing a value
  the touched rows had before or have after the write (`rows(Todo, user=CALLER)`);
- for each declared column, the responses that embed that column of any row
  (`column(User, "username")`), when an UPDATE changed its value. Such a column is
  reached through a foreign key from the embedding rows, so an insert or a delete of
  its own row never changes what they show (a delete cascades to them instead).

An UPDATE that sets only `unseen` columns (bookkeeping no response shows, such as
`last_login`) drops nothing.

A view names what it depends on with the same words (`Post`, `row(Post)`,
`rows(Todo, user=CALLER)`, `column(User, "username")`), never with tag strings. Both
sides turn into the tags below; only this module spells them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models

EPOCH = "*"  # the tag every cached response depends on: dropped by cache_clear and on recovery
EVERY = "*"  # a group value or a row id standing for all of them, for writes that cannot name theirs


@dataclass(frozen=True)
class Tracking:
    """What one tracked model's writes drop, with the columns needed to tell."""

    label: str  # "todos.todo": tags start with it
    pk: models.Field
    groups: tuple[models.Field, ...]
    columns: tuple[models.Field, ...]
    unseen: frozenset[models.Field] = frozenset()

    # --- Tags ------------------------------------------------------------------------------

    def all_rows(self) -> str:
        return self.label

    def row(self, pk: Any) -> str:
        return f"{self.label}#{pk}"

    def group(self, field: models.Field, value: Any) -> str:
        return f"{self.label}.{field.name}={value}"

    def column(self, field: models.Field) -> str:
        return f"{self.label}.{field.name}"

    def canonical_pk(self, value: Any) -> str:
        """The one spelling of a primary key in a tag, however a URL or a row gave it."""
        return str(self.pk.to_python(value))

    # --- What a write drops ----------------------------------------------------------------

    def written(self, fields: Iterable[models.Field]) -> tuple[set[models.Field], set[models.Field]]:
        """The declared groups and columns among the fields an UPDATE sets."""
        fields = set(fields)
        return fields & set(self.groups), fields & set(self.columns)

    def unknown_rows(self, columns: Iterable[models.Field] = ()) -> set[str]:
        """Everything a write that cannot name its rows may have changed."""
        tags = {self.all_rows(), self.row(EVERY)}
        tags.update(self.group(field, EVERY) for field in self.groups)
        tags.update(self.column(field) for field in columns)
        return tags

    def everything(self) -> set[str]:
        return self.unknown_rows(self.columns)


_by_table: dict[str, Tracking] = {}


def tracked(*, groups: Iterable[str] = (), columns: Iterable[str] = (), unseen: Iterable[str] = ()):
    """Class decorator: writes to this model drop what depends on it (module docstring)."""

    def register(model: type[models.Model]) -> type[models.Model]:
        opts = model._meta
        _by_table[opts.db_table] = Tracking(
            label=opts.label_lower,
            pk=opts.pk,
            groups=tuple(opts.get_field(name) for name in groups),
            columns=tuple(opts.get_field(name) for name in columns),
            unseen=frozenset(opts.get_field(name) for name in unseen),
        )
        return model

    return register


def tracking_of(model: type[models.Model]) -> Tracking | None:
    """By table, so the historical models of a data migration are tracked too."""
    return _by_table.get(model._meta.db_table)


def declared_tracking(model: type[models.Model]) -> Tracking:
    tracking = tracking_of(model)
    if tracking is None:
        raise TypeError(f"{model.__name__} is not @tracked: its writes would drop nothing")
    return tracking


# --- What a view depends on -------------------------------------------------------------------

Resolver = Callable[[Any], Any]  # (request) -> a value


def CALLER(request: Any) -> Any:
    """The authenticated caller's id: `rows(Todo, user=CALLER)`, `row(User, CALLER)`."""
    return request.user.pk


def _from_url(request: Any) -> Any:
    view = request.parser_context["view"]
    return view.kwargs[view.lookup_url_kwarg or view.lookup_field]


class Dependency:
    def tags(self, request: Any) -> list[str]:
        raise NotImplementedError


@dataclass(frozen=True)
class _AllRows(Dependency):
    tracking: Tracking

    def tags(self, request: Any) -> list[str]:
        return [self.tracking.all_rows()]


@dataclass(frozen=True)
class _Row(Dependency):
    tracking: Tracking
    pk: Resolver

    def tags(self, request: Any) -> list[str]:
        return [self.tracking.row(self.tracking.canonical_pk(self.pk(request))), self.tracking.row(EVERY)]


@dataclass(frozen=True)
class _Group(Dependency):
    tracking: Tracking
    field: models.Field
    value: Resolver

    def tags(self, request: Any) -> list[str]:
        return [self.tracking.group(self.field, self.value(request)), self.tracking.group(self.field, EVERY)]


@dataclass(frozen=True)
class _Column(Dependency):
    tracking: Tracking
    field: models.Field

    def tags(self, request: Any) -> list[str]:
        return [self.tracking.column(self.field)]


def row(model: type[models.Model], pk: Resolver = _from_url) -> Dependency:
    """One row: by default the one the URL names (a detail view)."""
    return _Row(declared_tracking(model), pk)


def rows(model: type[models.Model], **group: Resolver) -> Dependency:
    """The rows sharing one value of a declared group field: `rows(Todo, user=CALLER)`."""
    ((name, value),) = group.items()
    tracking = declared_tracking(model)
    field = model._meta.get_field(name)
    if field not in tracking.groups:
        raise TypeError(f"{model.__name__}.{name} is not a declared group of @tracked")
    return _Group(tracking, field, value)


def column(model: type[models.Model], name: str) -> Dependency:
    """One column of every row, as other models' responses embed it."""
    tracking = declared_tracking(model)
    field = model._meta.get_field(name)
    if field not in tracking.columns:
        raise TypeError(f"{model.__name__}.{name} is not a declared column of @tracked")
    return _Column(tracking, field)


def as_dependency(dependency: Dependency | type[models.Model]) -> Dependency:
    """A model class stands for all its rows (what a list shows)."""
    if isinstance(dependency, Dependency):
        return dependency
    return _AllRows(declared_tracking(dependency))


def tags_of(dependencies: Iterable[Dependency], request: Any) -> list[str]:
    """The tags of a response (or a held value) built from `dependencies`: the epoch first."""
    tags = [EPOCH]
    for dependency in dependencies:
        tags.extend(dependency.tags(request))
    return tags
