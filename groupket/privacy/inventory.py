"""The data inventory: every personal item Groupket holds, declared once (P1.4, P2.3).

The policy page, "My information", the export and Unregister read this list, so
what they show cannot drift apart from what is stored.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Categories of personal items.
IDENTITY = "identity"
CONTACT = "contact"
CREDENTIAL = "credential"
PROFILE = "profile"
DEVICE_LOG = "device_log"
CONSENT = "consent"

CATEGORY_LABELS: dict[str, Promise] = {
    IDENTITY: _("Identity"),
    CONTACT: _("Contact"),
    CREDENTIAL: _("Sign-in credentials"),
    PROFILE: _("Profile"),
    DEVICE_LOG: _("Devices and sign-in records"),
    CONSENT: _("Agreements"),
}

# Purposes of use (P4.1): the only reasons personal items are used.
CONTRACT = "contract"
SERVICE = "service"
NEWS = "news"
SECURITY = "security"

PURPOSE_LABELS: dict[str, Promise] = {
    CONTRACT: _("Fulfilling the service contract with you"),
    SERVICE: _("Providing Groupket's services"),
    NEWS: _("News of new services and events (only with your consent)"),
    SECURITY: _("Keeping your account secure"),
}

UNTIL_WITHDRAWAL = _("Until you unregister")
LOGIN_RECORD_RETENTION = _("3 months from the sign-in, then destroyed")


@dataclass(frozen=True)
class Item:
    key: str
    label: Promise
    field: str  # "app_label.Model.field"
    category: str
    required: bool
    purposes: tuple[str, ...]
    retention: Promise = UNTIL_WITHDRAWAL
    recipients: tuple[str, ...] = ()


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
    ),
    Item(
        "login_user_agent",
        _("Browser of each sign-in attempt"),
        "accounts.LoginRecord.user_agent",
        DEVICE_LOG,
        True,
        (SECURITY,),
        LOGIN_RECORD_RETENTION,
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
)


def items_by_category() -> list[tuple[Promise, list[Item]]]:
    return [
        (label, [item for item in ITEMS if item.category == category])
        for category, label in CATEGORY_LABELS.items()
        if any(item.category == category for item in ITEMS)
    ]


def get_item(key: str) -> Item:
    for item in ITEMS:
        if item.key == key:
            return item
    raise KeyError(f"no inventory item {key!r}")
