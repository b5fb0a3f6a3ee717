from django.conf import settings
from django.db import models

from groupket.core.fields import EncryptedBytesField
from groupket.core.models import DataKey


class DataExport(models.Model):
    """A member's download of everything held about them (P6.1).

    The archive is sealed under the member's own key, so Unregister destroys it
    with everything else; it is downloadable for 24 hours and destroyed after 7 days.
    """

    PENDING = "pending"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    STATUSES = [(PENDING, "pending"), (BUILDING, "building"), (READY, "ready"), (FAILED, "failed")]

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20, choices=STATUSES, default=PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    archive = EncryptedBytesField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    download_until = models.DateTimeField(null=True, blank=True)
    destroy_after = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"
