from django.db import models


class DestructionLog(models.Model):
    """What was destroyed, how and when; never the data itself (P8.5)."""

    category = models.CharField(max_length=60)
    count = models.PositiveIntegerField()
    method = models.CharField(max_length=200)
    basis = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.count} {self.category} destroyed ({self.method})"
