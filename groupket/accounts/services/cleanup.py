"""Scheduled clean-up of member data that has outlived its purpose."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from groupket.accounts.models import EmailChangeNotice, Member, PasswordResetRequest
from groupket.accounts.services.sessions import end_all_sign_ins
from groupket.core.keys import destroy_data_key
from groupket.privacy.services import record_destruction


def delete_unverified_members() -> int:
    """Destroy accounts whose email was never confirmed within the allowed days; how many."""
    cutoff = timezone.now() - timedelta(days=settings.GROUPKET_UNVERIFIED_DAYS)
    with transaction.atomic():
        members = list(Member.objects.select_for_update().filter(email_verified_at__isnull=True, joined_at__lt=cutoff))
        if not members:
            return 0
        for member in members:
            end_all_sign_ins(member=member)
            destroy_data_key(member.data_key_id)
        record_destruction(
            category="unverified member account",
            count=len(members),
            method="member data key destroyed (crypto-shredding, AES-256-GCM) and rows deleted",
            basis=f"email not confirmed within {settings.GROUPKET_UNVERIFIED_DAYS} days of signup",
        )
    return len(members)


def purge_stale_reset_requests() -> int:
    """Delete password reset requests whose task never ran (a lost broker message), after an hour; how many."""
    cutoff = timezone.now() - timedelta(hours=1)
    with transaction.atomic():
        deleted, _ = PasswordResetRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def destroy_unsent_email_change_notices() -> int:
    """Destroy old addresses whose change notice could not be sent within the allowed days; how many."""
    cutoff = timezone.now() - timedelta(days=settings.GROUPKET_UNSENT_NOTICE_DAYS)
    with transaction.atomic():
        count, _ = EmailChangeNotice.objects.filter(created_at__lt=cutoff).delete()
        if count:
            record_destruction(
                category="previous email address awaiting its change notice",
                count=count,
                method="sealed rows deleted",
                basis=f"the notice could not be sent within {settings.GROUPKET_UNSENT_NOTICE_DAYS} days",
            )
    return count
