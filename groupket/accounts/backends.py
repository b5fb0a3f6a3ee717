"""Sign-in by ID (username) and password, looked up through the blind index (P7.1)."""

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from groupket.accounts.models import Member


class MemberBackend(BaseBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Member | None:
        if not username or password is None:
            return None
        member = Member.objects.with_username(username).filter(is_active=True).first()
        if member is None:
            # Hash anyway, so the time taken does not reveal whether the ID exists.
            Member().set_password(password)
            return None
        return member if member.check_password(password) else None

    def get_user(self, user_id: int) -> Member | None:
        return Member.objects.filter(pk=user_id, is_active=True).first()
