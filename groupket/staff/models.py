"""Staff records. Rows that must outlive a staff member's account keep the id as a plain number."""

import hmac
import secrets
import time
from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP

from groupket.core.fields import EncryptedBytesField, EncryptedTextField
from groupket.core.models import DataKey
from groupket.staff.roles import ROLES

ROLE_CHOICES = [(slug, str(role.label)) for slug, role in ROLES.items()]


class RoleGrant(models.Model):
    """One grant of a role, and its revocation; kept at least 3 years (P7.6)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    member_ref = models.BigIntegerField(db_index=True)
    role = models.CharField(max_length=40, choices=ROLE_CHOICES)
    reason = models.CharField(max_length=300)
    granted_by_ref = models.BigIntegerField(null=True, blank=True, help_text="the privacy officer who granted it")
    granted_by_operator = models.CharField(max_length=100, blank=True, help_text="or the operator on the server")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_ref = models.BigIntegerField(null=True, blank=True, help_text="the privacy officer who revoked it")
    revoked_by_operator = models.CharField(max_length=100, blank=True, help_text="or the operator on the server")
    revoke_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member_ref", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_grant_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} for member {self.member_ref}"


class SealedDevice(ThrottlingMixin, Device):
    """A staff member's second factor, its secret sealed under the member's data key (P7.7).

    In place of django-otp's own devices, which keep secrets in plain text: a copy of the database
    must not hand over second factors. The throttle (1, 2, 4 ... seconds after each wrong code) is
    django-otp's.
    """

    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")

    class Meta(Device.Meta):
        abstract = True

    def get_throttle_factor(self) -> int:
        return 1


class Authenticator(SealedDevice):
    """A staff member's authenticator app (TOTP, RFC 6238), in place of django-otp's TOTPDevice."""

    STEP = 30
    DIGITS = 6
    TOLERANCE = 1  # the codes just before and after the current one, for a phone clock a little off
    ISSUER = "Groupket"

    secret = EncryptedBytesField()
    drift = models.SmallIntegerField(default=0, help_text="time steps the phone's clock is known to be off")
    last_t = models.BigIntegerField(default=-1, help_text="time step of the last code accepted: none is taken twice")

    @classmethod
    def new_secret(cls) -> bytes:
        return secrets.token_bytes(20)  # 160 bits, as RFC 4226 recommends for HMAC-SHA1

    def verify_token(self, token: str) -> bool:
        if not self.verify_is_allowed()[0]:
            return False
        totp = TOTP(self.secret, self.STEP, 0, self.DIGITS, self.drift)
        totp.time = time.time()
        verified = token.isdigit() and totp.verify(int(token), self.TOLERANCE, self.last_t + 1)
        if verified:
            self.last_t, self.drift = totp.t(), totp.drift
            self.throttle_reset(commit=False)
            self.save()
        else:
            self.throttle_increment(commit=True)
        return verified

    @property
    def config_url(self) -> str:
        """The otpauth:// address an authenticator app reads from the QR code (Google's Key URI format)."""
        label = quote(f"{self.ISSUER}:{self.user.get_username()}")
        params = {
            "secret": self.secret_base32,
            "issuer": self.ISSUER,
            "algorithm": "SHA1",
            "digits": self.DIGITS,
            "period": self.STEP,
        }
        return f"otpauth://totp/{label}?{urlencode(params, quote_via=quote)}"

    @property
    def secret_base32(self) -> str:
        return b32encode(self.secret).decode().rstrip("=")


class BackupCodes(SealedDevice):
    """A staff member's single-use backup codes, in place of django-otp's StaticDevice: each is a second factor."""

    codes = EncryptedTextField(help_text="the codes not used yet, separated by spaces")

    @property
    def remaining(self) -> int:
        return len(self.codes.split())

    def verify_token(self, token: str) -> bool:
        """Accept an unused code once; every stored code is compared, in constant time."""
        if not self.verify_is_allowed()[0]:
            return False
        unused = self.codes.split()
        matches = [code for code in unused if hmac.compare_digest(code.encode(), token.encode())]
        if matches:
            self.codes = " ".join(code for code in unused if code != matches[0])
            self.throttle_reset(commit=False)
            self.save()
        else:
            self.throttle_increment(commit=True)
        return bool(matches)


class AuthenticatorReset(models.Model):
    """A staff member's lost authenticator removed by the privacy officer, with the reason; never deleted (P7.7)."""

    member_ref = models.BigIntegerField(db_index=True)
    reset_by_ref = models.BigIntegerField(null=True, blank=True, help_text="the privacy officer who reset it")
    reset_by_operator = models.CharField(max_length=100, blank=True, help_text="or the operator on the server")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"authenticator reset for member {self.member_ref}"


class AccessLogEntry(models.Model):
    """One look by staff at a member's personal items (P7.8). Append-only, chained by MACs (staff.access_chain)."""

    sequence = models.PositiveBigIntegerField(unique=True, help_text="1, 2, 3 ... with no gap: a gap is a deleted row")
    key_id = models.CharField(max_length=40, help_text="the access-log key (its master key's id) of entry_hash")
    staff_ref = models.BigIntegerField(db_index=True)
    member_ref = models.BigIntegerField(db_index=True)
    items = models.JSONField()
    reason = models.CharField(max_length=40)
    reference = models.CharField(max_length=200, blank=True)
    ip_address = models.CharField(max_length=45)
    created_at = models.DateTimeField(db_index=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True, help_text="HMAC-SHA256 of the row under key_id")

    class Meta:
        ordering = ["sequence"]

    def __str__(self) -> str:
        return f"access {self.pk} by staff {self.staff_ref}"


class StaffPasswordHistory(models.Model):
    """Earlier password hashes of a staff member, so the last 5 are not reused (P7.7)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    password = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"password history {self.pk}"


class PrivacyRequest(models.Model):
    """A request or complaint to the privacy officer, by web form or email (P6.2, P11.1).

    Its own data key seals the requester's items, since a requester may not be a member.
    """

    ACCESS, CORRECTION, DELETION, STOP, COMPLAINT, OTHER = (
        "access",
        "correction",
        "deletion",
        "stop",
        "complaint",
        "other",
    )
    KINDS = [
        (ACCESS, "access"),
        (CORRECTION, "correction"),
        (DELETION, "deletion"),
        (STOP, "stop processing"),
        (COMPLAINT, "complaint"),
        (OTHER, "other"),
    ]
    OPEN, IN_PROGRESS, ANSWERED, CLOSED = "open", "in_progress", "answered", "closed"
    STATUSES = [(OPEN, "open"), (IN_PROGRESS, "in progress"), (ANSWERED, "answered"), (CLOSED, "closed")]

    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    kind = models.CharField(max_length=20, choices=KINDS)
    channel = models.CharField(max_length=20)
    requester_name = EncryptedTextField()
    requester_email = EncryptedTextField()
    body = EncryptedTextField()
    message_id_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    received_at = models.DateTimeField()
    due_on = models.DateField(db_index=True)
    status = models.CharField(max_length=20, choices=STATUSES, default=OPEN)
    requester_verified_at = models.DateTimeField(null=True, blank=True)
    officer_notes = EncryptedTextField(null=True)
    answer = EncryptedTextField(null=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"privacy request {self.pk} ({self.kind}, {self.status})"


# Labels for people, here beside the model so that forms, views and the mail tasks share them.
REQUEST_KIND_LABELS = {
    PrivacyRequest.ACCESS: _("See what Groupket holds about me"),
    PrivacyRequest.CORRECTION: _("Correct my information"),
    PrivacyRequest.DELETION: _("Delete my information"),
    PrivacyRequest.STOP: _("Stop processing my information"),
    PrivacyRequest.COMPLAINT: _("A complaint"),
    PrivacyRequest.OTHER: _("Something else"),
}
REQUEST_STATUS_LABELS = {
    PrivacyRequest.OPEN: _("Open"),
    PrivacyRequest.IN_PROGRESS: _("In progress"),
    PrivacyRequest.ANSWERED: _("Answered"),
    PrivacyRequest.CLOSED: _("Closed"),
}


class RequestAttachment(models.Model):
    """A file that came with an emailed request: scanned like an upload, stored sealed, never executed."""

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="attachments")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    filename = EncryptedTextField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = EncryptedBytesField()

    def __str__(self) -> str:
        return f"attachment {self.pk} of request {self.request_id}"


class RequestAction(models.Model):
    """Each step the officer takes on a request, logged (P6.2)."""

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="actions")
    staff_ref = models.BigIntegerField()
    action = models.CharField(max_length=40)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} on request {self.request_id}"


class LegalRequest(models.Model):
    """A request from an authority, recorded by the privacy officer (P1.3, P5.2)."""

    agency = models.CharField(max_length=200)
    legal_basis = models.CharField(max_length=300, help_text="act and article")
    reference = models.CharField(max_length=200)
    member_refs = models.JSONField(help_text="ids of the members in scope")
    items = models.JSONField(help_text="inventory keys in scope")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    received_on = models.DateField()
    notice_forbidden_until = models.DateField(null=True, blank=True)
    notice_forbidden_reason = models.TextField(blank=True)
    recorded_by_ref = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"legal request {self.pk} from {self.agency}"
