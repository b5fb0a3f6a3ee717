"""The safeguards a staff member passes before any console page (P7.7).

A second factor (TOTP, with backup codes) is required; an account without a
confirmed device can only enrol. A password older than 90 days must be changed.
"""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp import user_has_device


def password_expired(member: object) -> bool:
    age = timezone.now() - member.password_changed_at
    return age > timedelta(days=settings.GROUPKET_STAFF_PASSWORD_DAYS)


def pending_step(request: HttpRequest, *, password: bool = True) -> HttpResponse | None:
    """Where the staff member must go first, or None when every safeguard is passed.

    The password page itself asks with password=False: changing an expired password
    still needs the second factor first, or a stolen password alone could replace itself.
    """
    member = request.user
    if not user_has_device(member, confirmed=True):
        return redirect("staff:enrol")
    if not member.is_verified():
        return redirect(f"{reverse('staff:verify')}?{urlencode({'next': request.get_full_path()})}")
    if password and password_expired(member):
        return redirect("staff:password")
    return None
