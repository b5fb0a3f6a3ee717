"""Sign-in by ID (username) and password, looked up through the blind index (P7.1)."""

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.db.models import OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.module_loading import import_string

from groupket.accounts.models import Member

# What signing in reads: the hash, and what login() and the sign-in records write. Not the sealed items (the
# photo alone can be hundreds of kilobytes): a sign-in needs none of them.
SIGN_IN_FIELDS = ("pk", "password", "last_login", "is_active", "data_key_id")


@lru_cache(maxsize=4)
def _sign_in_query(reads: tuple[tuple[str, str], ...]) -> QuerySet[Member]:
    # Built once per process and only filtered per sign-in: building the annotations costs more CPU than the
    # queries they replace (about 0.8 ms, measured with bench/sign_in.py). Keyed by the setting, so a test that
    # overrides it gets its own.
    reads_of_later_apps = {name: import_string(path)(OuterRef("pk")) for name, path in reads}
    return Member.objects.filter(is_active=True).only(*SIGN_IN_FIELDS).annotate(**reads_of_later_apps).order_by("pk")


def sign_in_query() -> QuerySet[Member]:
    """Active members with what later apps read at sign-in (settings.GROUPKET_SIGN_IN_READS) annotated."""
    return _sign_in_query(tuple(settings.GROUPKET_SIGN_IN_READS.items()))


class MemberBackend(BaseBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Member | None:
        if not username or password is None:
            return None
        # One query for the hash and what the sign-in's receivers need (staff role, ledger answers): each of
        # those would otherwise be a query of its own after the password check.
        member = sign_in_query().filter(Member.objects.username_lookup(username)).first()
        if member is None:
            # Hash anyway, so the time taken does not reveal whether the ID exists.
            Member().set_password(password)
            return None
        # The partial row is enough: a sealed item read from it later is loaded then (core.fields), as Django
        # loads any deferred field, so a sign-in does not read the whole member again.
        return member if member.check_password(password) else None

    def get_user(self, user_id: int) -> Member | None:
        return Member.objects.filter(pk=user_id, is_active=True).first()
