"""Sign-in by ID (username) and password, looked up through the blind index (P7.1)."""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.db import connections, router
from django.db.models import OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.module_loading import import_string

from groupket.accounts.models import Member, username_candidates

# What signing in reads: the hash, whether the member may sign in, and the data key the sign-in's rows are sealed
# under. Not the sealed items (the photo alone can be hundreds of kilobytes): a sign-in needs none of them.
SIGN_IN_FIELDS = ("pk", "password", "is_active", "data_key_id")


def _sign_in_query(reads: tuple[tuple[str, str], ...]) -> QuerySet[Member]:
    """Active members, with what later apps read at sign-in (settings.GROUPKET_SIGN_IN_READS) annotated."""
    reads_of_later_apps = {name: import_string(path)(OuterRef("pk")) for name, path in reads}
    return Member.objects.filter(is_active=True).only(*SIGN_IN_FIELDS).annotate(**reads_of_later_apps).order_by("pk")


@dataclass(frozen=True)
class _SignInStatement:
    """The sign-in query as the ORM compiled it: SQL, constant parameters, and how to read its row."""

    sql: str
    params: tuple
    index_places: tuple[int, ...]  # where the blind indexes go among the parameters
    field_names: tuple[str, ...]  # the member's columns, in the model's order, then the annotations
    annotations: tuple[str, ...]
    converters: dict  # column number -> (functions, expression), as SQLCompiler.get_converters() gives them


@lru_cache(maxsize=16)
def _sign_in_statement(reads: tuple[tuple[str, str], ...], indexes: int, using: str) -> _SignInStatement:
    # Made by the ORM once per process rather than at every sign-in: building and compiling the query's
    # annotations, and RawQuerySet's mapping of its columns, cost more CPU than the query itself (measured for
    # bench/sign_in.py). Its parameters are constants but for the blind indexes, whose places it keeps.
    markers = [f"blind index {number}" for number in range(indexes)]
    compiler = _sign_in_query(reads).filter(username_index__in=markers)[:1].query.get_compiler(using)
    sql, params = compiler.as_sql()
    selected = [expression for expression, _sql, _alias in compiler.select]
    annotations = tuple(alias for _expression, _sql, alias in compiler.select if alias)
    columns = tuple(expression.target.attname for expression in selected[: len(selected) - len(annotations)])
    return _SignInStatement(
        sql=sql,
        params=tuple(params),
        index_places=tuple(params.index(marker) for marker in markers),
        field_names=columns,
        annotations=annotations,
        converters=compiler.get_converters(selected),
    )


def find_member_to_sign_in(username: str) -> Member | None:
    """The active member with this ID, with what later apps read at sign-in annotated; one query."""
    indexes = username_candidates(username)
    using = router.db_for_read(Member)
    statement = _sign_in_statement(tuple(settings.GROUPKET_SIGN_IN_READS.items()), len(indexes), using)
    params = list(statement.params)
    for place, index in zip(statement.index_places, indexes, strict=True):
        params[place] = index
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for number, (functions, expression) in statement.converters.items():
        for function in functions:
            values[number] = function(values[number], expression, connection)
    member = Member.from_db(using, statement.field_names, values[: len(statement.field_names)])
    for name, value in zip(statement.annotations, values[len(statement.field_names) :], strict=True):
        setattr(member, name, value)
    return member


class MemberBackend(BaseBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Member | None:
        if not username or password is None:
            return None
        # One query for the hash and what the sign-in's receivers need (staff role, ledger answers): each of
        # those would otherwise be a query of its own after the password check.
        member = find_member_to_sign_in(username)
        if member is None:
            # Hash anyway, so the time taken does not reveal whether the ID exists.
            Member().set_password(password)
            return None
        # The partial row is enough: a sealed item read from it later is loaded then (core.fields), as Django
        # loads any deferred field, so a sign-in does not read the whole member again.
        return member if member.check_password(password) else None

    def get_user(self, user_id: int) -> Member | None:
        return Member.objects.filter(pk=user_id, is_active=True).first()
