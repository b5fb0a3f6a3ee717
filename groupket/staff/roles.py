"""Staff roles, declared in code: what each may see and do (P7.6, P7.8, P10.2).

A role lists the inventory items its holders may see of a member and the actions
they may take. Nothing outside these lists is shown to them; a role is held only
through a RoleGrant made by the privacy officer.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Actions a role may take.
GRANT_ROLES = "grant_roles"
LOOK_UP_MEMBERS = "look_up_members"
WORK_REQUESTS = "work_requests"
RECORD_LEGAL_REQUESTS = "record_legal_requests"
REVIEW_ACCESS = "review_access"
PUBLISH_POLICY = "publish_policy"
SEND_NEWS = "send_news"
VIEW_DESTRUCTIONS = "view_destructions"
READ_RETAINED_RECORDS = "read_retained_records"
VIEW_ANALYTICS = "view_analytics"
MODERATE = "moderate"
# Group order disputes (orders.services.disputes): a billing handler reads and answers them.
ANSWER_ORDER_DISPUTES = "answer_order_disputes"


# What a requester gave in a request to the privacy officer, needed to work the request.
REQUEST_ITEMS = frozenset(
    {
        "request_name",
        "request_email",
        "request_body",
        "request_notes",
        "request_answer",
        "request_attachment",
        "request_attachment_name",
    }
)


@dataclass(frozen=True)
class Role:
    slug: str
    label: Promise
    description: Promise
    items: frozenset[str]
    actions: frozenset[str]


PRIVACY_OFFICER = Role(
    "privacy_officer",
    _("Privacy officer"),
    _("The Personal Information Manager: grants roles, works requests and legal requests, reviews access."),
    # Sign-in records too: a legal request may ask for them (P5.2).
    frozenset({"username", "name", "email", "phone", "login_ip", "login_user_agent"}) | REQUEST_ITEMS,
    frozenset(
        {
            GRANT_ROLES,
            LOOK_UP_MEMBERS,
            WORK_REQUESTS,
            RECORD_LEGAL_REQUESTS,
            REVIEW_ACCESS,
            PUBLISH_POLICY,
            SEND_NEWS,
            VIEW_DESTRUCTIONS,
            VIEW_ANALYTICS,
        }
    ),
)
SUPPORT_HANDLER = Role(
    "support_handler",
    _("Support handler"),
    _("Helps members with their account: sees their ID, name and email."),
    frozenset({"username", "name", "email"}) | REQUEST_ITEMS,
    frozenset({LOOK_UP_MEMBERS, WORK_REQUESTS}),
)
MODERATOR = Role(
    "moderator",
    _("Moderator"),
    _("Reviews reported posts: sees usernames only, never an email, a name or a phone number."),
    # The writing under review too (P10.1), each look logged; never an email, a name or a phone (P7.8).
    frozenset(
        {
            "username",
            "post_title",
            "post_body",
            "post_revision_title",
            "post_revision_body",
            "post_images",
            "comment_body",
            "comment_revision_body",
            "report_note",
            "appeal_statement",
            "appeal_answer",
        }
    ),
    frozenset({LOOK_UP_MEMBERS, MODERATE}),
)
BILLING_HANDLER = Role(
    "billing_handler",
    _("Billing handler"),
    _("Handles payments of group orders: sees order and payment items only, and answers disputes on orders."),
    frozenset({"username", "order_dispute_text", "order_dispute_images", "order_dispute_answers"}),
    frozenset({LOOK_UP_MEMBERS, ANSWER_ORDER_DISPUTES}),
)
RECORDS_CUSTODIAN = Role(
    "records_custodian",
    _("Records custodian"),
    _("Reads records kept after withdrawal, only for a stated purpose (dispute, settlement, delivery, legal)."),
    frozenset(),
    frozenset({READ_RETAINED_RECORDS, VIEW_DESTRUCTIONS}),
)

ANALYST = Role(
    "analyst",
    _("Analyst"),
    _("Reads the aggregate counts of first-party analytics: no member's items, no single browser's visits."),
    frozenset(),
    frozenset({VIEW_ANALYTICS}),
)

ROLES: dict[str, Role] = {
    role.slug: role
    for role in (PRIVACY_OFFICER, SUPPORT_HANDLER, MODERATOR, BILLING_HANDLER, RECORDS_CUSTODIAN, ANALYST)
}


def items_of(slugs: Iterable[str]) -> frozenset[str]:
    """The inventory items that holding these roles lets a staff member see."""
    return frozenset(item for slug in slugs for item in ROLES[slug].items)


def get_role(slug: str) -> Role:
    try:
        return ROLES[slug]
    except KeyError:
        raise KeyError(f"no staff role {slug!r}") from None
