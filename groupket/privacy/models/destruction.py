from django.db import models


class DestructionLog(models.Model):
    """What was destroyed, how and when; never the data itself (P8.5)."""

    category = models.CharField(max_length=60)
    count = models.PositiveIntegerField()
    method = models.CharField(max_length=200)
    basis = models.CharField(max_length=200)
    # Set when staff caused the destruction (the officer's desk); otherwise the basis says who (a member, a job).
    actor_ref = models.BigIntegerField(null=True, blank=True, help_text="the staff member who caused it")
    actor_operator = models.CharField(max_length=100, blank=True, help_text="or the operator on the server")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.count} {self.category} destroyed ({self.method})"
