import re

from django.conf import settings
from django.db import models
from django.utils.translation import get_language

# A section heading of a document: "8. Retention ..." (version 1), "제8조(...)" or "Article 8 (...)" (version 2 on),
# and an article inserted between two as Korean law numbers it, "제5조의2(...)" or "Article 5-2 (...)".
SECTION_HEADING = re.compile(
    r"^(?:(?P<section>[1-9]\d*)\. |제(?P<article_ko>[1-9]\d*)조(?:의(?P<branch_ko>[1-9]\d*))?\("
    r"|Article (?P<article_en>[1-9]\d*)(?:-(?P<branch_en>[1-9]\d*))? \()"
)
BULLET = "•"


class PolicyDocument(models.Model):
    """A published version of the Terms of Use or the Privacy Policy (P3.1)."""

    TERMS = "terms"
    PRIVACY = "privacy"
    KINDS = [(TERMS, "Terms of Use"), (PRIVACY, "Privacy Policy")]

    kind = models.CharField(max_length=20, choices=KINDS)
    version = models.PositiveIntegerField()
    effective_at = models.DateTimeField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by_ref = models.BigIntegerField(null=True, blank=True, help_text="the privacy officer who published it")
    published_by_operator = models.CharField(max_length=100, blank=True, help_text="or the operator on the server")
    # A material change is announced to every member in advance and asked for again (P3.1).
    material = models.BooleanField(default=False)
    # A change that disadvantages members is announced 30 days ahead instead of 7.
    disadvantageous = models.BooleanField(default=False)
    change_summary_en = models.TextField(blank=True)
    change_summary_ko = models.TextField(blank=True)
    body_en = models.TextField()
    body_ko = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="one_version_per_document")]
        ordering = ["kind", "-version"]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"

    @property
    def body(self) -> str:
        return self.body_ko if get_language() == "ko" else self.body_en

    @property
    def blocks(self) -> list[tuple[str, str, str]]:
        """The text in the active language as (kind, line, anchor): kind "heading", "bullet" or "paragraph"; blank
        lines dropped. A heading's anchor ("article-5-2") is the same in both languages, so a link to a section of the
        policy holds whichever language the reader has; other lines have none."""
        blocks, anchors = [], set()
        for line in self.body.splitlines():
            if line.strip():
                kind, anchor = _block(line)
                # Only the first of two headings with one number is a link target: ids are unique on a page.
                blocks.append((kind, line, "" if anchor in anchors else anchor))
                anchors.add(anchor)
        return blocks

    @property
    def change_summary(self) -> str:
        return self.change_summary_ko if get_language() == "ko" else self.change_summary_en


def section_anchor(line: str) -> str:
    """The anchor of a section heading ("article-5-2", or "section-8" in version 1), "" for any other line."""
    heading = SECTION_HEADING.match(line)
    if heading is None:
        return ""
    if heading["section"]:
        return f"section-{heading['section']}"
    article, branch = heading["article_ko"] or heading["article_en"], heading["branch_ko"] or heading["branch_en"]
    return f"article-{article}-{branch}" if branch else f"article-{article}"


def _block(line: str) -> tuple[str, str]:
    anchor = section_anchor(line)
    if anchor:
        return "heading", anchor
    return ("bullet" if line.startswith(BULLET) else "paragraph"), ""


class ConsentEvent(models.Model):
    """One line of the append-only consent ledger; current state is derived from it."""

    MARKETING = "marketing"

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_events")
    document = models.CharField(max_length=60)
    version = models.PositiveIntegerField(null=True, blank=True)
    granted = models.BooleanField()
    channel = models.CharField(max_length=30)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.document} v{self.version} {'granted' if self.granted else 'withdrawn'}"
