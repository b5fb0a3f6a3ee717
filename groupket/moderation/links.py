"""Moderation's link beside what members write: "Report" (settings.GROUPKET_WRITTEN_ACTIONS, spaces.cards)."""

from collections.abc import Callable
from html import escape

from django.utils.translation import gettext

from groupket.spaces.links import LinkPattern


def report_links() -> Callable[..., str]:
    """The report link of each post and comment of one page: each kind's address reversed once for the page.

    A feed page has 20 posts; reversing their report pages one by one was a millisecond of every home page.
    """
    pages = {
        "post": LinkPattern("moderation:report_post", slug=str, post_id=int),
        "comment": LinkPattern("moderation:report_comment", slug=str, comment_id=int),
    }
    label = escape(gettext("Report"))

    def report_link(written: object, *, kind: str, slug: str) -> str:
        address = pages[kind].fill(slug=slug, **{f"{kind}_id": written.pk})
        return f'<a class="report-link" href="{escape(address)}">{label}</a>'

    return report_link
