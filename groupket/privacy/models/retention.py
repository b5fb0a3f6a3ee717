from django.db import models

from groupket.core.ids import time_ordered_uuid


class RetentionKey(models.Model):
    """The key of every retained record due for destruction in one month (P8.2, P8.5).

    Wrapped by the master key like a member's data key; destroying it makes every
    copy of that month's records unreadable.
    """

    month = models.CharField(max_length=7, unique=True, help_text="YYYY-MM of the destruction dates")
    wrapped = models.BinaryField()
    master_key_id = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"retention key for {self.month}"


class RetainedRecord(models.Model):
    """A record kept after withdrawal because a law or a prior agreement requires it (P8.2, P8.3).

    Apart from live data, sealed under its month's key, with its legal basis and
    destruction date. It has no foreign key to the member, who no longer exists.
    """

    record_ref = models.UUIDField(default=time_ordered_uuid, unique=True, editable=False)
    subject_ref = models.UUIDField(db_index=True, help_text="the same for every record of one former member")
    retention_key = models.ForeignKey(RetentionKey, on_delete=models.PROTECT, related_name="records")
    category = models.CharField(max_length=60)
    basis = models.CharField(max_length=200)
    destroy_on = models.DateField(db_index=True)
    payload = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["destroy_on", "pk"]

    def __str__(self) -> str:
        return f"retained {self.category} until {self.destroy_on}"


class RetentionExtension(models.Model):
    """A recorded new basis that lets one retained record live longer (P8.4).

    Refers to the record by its reference, not a foreign key, so the extension
    outlives the record as the proof of why it was kept.
    """

    CONSENT = "consent"
    LAW = "law"
    KINDS = [(CONSENT, "new consent of the former member"), (LAW, "new legal basis")]

    record_ref = models.UUIDField(db_index=True)
    category = models.CharField(max_length=60)
    basis_kind = models.CharField(max_length=20, choices=KINDS)
    basis = models.CharField(max_length=200)
    reference = models.CharField(max_length=200)
    old_destroy_on = models.DateField()
    new_destroy_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    extended_by_ref = models.BigIntegerField(null=True, blank=True, help_text="the staff member who extended it")
    extended_by_operator = models.CharField(max_length=100, blank=True, help_text="or the operator on the server")

    def __str__(self) -> str:
        return f"extension of {self.record_ref} to {self.new_destroy_on}"
