"""Moderation's link beside what members write: "Report" (settings.GROUPKET_WRITTEN_ACTIONS, spaces.cards)."""

from collections.abc import Callable

from django.db.models import Model
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from groupket.spaces.links import LinkPattern


def report_links() -> Callable[..., SafeString]:
    """The report link of each post and comment of one page: each kind's address reversed once for the page.

    A feed page has 20 posts; reversing their report pages one by one was a millisecond of every home page.
    """
    pages = {
        "post": LinkPattern("moderation:report_post", slug=str, post_id=int),
        "comment": LinkPattern("moderation:report_comment", slug=str, comment_id=int),
    }
    label = gettext("Report")

    def report_link(written: Model, *, kind: str, slug: str) -> SafeString:
        address = pages[kind].fill(slug=slug, **{f"{kind}_id": written.pk})
        return format_html('<a class="report-link" href="{}">{}</a>', address, label)

    return report_link
