from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from groupket.accounts.normalise import normalise_email_key, normalise_username_key
from groupket.core import blind_index
from groupket.core.fields import BlindIndexField, EncryptedBytesField, EncryptedTextField
from groupket.core.models import DataKey


class MemberManager(BaseUserManager["Member"]):
    def with_username(self, username: str) -> "models.QuerySet[Member]":
        return self.filter(username_index__in=blind_index.candidates("username", normalise_username_key(username)))

    def with_email(self, email: str) -> "models.QuerySet[Member]":
        return self.filter(email_index__in=blind_index.candidates("email", normalise_email_key(email)))

    def get_by_natural_key(self, username: str) -> "Member":
        return self.with_username(username).get()


class Member(AbstractBaseUser):
    """A Groupket member. Every personal item is sealed under the member's own data key."""

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
    joined_at = models.DateTimeField(default=timezone.now)
    password_changed_at = models.DateTimeField(default=timezone.now)
    password_reminder_snoozed_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

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

    @property
    def email_confirmed(self) -> bool:
        return self.email_verified_at is not None


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


class SignIn(models.Model):
    """One signed-in browser of a member, listed on /me/sessions/ (P7.9)."""

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
