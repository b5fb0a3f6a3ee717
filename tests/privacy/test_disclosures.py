"""Disclosures: one recorded path out of Groupket, shown to the member unless the law withholds notice (P1.3, P5.1)."""

import ast
import dataclasses
import email
import email.header
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from groupket.accounts.models import Member
from groupket.privacy import inventory
from groupket.privacy.guard import ConsentNotInForce, PurposeNotAllowed
from groupket.privacy.models import Disclosure
from groupket.privacy.models.disclosures import DisclosureWriteRefused
from groupket.privacy.services import record_consent
from groupket.privacy.services.disclosures import record_disclosure
from tests.conftest import MEMBER_PAGE_QUERIES, sign_in
from tests.factories import MemberFactory
from tests.markup import fragment

PRODUCT_DIR = Path(settings.BASE_DIR) / "groupket"
THE_WRITER = PRODUCT_DIR / "privacy" / "services" / "disclosures.py"
WRITE_METHODS = {"create", "bulk_create", "get_or_create", "update_or_create", "_create"}


def disclose_by_law(member: Member, **overrides: object) -> Disclosure:
    fields = {
        "member": member,
        "recipient": "Seoul Metropolitan Police Agency",
        "items": ["name", "phone"],
        "basis": Disclosure.LAW,
        "reference": "warrant 2025-11-0042",
        "notify_member": True,
    }
    return record_disclosure(**{**fields, **overrides})


def messages_in(mail_dir: Path) -> list[email.message.Message]:
    return [email.message_from_bytes(path.read_bytes()) for path in sorted(mail_dir.glob("*.eml"))]


def subject_of(message: email.message.Message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


# --- what the member sees ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P1.3")
def test_a_recorded_disclosure_is_shown_to_its_member_only_and_they_are_told(
    client: Client, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    member = MemberFactory(email="disclosed@example.org")
    other = MemberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        disclose_by_law(member)

    sign_in(client, member)
    page = client.get("/me/disclosures/").content.decode()
    for shown in ("Seoul Metropolitan Police Agency", "Name, Phone number", "Required by law", "warrant 2025-11-0042"):
        assert shown in page
    me = fragment(client.get("/me/").content.decode(), id="disclosures")
    assert "Seoul Metropolitan Police Agency" in me and 'href="/me/disclosures/"' in me

    [message] = messages_in(mail_dir)
    assert message["To"] == "disclosed@example.org"
    assert "제3자" in subject_of(message)
    body = message.get_payload(decode=True).decode()
    assert "Seoul Metropolitan Police Agency" in body and "Phone number" in body and "전화번호" in body
    assert "/me/disclosures/" in body

    stranger = Client()
    sign_in(stranger, other)
    assert "Seoul Metropolitan Police Agency" not in stranger.get("/me/disclosures/").content.decode()
    assert "has not given any of your information" in stranger.get("/me/").content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P1.3")
def test_a_disclosure_whose_notice_the_law_withholds_is_hidden_until_notice_is_due(
    signed_in: Client, member: Member, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    due = timezone.localdate() + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        withheld = disclose_by_law(
            member, notify_member=False, withheld_reason="court order forbids notice", notice_due_on=due
        )
    assert list(mail_dir.glob("*.eml")) == []
    assert "Seoul Metropolitan Police Agency" not in signed_in.get("/me/disclosures/").content.decode()
    assert "Seoul Metropolitan Police Agency" not in signed_in.get("/me/").content.decode()

    # The day notice becomes due.
    Disclosure.objects.filter(pk=withheld.pk).update(notice_due_on=timezone.localdate())
    assert f'data-disclosure="{withheld.pk}"' in signed_in.get("/me/disclosures/").content.decode()


@pytest.mark.django_db
def test_disclosures_page_needs_sign_in(client: Client) -> None:
    response = client.get("/me/disclosures/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_disclosures_page_takes_a_fixed_number_of_queries(
    signed_in: Client, member: Member, django_assert_num_queries
) -> None:
    for number in range(3):
        disclose_by_law(member, reference=f"case {number}")
    signed_in.get("/me/disclosures/")  # warm the member's data key in process memory
    with django_assert_num_queries(MEMBER_PAGE_QUERIES + 1):
        # session, member, sign-in check, material policy changes to agree to, disclosures
        page = signed_in.get("/me/disclosures/").content.decode()
    assert page.count("data-disclosure=") == 3


# --- the one writer and what it refuses ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.clause("P1.3")
def test_unknown_items_bases_and_silent_disclosures_are_refused_and_nothing_is_written(member: Member) -> None:
    with pytest.raises(ValueError, match="'shoe_size'"):
        disclose_by_law(member, items=["name", "shoe_size"])
    with pytest.raises(ValueError, match="'gossip'"):
        disclose_by_law(member, basis="gossip")
    with pytest.raises(ValueError, match="withheld"):
        disclose_by_law(member, notify_member=False)  # neither a reason nor a date to tell the member
    with pytest.raises(ValueError, match="withheld"):
        disclose_by_law(member, notify_member=False, withheld_reason="court order")
    assert Disclosure.objects.count() == 0


@pytest.fixture
def hanjin_express(monkeypatch: pytest.MonkeyPatch) -> None:
    """The inventory names Hanjin Express as the recipient of the name and phone items (P5.4)."""
    items = tuple(
        dataclasses.replace(item, recipients=("partner:hanjin-express",)) if item.key in ("name", "phone") else item
        for item in inventory.ITEMS
    )
    monkeypatch.setattr(inventory, "ITEMS", items)


HAND_OFF = {"recipient": "Hanjin Express", "items": ["name", "phone"], "basis": Disclosure.CONSENT, "reference": "o17"}


@pytest.mark.django_db
@pytest.mark.clause("P5.1")
@pytest.mark.clause("P1.3")
def test_a_consent_basis_disclosure_needs_that_partners_consent_in_force(
    member: Member, hanjin_express: None, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ConsentNotInForce):
        disclose_by_law(member, **HAND_OFF)
    assert Disclosure.objects.count() == 0 and list(mail_dir.glob("*.eml")) == []

    # Consent for another partner is not consent for this one.
    record_consent(member=member, document="partner:cj-logistics", version=None, granted=True, channel="web")
    with pytest.raises(ConsentNotInForce):
        disclose_by_law(member, **HAND_OFF)

    record_consent(member=member, document="partner:hanjin-express", version=None, granted=True, channel="web")
    disclosure = disclose_by_law(member, **HAND_OFF)
    assert disclosure.basis == Disclosure.CONSENT and disclosure.recipient == "Hanjin Express"

    record_consent(member=member, document="partner:hanjin-express", version=None, granted=False, channel="web")
    with pytest.raises(ConsentNotInForce):
        disclose_by_law(member, **HAND_OFF)
    # A named consent document (an order's own consent) is checked instead of the default one.
    with pytest.raises(ConsentNotInForce):
        disclose_by_law(member, **HAND_OFF, consent_document="partner:order-17")
    record_consent(member=member, document="partner:order-17", version=None, granted=True, channel="web")
    disclose_by_law(member, **HAND_OFF, consent_document="partner:order-17")
    assert Disclosure.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.clause("P5.4")
@pytest.mark.parametrize(
    "hand_off",
    [
        {**HAND_OFF, "recipient": "CJ Logistics"},  # a partner the inventory does not name
        {**HAND_OFF, "items": ["name", "email"]},  # an item the inventory does not give this partner
    ],
)
def test_a_hand_off_the_inventory_does_not_declare_is_refused_even_with_consent(
    member: Member, hanjin_express: None, hand_off: dict
) -> None:
    for partner in ("partner:hanjin-express", "partner:cj-logistics"):
        record_consent(member=member, document=partner, version=None, granted=True, channel="web")

    with pytest.raises(PurposeNotAllowed):
        disclose_by_law(member, **hand_off)

    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.clause("P1.3")
def test_the_model_refuses_every_write_that_bypasses_the_service(member: Member) -> None:
    fields = {"recipient": "Anyone", "items": ["name"], "basis": Disclosure.LAW}
    attempts = [
        lambda: Disclosure.objects.create(member=member, **fields),
        lambda: Disclosure.objects.bulk_create([Disclosure(member=member, **fields)]),
        lambda: Disclosure.objects.get_or_create(member=member, **fields),
        lambda: Disclosure.objects.update_or_create(member=member, **fields),
        lambda: member.disclosures.create(**fields),
    ]
    for attempt in attempts:
        with pytest.raises(DisclosureWriteRefused):
            attempt()
    assert Disclosure.objects.count() == 0


def disclosure_writers(root: Path) -> list[str]:
    """Every place under root, outside the service and migrations, that could write a Disclosure row."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if path == THE_WRITER or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            constructs = isinstance(func, ast.Name) and func.id == "Disclosure"
            receiver = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
            writes = (
                isinstance(func, ast.Attribute)
                and func.attr in WRITE_METHODS
                and ("Disclosure" in receiver or receiver.endswith("disclosures"))
            )
            looked_up = any(isinstance(arg, ast.Constant) and arg.value == "Disclosure" for arg in node.args)
            if constructs or writes or (looked_up and ast.unparse(func).endswith("get_model")):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


@pytest.mark.clause("P1.3")
def test_no_code_outside_the_service_writes_a_disclosure() -> None:
    assert disclosure_writers(PRODUCT_DIR) == []


def test_the_source_scan_finds_a_planted_writer(tmp_path: Path) -> None:
    package = tmp_path / "groupket"
    package.mkdir()
    (package / "orders.py").write_text(
        "def hand_off(member):\n"
        "    Disclosure.objects.create(member=member)\n"
        "    member.disclosures.bulk_create([])\n"
        "    Disclosure(member=member).save()\n"
        "    apps.get_model('privacy', 'Disclosure').objects.all()\n"
    )
    assert disclosure_writers(package) == [
        "groupket/orders.py:2",
        "groupket/orders.py:3",
        "groupket/orders.py:4",
        "groupket/orders.py:5",
    ]
