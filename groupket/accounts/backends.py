"""Sign-in by ID (username) and password, looked up through the blind index (P7.1)."""

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from groupket.accounts.models import Member

# What signing in reads: the hash, and what login() and the sign-in records write. Not the sealed items (the
# photo alone can be hundreds of kilobytes): a sign-in needs none of them.
SIGN_IN_FIELDS = ("pk", "password", "last_login", "is_active", "data_key_id")


class MemberBackend(BaseBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Member | None:
        if not username or password is None:
            return None
        member = Member.objects.with_username(username).filter(is_active=True).only(*SIGN_IN_FIELDS).first()
        if member is None:
            # Hash anyway, so the time taken does not reveal whether the ID exists.
            Member().set_password(password)
            return None
        # The partial row is enough: a sealed item read from it later is loaded then (core.fields), as Django
        # loads any deferred field, so a sign-in does not read the whole member again.
        return member if member.check_password(password) else None

    def get_user(self, user_id: int) -> Member | None:
        return Member.objects.filter(pk=user_id, is_active=True).first()
