"""Sign-in by ID (username) and password, looked up through the blind index (P7.1)."""

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.db import router
from django.db.models import OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.module_loading import import_string

from groupket.accounts.models import Member, username_candidates

# What signing in reads: the hash, and what login() and the sign-in records write. Not the sealed items (the
# photo alone can be hundreds of kilobytes): a sign-in needs none of them.
SIGN_IN_FIELDS = ("pk", "password", "last_login", "is_active", "data_key_id")


def _sign_in_query(reads: tuple[tuple[str, str], ...]) -> QuerySet[Member]:
    """Active members, with what later apps read at sign-in (settings.GROUPKET_SIGN_IN_READS) annotated."""
    reads_of_later_apps = {name: import_string(path)(OuterRef("pk")) for name, path in reads}
    return Member.objects.filter(is_active=True).only(*SIGN_IN_FIELDS).annotate(**reads_of_later_apps).order_by("pk")


@lru_cache(maxsize=16)
def _sign_in_statement(reads: tuple[tuple[str, str], ...], indexes: int, using: str) -> tuple[str, list, list[int]]:
    # The query's SQL, made by the ORM once per process rather than at every sign-in: building and compiling its
    # annotations costs more CPU than the queries they replace (0.65 ms against 0.2 ms run from here, measured
    # for bench/sign_in.py). Its parameters are constants but for the blind indexes, whose places it returns.
    markers = [f"blind index {number}" for number in range(indexes)]
    query = _sign_in_query(reads).filter(username_index__in=markers)[:1].query
    sql, params = query.get_compiler(using).as_sql()
    return sql, list(params), [params.index(marker) for marker in markers]


def find_member_to_sign_in(username: str) -> Member | None:
    """The active member with this ID, with what later apps read at sign-in annotated; one query."""
    indexes = username_candidates(username)
    using = router.db_for_read(Member)
    sql, params, places = _sign_in_statement(tuple(settings.GROUPKET_SIGN_IN_READS.items()), len(indexes), using)
    params = params.copy()
    for place, index in zip(places, indexes, strict=True):
        params[place] = index
    return next(iter(Member.objects.db_manager(using).raw(sql, params)), None)


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
