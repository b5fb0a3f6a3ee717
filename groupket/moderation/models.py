"""Watched words, the review queue (cases and reports), decisions, appeals and the moderation log (P10.1).

Watched words are not personal. A report's note, a decision's written reason and an appeal's
statement and answer are sealed under the key of the member they belong to (the reporter, the
member the decision is about, the appellant), so Unregister destroys them with that key. The log
keeps codes and numbers only; once the member is gone it no longer names them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from groupket.core.fields import EncryptedTextField
from groupket.core.models import DataKey
from groupket.spaces.models import Comment, Post, Space

BLOCK, HOLD, FLAG, CENSOR = "block", "hold", "flag", "censor"
WORD_ACTIONS = [
    (BLOCK, _("Block: refuse it and tell the author why")),
    (HOLD, _("Hold for review")),
    (FLAG, _("Flag: show it and queue it for review")),
    (CENSOR, _("Censor: show it with the word masked")),
]

# Report reasons, which are also Groupket's own rules that a decision may cite.
SPAM, ABUSE, PERSONAL_INFO, ILLEGAL, SPACE_RULE = "spam", "abuse", "personal_info", "illegal", "space_rule"
REASON_CHOICES = [
    (SPAM, _("Spam or advertising")),
    (ABUSE, _("Abuse, harassment or hate")),
    (PERSONAL_INFO, _("Personal information exposed")),
    (ILLEGAL, _("Illegal content")),
    (SPACE_RULE, _("Breaks a rule of this space")),
]


class WatchedWord(models.Model):
    """A word or phrase screened in every space (space is None: kept by Groupket's moderators) or in one."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, null=True, blank=True, related_name="watched_words")
    word = models.CharField(max_length=100)
    action = models.CharField(max_length=10, choices=WORD_ACTIONS)
    added_by_ref = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["word", "pk"]

    def __str__(self) -> str:
        return f"watched word {self.pk}"


class Case(models.Model):
    """One post or comment in the review queue: held by screening, flagged, or reported."""

    OPEN, CLOSED = "open", "closed"
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="moderation_cases")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # Whose writing it is, so the case goes with the member on Unregister.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, default=OPEN)
    # Why screening queued it: codes such as "word:12", "personal_info:phone", "links"; never the text.
    screening = models.JSONField(default=list, blank=True)
    held = models.BooleanField(default=False)
    score = models.FloatField(default=0)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(status="open", comment__isnull=True), name="moderation_one_open_post"
            ),
            models.UniqueConstraint(fields=["comment"], condition=Q(status="open"), name="moderation_one_open_comment"),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="moderation_queue")]

    def __str__(self) -> str:
        return f"case {self.pk}"

    @property
    def written(self) -> Post | Comment | None:
        return self.comment if self.comment_id else self.post


class Report(models.Model):
    PENDING, UPHELD, DISMISSED = "pending", "upheld", "dismissed"
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=REASON_CHOICES)
    rule_number = models.PositiveSmallIntegerField(null=True, blank=True)
    note = EncryptedTextField(null=True)
    # Whether the moderator's decision agreed with the report: the reporter's past accuracy counts in the score.
    outcome = models.CharField(max_length=10, default=PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "reporter"], name="moderation_one_report")]
        indexes = [models.Index(fields=["reporter", "outcome"], name="moderation_reporter")]

    def __str__(self) -> str:
        return f"report {self.pk}"


APPROVE, HIDE, DELETE, WARN, SILENCE, SUSPEND = "approve", "hide", "delete", "warn", "silence", "suspend"
DECISION_CHOICES = [
    (APPROVE, pgettext_lazy("moderation decision", "Approved")),
    (HIDE, pgettext_lazy("moderation decision", "Hidden")),
    (DELETE, pgettext_lazy("moderation decision", "Deleted")),
    (WARN, pgettext_lazy("moderation decision", "Warning")),
    (SILENCE, pgettext_lazy("moderation decision", "Silenced in the space")),
    (SUSPEND, pgettext_lazy("moderation decision", "Suspended from Groupket")),
]


class Decision(models.Model):
    """What a moderator did about a member's writing or the member, with the rule and the reason."""

    kind = models.CharField(max_length=10, choices=DECISION_CHOICES)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions")
    space = models.ForeignKey(Space, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    # The rule cited: one of Groupket's (a REASON_CHOICES code), or "space_rule" with its number.
    rule = models.CharField(max_length=20, blank=True)
    rule_number = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = EncryptedTextField(null=True)
    until = models.DateTimeField(null=True, blank=True)
    actor_ref = models.BigIntegerField()
    by_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    # Destroyed by the daily job from this moment: a year after the case around it closed.
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subject", "kind", "until"], name="moderation_sanctions")]

    def __str__(self) -> str:
        return f"decision {self.pk}"


class Appeal(models.Model):
    UPHELD, REJECTED = "upheld", "rejected"
    OUTCOME_CHOICES = [(UPHELD, _("Upheld: the decision is undone")), (REJECTED, _("Rejected: the decision stands"))]
    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="appeal")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data_key = models.ForeignKey(DataKey, on_delete=models.CASCADE, related_name="+")
    statement = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=OUTCOME_CHOICES, blank=True)
    answer = EncryptedTextField(null=True)
    decided_by_ref = models.BigIntegerField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["decided_at", "due_at"], name="moderation_appeals_due")]

    def __str__(self) -> str:
        return f"appeal {self.pk}"


class LogEntry(models.Model):
    """One step of moderation: codes and numbers, never a text anyone wrote. /transparency/ counts these."""

    action = models.CharField(max_length=30)
    actor_ref = models.BigIntegerField(null=True, blank=True)
    by_staff = models.BooleanField(default=False)
    case_ref = models.BigIntegerField(null=True, blank=True)
    decision_ref = models.BigIntegerField(null=True, blank=True)
    space = models.ForeignKey(Space, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # A decision's kind, a report's reason or rule, an appeal's outcome: what the transparency page counts.
    code = models.CharField(max_length=30, blank=True)
    rule = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["case_ref"], name="moderation_log_case"),
            models.Index(fields=["created_at"], name="moderation_log_time"),
        ]

    def __str__(self) -> str:
        return f"moderation log entry {self.pk}"
