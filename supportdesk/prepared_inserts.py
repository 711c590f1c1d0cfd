"""INSERT statements compiled once by Django's own compiler and reused: `insert(obj)` is `obj.save()` for
a new row, without recompiling the same SQL on every call.

Used on the ticket-opening path (bench/README.md, W1), where Model.save() spent most of its time building
the same INSERT again: the SQL still comes from the ORM (fields, column names, quoting, RETURNING), and
each value still goes through its field's `pre_save` and `get_db_prep_save`, so defaults, auto_now and
JSON encoding behave as with save(). What it leaves out, on purpose: model signals and custom save()
methods. `insert` refuses a model that has either, so it can never silently skip one.

`InsertBatch` goes one step further for a write transaction that inserts several related rows: each row's
values are converted when it is added, before the transaction, and inside it only the statements run. A
foreign key to an object added earlier to the batch takes that object's key when it is inserted, and a
value that needs a key (a subject naming the ticket number) is computed then, by a function given for it.
On SQLite the transaction holds the one write lock, so what it does not do there the other web process
can do at the same time (bench/README.md, W1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery

M = TypeVar("M", bound=Model)


class NotPreparable(TypeError):
    """The model has a custom save(), save signals, no auto primary key or a parent model: use save()."""


def insert(obj: M, using: str = DEFAULT_DB_ALIAS) -> M:
    """Insert the unsaved `obj` (auto primary key unset), set its pk and mark it saved; returns it."""
    insert_many([obj], using)
    return obj


def insert_many(objs: Sequence[Model], using: str = DEFAULT_DB_ALIAS) -> None:
    """`insert` for each of `objs`, in order, one statement each (an InsertBatch run at once)."""
    batch = InsertBatch(using)
    for obj in objs:
        batch.add(obj)
    batch.insert()


class InsertBatch:
    """Unsaved objects whose INSERT values are prepared when added and which `insert()` then writes, in
    the order added. Add a child after its parent: `Message(ticket=ticket)` with `ticket` added before
    gets the ticket's key when the ticket is inserted."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using
        self._rows: list[_PreparedRow] = []

    def add(self, obj: M, at_insert: Mapping[str, Callable[[], Any]] | None = None) -> M:
        """Prepare `obj`'s row now. `at_insert` names fields whose value is computed at insert time, after
        the rows added before it have their keys. Returns `obj`."""
        model = type(obj)
        _check_preparable(model)
        if obj.pk is not None or any(row.obj is obj for row in self._rows):
            raise ValueError("InsertBatch.add takes an unsaved object with no primary key set, once")
        connection = connections[self.using]
        statement = _statement(model, connection)
        late = dict(at_insert or {})
        unknown = set(late) - {field.name for field in statement.fields}
        if unknown:
            raise ValueError(f"{model._meta.label} has no insertable field {', '.join(sorted(unknown))}")
        params: list[Any] = []
        deferred: list[tuple[int, Any, Callable[[], Any] | Model]] = []
        for index, field in enumerate(statement.fields):
            parent = _unsaved_parent(obj, field)
            if field.name in late or parent is not None:
                deferred.append((index, field, late.get(field.name) or parent))  # type: ignore[arg-type]
                params.append(None)
            else:
                params.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
        self._rows.append(_PreparedRow(obj, statement, params, deferred))
        return obj

    def insert(self) -> None:
        """Run the prepared INSERTs in the order added, setting each object's key (call it once, inside
        the transaction)."""
        connection = connections[self.using]
        with connection.cursor() as cursor:
            for row in self._rows:
                obj, params = row.obj, list(row.params)
                for index, field, source in row.deferred:
                    if isinstance(source, Model):
                        if source.pk is None:
                            raise ValueError(f"{type(obj)._meta.label}.{field.name}: its object is not inserted; "
                                             "add it to the batch before the objects that refer to it")
                        setattr(obj, field.name, source)  # sets the key and keeps the cached object
                    else:
                        setattr(obj, field.attname, source())
                    params[index] = field.get_db_prep_save(field.pre_save(obj, True), connection)
                cursor.execute(row.statement.sql, params)
                obj.pk = _returned_pk(cursor, connection, type(obj))
                obj._state.adding = False
                obj._state.db = self.using
        self._rows = []


@dataclass
class _PreparedRow:
    obj: Model
    statement: _Statement
    params: list[Any]
    deferred: list[tuple[int, Any, Callable[[], Any] | Model]]


def _unsaved_parent(obj: Model, field: Any) -> Model | None:
    """The unsaved object a foreign key of `obj` points at, if any (its key is not known yet)."""
    if not (field.is_relation and (field.many_to_one or field.one_to_one)) or not field.is_cached(obj):
        return None
    parent = field.get_cached_value(obj)
    return parent if parent is not None and parent.pk is None else None


class _Statement:
    def __init__(self, sql: str, fields: Sequence[Any]) -> None:
        self.sql = sql
        self.fields = fields


def _statement(model: type[Model], connection: Any) -> _Statement:
    # Kept on the connection: a statement belongs to one backend (quoting, RETURNING support).
    cache: dict[type[Model], _Statement] = connection.__dict__.setdefault("_sd_prepared_inserts", {})
    found = cache.get(model)
    if found is None:
        found = cache[model] = _compile(model, connection)
    return found


def _compile(model: type[Model], connection: Any) -> _Statement:
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    if any(hasattr(f, "get_placeholder") for f in fields):
        raise NotPreparable(f"{meta.label}: a field has its own SQL placeholder")
    query = InsertQuery(model)
    # One row of markers, passed through untouched: the compiled SQL then has one plain "%s" per field,
    # and the params show it, in the order the real values must come.
    query.insert_values(fields, [_Placeholders(fields)], raw=True)  # type: ignore[list-item]
    compiler = query.get_compiler(connection=connection)
    compiler.prepare_value = lambda field, value: value  # type: ignore[method-assign]
    returning = [meta.pk] if connection.features.can_return_columns_from_insert else None
    compiler.returning_fields = returning
    [(sql, params)] = compiler.as_sql()
    if list(params) != [_MARK] * len(fields):
        raise NotPreparable(f"{meta.label}: a field does not compile to a plain placeholder")
    if returning and " RETURNING " not in sql:
        raise NotPreparable(f"{meta.label}: the backend wrote no RETURNING clause")
    return _Statement(sql, fields)


def _check_preparable(model: type[Model]) -> None:
    meta = model._meta
    if model.save is not Model.save:
        raise NotPreparable(f"{meta.label} has its own save()")
    if meta.auto_field is None or meta.parents:
        raise NotPreparable(f"{meta.label}: only models with an auto primary key and no parent model")
    for name, signal in (("pre_save", pre_save), ("post_save", post_save)):
        if signal.has_listeners(model):
            raise NotPreparable(f"{meta.label} has {name} receivers")


def _returned_pk(cursor: Any, connection: Any, model: type[Model]) -> Any:
    if connection.features.can_return_columns_from_insert:
        (pk,) = cursor.fetchone()
        return pk
    return connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)


_MARK = object()


class _Placeholders:
    """An object whose every field attribute is the same marker, so compiling shows which values are
    plain parameters (raw=True: the compiler reads attributes, not pre_save)."""

    def __init__(self, fields: Sequence[Any]) -> None:
        for field in fields:
            setattr(self, field.attname, _MARK)
