from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from groupket.accounts import throttle
from groupket.accounts.normalise import normalise_email_key, normalise_username_key
from groupket.core import blind_index
from groupket.core.fields import BlindIndexField, EncryptedBytesField, EncryptedTextField
from groupket.core.ids import random_row_id
from groupket.core.models import DataKey


def username_candidates(username: str) -> list[str]:
    """Every blind index an ID may be stored under (one for each master key in the keyring): how an ID is looked up."""
    return blind_index.candidates("username", normalise_username_key(username))


class MemberManager(BaseUserManager["Member"]):
    def with_username(self, username: str) -> "models.QuerySet[Member]":
        return self.filter(username_index__in=username_candidates(username))

    def with_email(self, email: str) -> "models.QuerySet[Member]":
        return self.filter(email_index__in=blind_index.candidates("email", normalise_email_key(email)))

    def get_by_natural_key(self, username: str) -> "Member":
        return self.with_username(username).get()


class Member(AbstractBaseUser):
    """A Groupket member. Every personal item is sealed under the member's own data key."""

    # No time of the latest sign-in on the member's row: it would outlive the sign-in records, which are kept 3
    # months (P7.9), and writing it cost every sign-in a statement. The reset links' tokens read the newest
    # record instead (accounts.tokens); Django connects no last_login receiver for a model without the field.
    last_login = None
    data_key = models.OneToOneField(DataKey, on_delete=models.CASCADE, related_name="member")
    username = EncryptedTextField()
    username_index = BlindIndexField(source="username", kind="username", normaliser=normalise_username_key, unique=True)
    name = EncryptedTextField()
    email = EncryptedTextField()
    email_index = BlindIndexField(source="email", kind="email", normaliser=normalise_email_key, unique=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    pending_email = EncryptedTextField(null=True)
    phone = EncryptedTextField(null=True)
    bio = EncryptedTextField(null=True)
    photo = EncryptedBytesField(null=True)
    # Saved at a group order's checkout only when the member ticks "save for next time" (P1.1); deleted on /me/edit/.
    delivery_recipient = EncryptedTextField(null=True)
    delivery_postal_code = EncryptedTextField(null=True)
    delivery_road_address = EncryptedTextField(null=True)
    delivery_address_detail = EncryptedTextField(null=True)
    delivery_phone = EncryptedTextField(null=True)
    joined_at = models.DateTimeField(default=timezone.now)
    password_changed_at = models.DateTimeField(default=timezone.now)
    password_reminder_snoozed_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # Kept in step by the spaces' notification services, so the header's count costs no query on any page.
    unread_notifications = models.PositiveIntegerField(default=0)

    objects = MemberManager()

    USERNAME_FIELD = "username_index"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        # Never the username: str() ends up in logs and error reports.
        return f"member {self.pk}"

    def get_username(self) -> str:
        return self.username

    def clean(self) -> None:
        """Validation lives in the forms; the stored username is never rewritten here."""

    DELIVERY_FIELDS = (
        "delivery_recipient",
        "delivery_postal_code",
        "delivery_road_address",
        "delivery_address_detail",
        "delivery_phone",
    )

    @property
    def has_saved_delivery(self) -> bool:
        return self.delivery_road_address is not None

    @property
    def email_confirmed(self) -> bool:
        return self.email_verified_at is not None

    def check_current_password(self, raw_password: str) -> bool:
        """Check a password typed to confirm an action, in the same throttle window as sign-in (P7.1).

        Pages of other apps call this through the user model (they cannot import accounts); a paused
        ID raises core.throttling.TooManyAttempts without checking the password.
        """
        return throttle.check_member_password(member=self, password=raw_password)


class LoginRecord(models.Model):
    """A sign-in attempt on a member's account, kept 3 months for security (P7.9)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="login_records")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    succeeded = models.BooleanField()
    ip_address = EncryptedTextField()
    user_agent = EncryptedTextField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"login record {self.pk}"


# The session key under which a browser's session names its SignIn row.
SIGN_IN_ID = "groupket_sign_in"


class SignIn(models.Model):
    """One signed-in browser of a member, listed on /me/sessions/ (P7.9)."""

    # Chosen before the row is written, so that the session naming it (SIGN_IN_ID) is written in the same
    # statement (accounts.services.sessions.start_sign_in); random, so it is never handed out again.
    id = models.BigIntegerField(primary_key=True, default=random_row_id, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="sign_ins")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=64, unique=True)
    user_agent = EncryptedTextField()
    shared_computer = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]

    def __str__(self) -> str:
        return f"sign-in {self.pk}"


class PasswordResetRequest(models.Model):
    """An address typed on the reset form, waiting for the background lookup and mail (P7.1).

    The request does the same work whatever was typed; the task, given only this row's id, finds the
    member and mails. The row keeps the address's blind index under each master key then alive (the
    lookup needs nothing more, and the mail goes to the member's own stored address), never the address:
    a sealed copy would keep a stranger's address Groupket has no use for, under a key made just for it;
    the index in the task's arguments would leave it in the broker's messages, outside the database's
    retention. The task deletes the row; the hourly clean-up deletes any a lost task left behind.
    """

    email_indexes = models.TextField()  # space-separated hex HMACs, current master key first
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"password reset request {self.pk}"


class EmailChangeNotice(models.Model):
    """The address a member has just left, kept sealed only until the notice of the change is sent to it.

    The task that sends the notice is given this row's id, never the address (broker messages are plain
    text); it deletes the row once the notice is sent, and a daily job destroys one that could not be.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    old_email = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"email change notice {self.pk}"
