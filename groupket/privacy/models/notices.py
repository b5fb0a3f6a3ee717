from django.conf import settings
from django.db import models

from groupket.privacy.models.documents import PolicyDocument


class MassNotice(models.Model):
    """A message to many members, sent in batches by a background task.

    Each recipient gets a NoticeDelivery row before the mail goes out, so a task
    that resumes after a crash never sends twice.
    """

    POLICY_CHANGE = "policy_change"
    NEWS = "news"
    SUBSCRIPTION_REMINDER = "subscription_reminder"
    KINDS = [(POLICY_CHANGE, "policy change"), (NEWS, "news"), (SUBSCRIPTION_REMINDER, "subscription reminder")]

    PENDING = "pending"
    SENDING = "sending"
    DONE = "done"
    STATUSES = [(PENDING, "pending"), (SENDING, "sending"), (DONE, "done")]

    kind = models.CharField(max_length=30, choices=KINDS)
    subject_en = models.CharField(max_length=200)
    subject_ko = models.CharField(max_length=200)
    body_en = models.TextField()
    body_ko = models.TextField()
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, null=True, blank=True)
    status = models.CharField(max_length=20, choices=STATUSES, default=PENDING)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_ref = models.BigIntegerField(null=True, blank=True, help_text="the privacy officer who sent it")
    created_by_operator = models.CharField(max_length=100, blank=True, help_text="or the operator, or a scheduled job")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} notice {self.pk} ({self.sent}/{self.total})"


class NoticeDelivery(models.Model):
    notice = models.ForeignKey(MassNotice, on_delete=models.CASCADE, related_name="deliveries")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_deliveries")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "member"], name="one_delivery_per_member")]

    def __str__(self) -> str:
        return f"delivery of notice {self.notice_id} to member {self.member_id}"
