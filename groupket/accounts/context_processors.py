"""Banners a signed-in member should see on every page (base.html includes each template)."""

from dataclasses import dataclass

from django.http import HttpRequest

from groupket.accounts.services.passwords import password_reminder_due


@dataclass(frozen=True)
class Notice:
    level: str
    template: str


def member_notices(request: HttpRequest) -> dict[str, list[Notice]]:
    member = getattr(request, "user", None)
    if member is None or not member.is_authenticated:
        return {"member_notices": []}
    notices = []
    if not member.is_verified:
        notices.append(Notice("warn", "accounts/notices/unverified.html"))
    if password_reminder_due(member):
        notices.append(Notice("warn", "accounts/notices/password_old.html"))
    return {"member_notices": notices}
