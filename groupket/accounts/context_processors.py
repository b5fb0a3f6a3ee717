"""Banners a signed-in member should see on every page (base.html includes each template)."""

from dataclasses import dataclass

from django.http import HttpRequest

from groupket.accounts.services.passwords import password_reminder_due
from groupket.privacy.selectors import upcoming_material_changes


@dataclass(frozen=True)
class Notice:
    level: str
    template: str


def member_notices(request: HttpRequest) -> dict[str, list]:
    member = getattr(request, "user", None)
    if member is None or not member.is_authenticated:
        return {"member_notices": []}
    notices = []
    if not member.email_confirmed:
        notices.append(Notice("warn", "accounts/notices/unverified.html"))
    if password_reminder_due(member):
        notices.append(Notice("warn", "accounts/notices/password_old.html"))
    # A material change is announced on every page until it takes effect (P3.1); the privacy middleware has
    # usually read the schedule already, so this costs no query.
    upcoming = upcoming_material_changes(getattr(request, "material_schedule", None))
    if upcoming:
        notices.append(Notice("info", "privacy/notices/upcoming_change.html"))
    return {"member_notices": notices, "upcoming_policy_changes": upcoming}
