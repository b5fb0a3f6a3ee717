from typing import Any

from django.conf import settings
from django.db import models


class DisclosureWriteRefused(Exception):
    """A disclosure record was about to be written outside privacy.services.disclosures."""


class DisclosureQuerySet(models.QuerySet):
    """Refuses the ordinary ways of writing rows (P1.3): record_disclosure validates and notifies first."""

    def create(self, **kwargs: Any) -> "Disclosure":
        raise DisclosureWriteRefused("disclosures are written only by privacy.services.disclosures.record_disclosure")

    def bulk_create(self, *args: Any, **kwargs: Any) -> list["Disclosure"]:
        raise DisclosureWriteRefused("disclosures are written only by privacy.services.disclosures.record_disclosure")

    def get_or_create(self, *args: Any, **kwargs: Any) -> tuple["Disclosure", bool]:
        raise DisclosureWriteRefused("disclosures are written only by privacy.services.disclosures.record_disclosure")

    def update_or_create(self, *args: Any, **kwargs: Any) -> tuple["Disclosure", bool]:
        raise DisclosureWriteRefused("disclosures are written only by privacy.services.disclosures.record_disclosure")

    def _create(self, **kwargs: Any) -> "Disclosure":
        """The one write path, for record_disclosure only (a test scans the source for other callers)."""
        disclosure = self.model(**kwargs)
        disclosure.save(force_insert=True, using=self.db)
        return disclosure

    _create.queryset_only = False  # reachable as Disclosure.objects._create, despite the underscore


class Disclosure(models.Model):
    """One transfer of a member's personal items outside Groupket (P1.3, P5.1-P5.4).

    Written only by privacy.services.disclosures, called from the code paths that
    own a transfer: a partner hand-off with consent, billing, a legal request.
    """

    CONSENT = "consent"
    LAW = "law"
    BILLING = "billing"
    BASES = [(CONSENT, "consent of the member"), (LAW, "required by law"), (BILLING, "billing for service use")]

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="disclosures")
    recipient = models.CharField(max_length=200)
    items = models.JSONField(help_text="keys of the inventory items disclosed")
    basis = models.CharField(max_length=20, choices=BASES)
    reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    member_notified = models.BooleanField(default=False)
    notice_withheld_reason = models.TextField(blank=True)
    notice_due_on = models.DateField(null=True, blank=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"disclosure {self.pk} to {self.recipient} ({self.basis})"
