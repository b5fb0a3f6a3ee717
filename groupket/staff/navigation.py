"""The console's pages and the action each needs: the nav offers a staff member only the pages their roles open."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from groupket.staff import roles


@dataclass(frozen=True)
class ConsolePage:
    view_name: str
    label: Promise
    action: str | None  # None: every staff member may open it


CONSOLE_PAGES = (
    ConsolePage("staff:home", _("Console home"), None),
    ConsolePage("staff:requests", _("Requests to the officer"), roles.WORK_REQUESTS),
    ConsolePage("staff:members", _("Look up a member"), roles.LOOK_UP_MEMBERS),
    ConsolePage("staff:roles", _("Grant roles"), roles.GRANT_ROLES),
    ConsolePage("staff:access_log", _("Access log"), roles.REVIEW_ACCESS),
    ConsolePage("staff:access_review", _("Access review"), roles.REVIEW_ACCESS),
    ConsolePage("staff:legal_requests", _("Legal requests"), roles.RECORD_LEGAL_REQUESTS),
    ConsolePage("staff:destructions", _("Destructions"), roles.VIEW_DESTRUCTIONS),
    ConsolePage("staff:notices", _("Notices and news"), roles.SEND_NEWS),
    ConsolePage("staff:policy", _("Policy versions"), roles.PUBLISH_POLICY),
    ConsolePage("staff:retained", _("Kept records"), roles.READ_RETAINED_RECORDS),
    ConsolePage("staff_analytics:dashboard", _("Analytics"), roles.VIEW_ANALYTICS),
    # Pages of the moderation app, named by URL only: staff may not import moderation.
    ConsolePage("moderation_staff:queue", _("Review queue"), roles.MODERATE),
    ConsolePage("moderation_staff:words", _("Watched words"), roles.MODERATE),
    ConsolePage("orders:staff_disputes", _("Order disputes"), roles.ANSWER_ORDER_DISPUTES),
    ConsolePage("staff:password", _("Change password"), None),
)


def pages_open_to(actions: set[str]) -> list[ConsolePage]:
    return [page for page in CONSOLE_PAGES if page.action is None or page.action in actions]
