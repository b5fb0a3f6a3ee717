"""Writing one row with a statement made once per process, for the few hot paths where save() costs more CPU
than the statement it runs.

Model.save() builds its query and compiles it to SQL on every call: about 0.2 ms of CPU a row, twice what
running the statement costs. A sign-in writes three rows, beside a hash it must leave as the only costly step
(bench/sign_in.py): insert_rows() writes them with one statement. insert_row(), insert_rows() and update_row()
keep each statement's SQL per model, fields and database, and take the values as save() does: each field's
pre_save() (where an encrypted field seals its value under the row's data key, core.fields), then
get_db_prep_save(). They send no signals, as QuerySet.update() sends none: use them only for models no signal
receiver watches.
"""

from functools import lru_cache

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model


@lru_cache(maxsize=64)
def _insert_statement(model: type[Model], using: str) -> tuple[str, tuple[Field, ...], bool]:
    """INSERT of every concrete column but a database-made key; its SQL, its fields, whether it returns the key."""
    meta, connection = model._meta, connections[using]
    _refuse_what_save_alone_handles(model, connection)
    made_by_database = meta.auto_field is not None and meta.pk is meta.auto_field
    fields = tuple(field for field in meta.local_concrete_fields if not (made_by_database and field is meta.pk))
    quote = connection.ops.quote_name
    # Only the model's own table and column names, quoted, are written into the SQL; values are parameters.
    columns, places = ", ".join(quote(field.column) for field in fields), ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({places})"  # noqa: S608
    if made_by_database:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return sql, fields, made_by_database


def _refuse_what_save_alone_handles(model: type[Model], connection: BaseDatabaseWrapper) -> None:
    # Written for plain tables: a parent table, a column the database computes or fills, or a database that
    # cannot return the new key would each need what save() does, so they are refused rather than written wrong.
    meta = model._meta
    if meta.parents or not connection.features.can_return_columns_from_insert:
        raise NotImplementedError(f"core.rows cannot insert {meta.label} on {connection.vendor}: use save()")
    for field in meta.local_concrete_fields:
        if field.generated or field.has_db_default():
            raise NotImplementedError(f"core.rows cannot write {meta.label}.{field.name}: use save()")


def insert_row(instance: Model) -> None:
    """Insert the instance as save(force_insert=True) would, its key set when the database made it."""
    using = router.db_for_write(type(instance), instance=instance)
    connection = connections[using]
    sql, fields, returns_key = _insert_statement(type(instance), using)
    with connection.cursor() as cursor:
        cursor.execute(sql, _values(instance, fields, connection, adding=True))
        _saved(instance, using, key=cursor.fetchone()[0] if returns_key else None)


def _values(instance: Model, fields: tuple[Field, ...], connection: BaseDatabaseWrapper, *, adding: bool) -> list:
    # As save() takes them: pre_save() (an encrypted field seals here), then the database's form of the value.
    return [field.get_db_prep_save(field.pre_save(instance, adding), connection) for field in fields]


def _saved(instance: Model, using: str, *, key: object) -> None:
    if key is not None:
        instance.pk = key
    instance._state.adding = False
    instance._state.db = using


@lru_cache(maxsize=16)
def _combined_insert(models: tuple[type[Model], ...], using: str) -> str:
    """One statement inserting a row of each model, in order: a data-modifying WITH, answering the keys made."""
    # Only the statements of _insert_statement() and names made here are written into the SQL.
    parts, keys = [], []
    for number, model in enumerate(models, 1):
        sql, _fields, returns_key = _insert_statement(model, using)
        parts.append(f"row_{number} AS ({sql})")
        keys.append(f"(SELECT * FROM row_{number})" if returns_key else "NULL")  # noqa: S608
    return f"WITH {', '.join(parts)} SELECT {', '.join(keys)}"


def insert_rows(*instances: Model) -> None:
    """Insert each instance as insert_row() does, all of them or none.

    On PostgreSQL in one statement, which is a transaction by itself: one round trip, and no BEGIN or COMMIT when
    no transaction is open (a sign-in's three rows, bench/sign_in.py). Elsewhere one statement each, in a
    transaction. All the instances go to one database.
    """
    using = router.db_for_write(type(instances[0]), instance=instances[0])
    connection = connections[using]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using, savepoint=False):
            for instance in instances:
                insert_row(instance)
        return
    sql = _combined_insert(tuple(type(instance) for instance in instances), using)
    values = []
    for instance in instances:
        values += _values(instance, _insert_statement(type(instance), using)[1], connection, adding=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        keys = cursor.fetchone()
    for instance, key in zip(instances, keys, strict=True):
        _saved(instance, using, key=key)


@lru_cache(maxsize=64)
def _update_statement(model: type[Model], names: tuple[str, ...], using: str) -> tuple[str, tuple[Field, ...]]:
    meta, quote = model._meta, connections[using].ops.quote_name
    fields = tuple(meta.get_field(name) for name in names)
    if meta.parents or any(field.generated for field in fields):
        raise NotImplementedError(f"core.rows cannot update {meta.label}'s {names}: use save()")
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    where = f"{quote(meta.pk.column)} = %s"
    return f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {where}", fields  # noqa: S608


def update_row(instance: Model, *, fields: tuple[str, ...]) -> bool:
    """Write these fields of a saved instance, as save(update_fields=...) would; whether its row still exists."""
    using = router.db_for_write(type(instance), instance=instance)
    connection = connections[using]
    sql, model_fields = _update_statement(type(instance), fields, using)
    values = _values(instance, model_fields, connection, adding=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, instance._meta.pk.get_db_prep_value(instance.pk, connection)])
        return cursor.rowcount == 1
