"""The data inventory: every personal item Groupket holds, declared once (P1.4, P2.3).

The policy page, "My information", the export and Unregister read this list, so
what they show cannot drift apart from what is stored.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, override

# Categories of personal items.
IDENTITY = "identity"
CONTACT = "contact"
CREDENTIAL = "credential"
PROFILE = "profile"
DEVICE_LOG = "device_log"
CONSENT = "consent"
EXPORT_COPY = "export_copy"
REQUEST = "request"
COMMUNITY = "community"
BROWSER = "browser"
MODERATION = "moderation"
TRANSACTION = "transaction"
DELIVERY = "delivery"

CATEGORY_LABELS: dict[str, Promise] = {
    IDENTITY: _("Identity"),
    CONTACT: _("Contact"),
    CREDENTIAL: _("Sign-in credentials"),
    PROFILE: _("Profile"),
    DEVICE_LOG: _("Devices and sign-in records"),
    CONSENT: _("Agreements"),
    EXPORT_COPY: _("Copies of your data you asked for"),
    REQUEST: _("Your requests to the privacy officer"),
    COMMUNITY: _("Your spaces, posts and comments"),
    BROWSER: _("A browser that accepted analytics cookies"),
    MODERATION: _("Reports and moderation decisions"),
    TRANSACTION: _("Your group orders and payments"),
    DELIVERY: _("Delivery details"),
}

# Purposes of use (P4.1): the only reasons personal items are used.
CONTRACT = "contract"
SERVICE = "service"
NEWS = "news"
SECURITY = "security"
REQUESTS = "requests"
# Rests on the consent given with the cookie banner or on /cookies/ (P9.2); a member's is in the ledger too.
ANALYTICS = "cookies:analytics"

PURPOSE_LABELS: dict[str, Promise] = {
    CONTRACT: _("Fulfilling the service contract with you"),
    SERVICE: _("Providing Groupket's services"),
    NEWS: _("News of new services and events (only with your consent)"),
    SECURITY: _("Keeping your account secure"),
    REQUESTS: _("Answering your requests and complaints to the privacy officer"),
    ANALYTICS: _("Counting visits, how often browsers come back and which spaces interest them, in aggregate"),
}

UNTIL_WITHDRAWAL = _("Until you unregister")
SERVICE_CONTRACT_BASIS = _("The service contract: your agreement to the Terms of Use and the Privacy Policy")
LOGIN_RECORD_RETENTION = _("3 months from the sign-in, then destroyed")
CONTENT_RETENTION = _("Until you delete it or unregister")
MODERATION_RETENTION = _("1 year after the case is closed, then destroyed; at once if you unregister")
ORDER_RECORD_RETENTION = _("5 years from the record (a law keeps it, also after you unregister), then destroyed")
DELIVERY_RETENTION = _("Until the order is completed and its dispute period has passed, then destroyed")
SAVED_DELIVERY_RETENTION = _("Until you delete it on Edit Profile or unregister")
DELIVERY_CONFIRMATION_RETENTION = _(
    "As long as the order's record: 5 years (a law keeps it, also after you unregister), then destroyed"
)
DISPUTE_RETENTION = _("3 years from the dispute (a law keeps it, also after you unregister), then destroyed")
REQUEST_RETENTION = _("3 years after the request is answered (complaint and dispute records), then destroyed")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), moved back to the month's last day when it has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class RetentionRule:
    """A law or prior agreement that keeps a category of records after withdrawal (P8.2).

    `category` and the English `basis` are stored on each retained record and in the
    destruction log; `label` and `basis` are shown translated on the Unregister page.
    The period runs from each record's own `counted_from` date.
    """

    category: str
    label: Promise
    basis: Promise
    months: int = 0
    days: int = 0
    counted_from: str = "created_at"

    def __post_init__(self) -> None:
        if (self.months > 0) == (self.days > 0):
            raise ValueError(f"retention rule {self.category!r} needs a period in months or in days, not both")

    def keep_until(self, start: date) -> date:
        """The destruction date of a record dated `start`."""
        return add_months(start, self.months) + timedelta(days=self.days)

    def earliest_kept(self, today: date) -> date:
        """No record dated before this day is still within its period on `today`."""
        return add_months(today, -self.months) - timedelta(days=self.days)

    @property
    def stored_basis(self) -> str:
        # Records outlive the language of the request that made them: the stored text is English.
        with override("en"):
            return str(self.basis)

    @property
    def period_label(self) -> str:
        if self.days:
            return ngettext("%(count)d day", "%(count)d days", self.days) % {"count": self.days}
        if self.months % 12 == 0:
            years = self.months // 12
            return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
        return ngettext("%(count)d month", "%(count)d months", self.months) % {"count": self.months}


# What the law requires to keep after withdrawal (P8.2). Orders, payments and disputes declare their
# items with these rules when they are built; only the login records use one today.
CONTRACT_RECORDS = "contract and payment records"
CANCELLATION_RECORDS = "cancellation records"
DISPUTE_RECORDS = "complaint and dispute records"
LOGIN_RECORDS = "login records"

RETENTION_RULES: dict[str, RetentionRule] = {
    CONTRACT_RECORDS: RetentionRule(
        CONTRACT_RECORDS,
        _("Records of contracts, payments and the supply of goods"),
        _(
            "Act on Consumer Protection in Electronic Commerce, art. 6 and its Enforcement Decree art. 6: "
            "records of contracts, payments and the supply of goods, 5 years"
        ),
        months=60,
    ),
    CANCELLATION_RECORDS: RetentionRule(
        CANCELLATION_RECORDS,
        _("Records of cancelled orders"),
        _(
            "Act on Consumer Protection in Electronic Commerce, art. 6 and its Enforcement Decree art. 6: "
            "records of the withdrawal of an order (cancellation), 5 years"
        ),
        months=60,
    ),
    DISPUTE_RECORDS: RetentionRule(
        DISPUTE_RECORDS,
        _("Records of complaints and disputes"),
        _(
            "Act on Consumer Protection in Electronic Commerce, art. 6 and its Enforcement Decree art. 6: "
            "records of consumer complaints and dispute resolution, 3 years"
        ),
        months=36,
    ),
    LOGIN_RECORDS: RetentionRule(
        LOGIN_RECORDS,
        _("Sign-in records (time, IP address, browser, success)"),
        _("Protection of Communications Secrets Act, art. 15-2 and its decree art. 41: 3 months"),
        months=3,
    ),
}


# The model whose own columns are the member's profile items; every other model holds records about them.
MEMBER_MODEL = "accounts.Member"


@dataclass(frozen=True)
class ItemPath:
    """Where an item is stored, read from its "app_label.Model.field" reference: the one parser of that form."""

    model: str  # the model's label, "app_label.Model"
    field: str  # the field's name on that model

    @classmethod
    def parse(cls, reference: str) -> "ItemPath":
        parts = reference.split(".")
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{reference!r} is not of the form 'app_label.Model.field'")
        return cls(model=f"{parts[0]}.{parts[1]}", field=parts[2])

    @property
    def on_member(self) -> bool:
        """The item is a column of the member's own row, not a record in another model."""
        return self.model == MEMBER_MODEL


def _shipping_partner_recipients() -> tuple[str, ...]:
    """Every configured shipping partner as the recipient a hand-off names ("partner:<slug>", P5.4)."""
    # A malformed entry is left out here and reported by the orders app's system check (orders.E001).
    partners = settings.GROUPKET_SHIPPING_PARTNERS if isinstance(settings.GROUPKET_SHIPPING_PARTNERS, list) else []
    return tuple(f"partner:{p['slug']}" for p in partners if isinstance(p, dict) and isinstance(p.get("slug"), str))


@dataclass(frozen=True)
class Item:
    key: str
    label: Promise
    field: str  # "app_label.Model.field"; read it through .path
    category: str
    required: bool
    purposes: tuple[str, ...]
    retention: Promise = UNTIL_WITHDRAWAL
    recipients: tuple[str, ...] = ()
    # Set only where a law or prior agreement keeps the item's records after Unregister (P8.2).
    kept_after_withdrawal: RetentionRule | None = None
    # The legal ground for holding the item while the member stays.
    basis: Promise = SERVICE_CONTRACT_BASIS
    # How a row of the item's model names the member it is about (a lookup on that model).
    owner: str = "member_id"
    # Other columns of the same row holding a copy made from the item and sealed under the same key (a post's body
    # as pages show it): declared with the item, gone with it, neither listed nor exported apart.
    copies: tuple[str, ...] = ()

    @property
    def path(self) -> ItemPath:
        return ItemPath.parse(self.field)

    @property
    def columns(self) -> tuple[str, ...]:
        """The item's field and its copies, each as "app_label.Model.field"."""
        return (self.field, *(f"{self.path.model}.{copy}" for copy in self.copies))


def _kept_order_record(
    key: str, label: Promise, field: str, rule: str, retention: Promise, recipients: tuple[str, ...] = ()
) -> Item:
    """A group order's record that a law keeps after the buyer withdraws (P8.2), under that law's rule."""
    return Item(
        key,
        label,
        field,
        TRANSACTION,
        False,
        (CONTRACT,),
        retention,
        kept_after_withdrawal=RETENTION_RULES[rule],
        basis=RETENTION_RULES[rule].basis,
        recipients=recipients,
        owner="buyer_id",
    )


ITEMS: tuple[Item, ...] = (
    Item("username", _("ID (username)"), "accounts.Member.username", IDENTITY, True, (CONTRACT, SERVICE)),
    Item(
        "password",
        _("Password (stored only as an Argon2id hash)"),
        "accounts.Member.password",
        CREDENTIAL,
        True,
        (CONTRACT, SECURITY),
    ),
    Item("name", _("Name"), "accounts.Member.name", IDENTITY, True, (CONTRACT, SERVICE)),
    Item("email", _("Email address"), "accounts.Member.email", CONTACT, True, (CONTRACT, SERVICE, NEWS)),
    Item(
        "pending_email",
        _("New email address awaiting verification"),
        "accounts.Member.pending_email",
        CONTACT,
        False,
        (CONTRACT,),
    ),
    Item(
        "previous_email",
        _("Your previous email address, until it is told of the change"),
        "accounts.EmailChangeNotice.old_email",
        CONTACT,
        False,
        (SECURITY,),
        _("Until the notice of the change is sent to it (at most 2 days), then destroyed"),
    ),
    Item("phone", _("Phone number"), "accounts.Member.phone", CONTACT, False, (SERVICE,)),
    Item("photo", _("Profile photo"), "accounts.Member.photo", PROFILE, False, (SERVICE,)),
    Item("bio", _("Short bio"), "accounts.Member.bio", PROFILE, False, (SERVICE,)),
    Item(
        "login_ip",
        _("IP address of each sign-in attempt"),
        "accounts.LoginRecord.ip_address",
        DEVICE_LOG,
        True,
        (SECURITY,),
        LOGIN_RECORD_RETENTION,
        kept_after_withdrawal=RETENTION_RULES[LOGIN_RECORDS],
        basis=RETENTION_RULES[LOGIN_RECORDS].basis,
    ),
    Item(
        "login_user_agent",
        _("Browser of each sign-in attempt"),
        "accounts.LoginRecord.user_agent",
        DEVICE_LOG,
        True,
        (SECURITY,),
        LOGIN_RECORD_RETENTION,
        kept_after_withdrawal=RETENTION_RULES[LOGIN_RECORDS],
        basis=RETENTION_RULES[LOGIN_RECORDS].basis,
    ),
    Item(
        "session_user_agent",
        _("Browser of each signed-in session"),
        "accounts.SignIn.user_agent",
        DEVICE_LOG,
        True,
        (SECURITY,),
        _("Until that session ends"),
    ),
    Item(
        "data_export",
        _("Download of all your data (a zip archive you asked for)"),
        "privacy.DataExport.archive",
        EXPORT_COPY,
        False,
        (CONTRACT, SERVICE),
        _("7 days after it is made, then destroyed (downloadable for the first 24 hours)"),
    ),
    Item(
        "request_name",
        _("Your name as given in a request"),
        "staff.PrivacyRequest.requester_name",
        REQUEST,
        False,
        (REQUESTS,),
        REQUEST_RETENTION,
    ),
    Item(
        "request_email",
        _("The email address a request came from"),
        "staff.PrivacyRequest.requester_email",
        REQUEST,
        False,
        (REQUESTS,),
        REQUEST_RETENTION,
    ),
    Item(
        "request_body",
        _("What you wrote in a request"),
        "staff.PrivacyRequest.body",
        REQUEST,
        False,
        (REQUESTS,),
        REQUEST_RETENTION,
    ),
    Item(
        "request_notes",
        _("The privacy officer's notes on your request"),
        "staff.PrivacyRequest.officer_notes",
        REQUEST,
        False,
        (REQUESTS,),
        REQUEST_RETENTION,
    ),
    Item(
        "request_answer",
        _("The answer to your request"),
        "staff.PrivacyRequest.answer",
        REQUEST,
        False,
        (REQUESTS,),
        REQUEST_RETENTION,
    ),
    Item(
        "request_attachment",
        _("Files sent with a request"),
        "staff.RequestAttachment.content",
        REQUEST,
        False,
        (REQUESTS,),
        REQUEST_RETENTION,
        owner="request__member_id",
    ),
    Item(
        "request_attachment_name",
        _("Names of files sent with a request"),
        "staff.RequestAttachment.filename",
        REQUEST,
        False,
        (REQUESTS,),
        REQUEST_RETENTION,
        owner="request__member_id",
    ),
    Item(
        "staff_access_ip",
        _("As staff: the IP address of each look at a member's information"),
        "staff.AccessLogEntry.ip_address",
        DEVICE_LOG,
        False,
        (SECURITY,),
        _("2 years (access records, Korean standard of safety measures), then destroyed"),
        owner="staff_ref",
    ),
    # What members write is theirs, sealed under their own key (P8.5); spaces' own texts are not (NOT_PERSONAL).
    Item(
        "space_memberships",
        _("The spaces you belong to, have asked to join or are invited to, with your role"),
        "spaces.Membership.space",
        COMMUNITY,
        False,
        (SERVICE,),
        _("Until you leave the space or unregister"),
    ),
    Item(
        "post_title",
        _("Titles of your posts"),
        "spaces.Post.title",
        COMMUNITY,
        False,
        (SERVICE,),
        CONTENT_RETENTION,
        owner="author_id",
    ),
    Item(
        "post_body",
        _("What you wrote in your posts"),
        "spaces.Post.body",
        COMMUNITY,
        False,
        (SERVICE,),
        CONTENT_RETENTION,
        owner="author_id",
        copies=("body_html",),
    ),
    Item(
        "post_images",
        _("Photos you attached to your posts"),
        "spaces.PostImage.content",
        COMMUNITY,
        False,
        (SERVICE,),
        CONTENT_RETENTION,
        owner="author_id",
    ),
    Item(
        "post_revision_title",
        _("Earlier titles of posts you edited"),
        "spaces.PostRevision.title",
        COMMUNITY,
        False,
        (SERVICE,),
        CONTENT_RETENTION,
        owner="post__author_id",
    ),
    Item(
        "post_revision_body",
        _("Earlier versions of posts you edited"),
        "spaces.PostRevision.body",
        COMMUNITY,
        False,
        (SERVICE,),
        CONTENT_RETENTION,
        owner="post__author_id",
    ),
    Item(
        "comment_body",
        _("Your comments and replies"),
        "spaces.Comment.body",
        COMMUNITY,
        False,
        (SERVICE,),
        CONTENT_RETENTION,
        owner="author_id",
        copies=("body_html",),
    ),
    Item(
        "comment_revision_body",
        _("Earlier versions of comments you edited"),
        "spaces.CommentRevision.body",
        COMMUNITY,
        False,
        (SERVICE,),
        CONTENT_RETENTION,
        owner="comment__author_id",
    ),
    Item(
        "likes",
        _("The posts you liked"),
        "spaces.Reaction.post",
        COMMUNITY,
        False,
        (SERVICE,),
        _("Until you take the like back or unregister"),
    ),
    Item(
        "space_actions",
        _("What you did in spaces, as their logs record it (joined, posted, approved a member)"),
        "spaces.SpaceLogEntry.actor",
        COMMUNITY,
        False,
        (SERVICE,),
        _("Until you unregister; the space's log then keeps the change without naming you"),
        owner="actor_id",
    ),
    # Reports, held items, decisions and appeals (P10.1): destroyed a year after the case closes, or on Unregister.
    Item(
        "reports_made",
        _("The posts and comments you reported, with the reason"),
        "moderation.Report.reason",
        MODERATION,
        False,
        (SERVICE,),
        MODERATION_RETENTION,
        owner="reporter_id",
    ),
    Item(
        "report_note",
        _("The notes you added to your reports"),
        "moderation.Report.note",
        MODERATION,
        False,
        (SERVICE,),
        MODERATION_RETENTION,
        owner="reporter_id",
    ),
    Item(
        "moderation_cases",
        _("Your posts and comments held or reported for review"),
        "moderation.Case.author",
        MODERATION,
        False,
        (SERVICE,),
        MODERATION_RETENTION,
        owner="author_id",
    ),
    Item(
        "moderation_decisions",
        _("Moderation decisions about you (warnings, silences, suspensions) and their reasons"),
        "moderation.Decision.reason",
        MODERATION,
        False,
        (SERVICE,),
        MODERATION_RETENTION,
        owner="subject_id",
    ),
    Item(
        "appeal_statement",
        _("What you wrote in an appeal"),
        "moderation.Appeal.statement",
        MODERATION,
        False,
        (SERVICE,),
        MODERATION_RETENTION,
        owner="appellant_id",
    ),
    Item(
        "appeal_answer",
        _("The answer to your appeal"),
        "moderation.Appeal.answer",
        MODERATION,
        False,
        (SERVICE,),
        MODERATION_RETENTION,
        owner="appellant_id",
    ),
    Item(
        "moderation_log",
        _("The moderation log's entries about you (codes and dates only)"),
        "moderation.LogEntry.subject",
        MODERATION,
        False,
        (SERVICE,),
        _("1 year after each entry; once you unregister, the entries no longer name you"),
        owner="subject_id",
    ),
    # Saved at checkout only when the member asks (P1.1); each removable on Edit Profile.
    *(
        Item(key, label, f"accounts.Member.{key}", DELIVERY, False, (SERVICE,), SAVED_DELIVERY_RETENTION)
        for key, label in (
            ("delivery_recipient", _("Saved delivery: recipient's name")),
            ("delivery_postal_code", _("Saved delivery: postal code")),
            ("delivery_road_address", _("Saved delivery: road-name address")),
            ("delivery_address_detail", _("Saved delivery: address details")),
            ("delivery_phone", _("Saved delivery: phone number")),
        )
    ),
    # A group order's own delivery details, asked at checkout for delivery only, handed to the shipping partner only
    # with the order's own consent (P5.4).
    *(
        Item(
            key,
            label,
            f"orders.Delivery.{field}",
            DELIVERY,
            False,
            (CONTRACT,),
            DELIVERY_RETENTION,
            recipients=_shipping_partner_recipients(),
            owner="line__buyer_id",
        )
        for key, field, label in (
            ("order_recipient", "recipient", _("Order delivery: recipient's name")),
            ("order_postal_code", "postal_code", _("Order delivery: postal code")),
            ("order_road_address", "road_address", _("Order delivery: road-name address")),
            ("order_address_detail", "address_detail", _("Order delivery: address details")),
            ("order_phone", "phone", _("Order delivery: phone number")),
        )
    ),
    # What the law keeps 5 years, also after withdrawal (P8.2): each model its own record.
    *(
        _kept_order_record(key, label, field, rule, ORDER_RECORD_RETENTION)
        for key, field, rule, label in (
            (
                "order_lines",
                "orders.OrderLine.quantity",
                CONTRACT_RECORDS,
                _("Your orders in group orders: order number, item, quantity, amount, delivery or pickup"),
            ),
            ("order_payments", "orders.Payment.amount", CONTRACT_RECORDS, _("Your payments for group orders")),
            ("order_refunds", "orders.Refund.amount", CONTRACT_RECORDS, _("Refunds of your group order payments")),
            (
                "order_cancellations",
                "orders.Cancellation.quantity",
                CANCELLATION_RECORDS,
                _("Cancellations of your group orders"),
            ),
        )
    ),
    # What a card payment sends the payment processor, entrusted to it for billing (P5.3): each trip to its payment
    # window and each refund is a disclosure of this item with basis "billing".
    _kept_order_record(
        "order_card_billing",
        _("Card payments: the order reference, amount and order name the payment processor receives"),
        "orders.Payment.gateway_order_id",
        CONTRACT_RECORDS,
        ORDER_RECORD_RETENTION,
        recipients=(settings.GROUPKET_PAYMENT_PROCESSOR,),
    ),
    *(
        Item(
            key,
            label,
            f"orders.TransferAccount.{field}",
            TRANSACTION,
            False,
            (CONTRACT,),
            UNTIL_WITHDRAWAL,
            owner="order__organiser_id",
        )
        for key, field, label in (
            (
                "order_transfer_account",
                "account_number",
                _("As an organiser: the bank account number buyers pay a group order into"),
            ),
            ("order_transfer_holder", "account_holder", _("As an organiser: the name of that bank account's holder")),
        )
    ),
    # Delivery confirmations are records of the supply of goods, kept as long as their order record (P8.2).
    *(
        _kept_order_record(key, label, f"orders.Shipment.{field}", CONTRACT_RECORDS, DELIVERY_CONFIRMATION_RETENTION)
        for key, field, label in (
            ("order_delivered_at", "delivered_at", _("Delivery confirmations: when your order was delivered")),
            ("order_tracking_number", "tracking_number", _("Delivery confirmations: the partner's tracking number")),
        )
    ),
    # A buyer's dispute on an order, with its photos and the answers to it: kept 3 years (P8.2).
    *(
        _kept_order_record(key, label, field, DISPUTE_RECORDS, DISPUTE_RETENTION)
        for key, field, label in (
            ("order_dispute_text", "orders.Dispute.text", _("Your disputes on group orders: what you wrote")),
            ("order_dispute_images", "orders.DisputeImage.content", _("Photos sent with your disputes")),
            ("order_dispute_answers", "orders.DisputeAnswer.text", _("The answers to your disputes")),
        )
    ),
    Item(
        "order_actions",
        _("What you did in group orders, as their history records it (opened, ordered, marked a payment)"),
        "orders.OrderEvent.actor",
        TRANSACTION,
        False,
        (CONTRACT,),
        _("Until you unregister; the order's history then keeps the change without naming you"),
        owner="actor_id",
    ),
    # Shown from the rows they point at; only a moderation decision's code and link are held, sealed.
    Item(
        "notifications",
        _("Your notifications: what happened, when, and whether you read it"),
        "spaces.Notification.detail",
        COMMUNITY,
        False,
        (SERVICE,),
        _("Until you unregister"),
    ),
    Item(
        "notification_mail_choices",
        _("Which notifications you get by email, and when the last such mail went out"),
        "spaces.NotificationSettings.email_off",
        COMMUNITY,
        False,
        (SERVICE,),
        _("Until you unregister"),
    ),
)

# What a browser that accepted analytics cookies gives (P9.1, P9.3): never linked to a member, so "My
# information", the export and Unregister have nothing of it to show; /cookies/ lists it, with its retention.
ANALYTICS_RAW_DAYS = 90
ANALYTICS_RETENTION = _("90 days, then destroyed; only counts of browsers, which identify no one, are kept")
ANALYTICS_BASIS = _("Your consent to analytics cookies, given on that browser")


def _browser_item(key: str, label: Promise, field: str) -> Item:
    return Item(key, label, field, BROWSER, False, (ANALYTICS,), ANALYTICS_RETENTION, basis=ANALYTICS_BASIS, owner="")


BROWSER_ITEMS: tuple[Item, ...] = (
    _browser_item(
        "analytics_browser",
        _("A random identifier of the browser, kept in its analytics cookie"),
        "analytics.PageView.browser",
    ),
    _browser_item(
        "analytics_page",
        _("The kind of each page it opened (such as \"a space's page\"), never the page's address"),
        "analytics.PageView.page",
    ),
    _browser_item("analytics_space", _("The space of each space page it opened"), "analytics.PageView.space_ref"),
    _browser_item("analytics_day", _("The day of each visit, not the time"), "analytics.PageView.day"),
)

# Columns whose names sound personal but hold nothing about a person, each with the reason; the
# system check (privacy.checks) refuses any other personal-looking or encrypted column not declared above.
NOT_PERSONAL: dict[str, str] = {
    "accounts.Member.username_index": "blind index: a keyed HMAC of the ID, for exact lookups; not reversible",
    "accounts.Member.email_index": "blind index: a keyed HMAC of the email address, for exact lookups; not reversible",
    "accounts.PasswordResetRequest.email_indexes": (
        "blind index: keyed HMACs of an address typed on the reset form, for the background lookup; not "
        "reversible, deleted within the hour"
    ),
    "accounts.Member.email_verified_at": "account state: when the address was confirmed, nothing of the address",
    "auth.Group.name": "the name of a permission group, not of a person",
    "auth.Permission.name": "the name of a permission, not of a person",
    "staff.Authenticator.name": "the label Groupket gives a staff member's authenticator device",
    "staff.Authenticator.secret": "the sealed secret of a staff account's second factor, nothing about the person",
    "staff.BackupCodes.name": "the label Groupket gives a staff member's set of backup codes",
    "staff.BackupCodes.codes": "the sealed backup codes of a staff account's second factor, nothing about the person",
    "spaces.Space.name": "the name a space's organisers give the space, shown and searched by everyone, not a person's",
    # Not declared as an item: a group order's photos show what is sold, like its item name and description (also
    # not items), are shown to every member of the space, and stay with the order for its buyers after the
    # organiser unregisters. Re-encoding strips what a photo file could say about whoever took it (EXIF: camera,
    # GPS, time), and the form asks for photos of the item only, without people.
    "orders.GroupOrderPhoto.photo": (
        "a photo of the item a group order sells, re-encoded without metadata; the space's offer, not a person's"
    ),
    "orders.GroupOrderPhoto.thumbnail": "the small copy of a group order's item photo, for lists",
}


def items_by_category() -> list[tuple[Promise, list[Item]]]:
    return [
        (label, [item for item in ITEMS if item.category == category])
        for category, label in CATEGORY_LABELS.items()
        if any(item.category == category for item in ITEMS)
    ]


def kept_after_withdrawal() -> list[tuple[RetentionRule, list[Item]]]:
    """Each rule that keeps records after Unregister, with the items it keeps, in inventory order (P8.2)."""
    kept: dict[str, tuple[RetentionRule, list[Item]]] = {}
    for item in ITEMS:
        if item.kept_after_withdrawal is not None:
            kept.setdefault(item.kept_after_withdrawal.category, (item.kept_after_withdrawal, []))[1].append(item)
    return list(kept.values())


def get_item(key: str) -> Item:
    for item in ITEMS:
        if item.key == key:
            return item
    raise KeyError(f"no inventory item {key!r}")
