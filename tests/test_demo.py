"""`manage.py load_demo`: the members `make run` prints, created once and able to sign in."""

from io import StringIO
from pathlib import Path

import httpx
import pytest
from celery import current_app
from django.contrib.auth import authenticate, password_validation
from django.core.management import CommandError, call_command
from django.test import Client

from groupket.accounts.management.commands.load_demo import DEMO_MEMBERS
from groupket.accounts.models import Member
from groupket.orders.models import PICKUP, SHIPPING, GroupOrder, OrderLine, Payment
from groupket.privacy.models import ConsentEvent
from tests.conftest import sign_in
from tests.factories import MemberFactory
from tests.markup import fragment, text
from tests.orders.gateway.sandbox_peer import SECRET_KEY, SandboxPeer, sandbox_gateway
from tests.staff.imap_peer import free_port

__all__ = ("sandbox_gateway",)


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_twice_leaves_three_members_who_can_sign_in_with_the_printed_passwords() -> None:
    first = load_demo()
    assert "3 demo members created, 0 already there." in first
    second = load_demo()
    assert "0 demo members created, 3 already there." in second

    assert Member.objects.count() == 3
    for demo in DEMO_MEMBERS:
        # Every login is printed each time, so a second `make run` still shows how to sign in.
        line = next(line for line in second.splitlines() if line.strip().startswith(demo.username))
        assert demo.name in line and demo.email in line and demo.password in line
        member = authenticate(username=demo.username, password=demo.password)
        assert member is not None
        assert member.name == demo.name and member.email == demo.email
        assert member.email_confirmed
        # Created through signup's own service, so both agreements are on the ledger like any member's.
        agreed = set(ConsentEvent.objects.filter(member=member, granted=True).values_list("document", flat=True))
        assert agreed == {"terms", "privacy"}
        # The demo passwords pass the rules a member's password must pass.
        password_validation.validate_password(demo.password, user=member)
    assert "load_staff_demo" in second


@pytest.mark.django_db
def test_load_demo_sends_no_confirmation_mail_to_the_members_it_has_verified(
    mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load_demo()
    assert len(callbacks) == 3  # the signup service asked for a mail for each member, after its commit
    assert sorted(mail_dir.glob("*.eml")) == []  # an absent folder globs to nothing as well


@pytest.mark.django_db
def test_a_member_who_has_not_confirmed_still_gets_the_mail(mail_dir: Path, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        MemberFactory()
    assert len(list(mail_dir.glob("*.eml"))) == 1


@pytest.mark.django_db
def test_load_demo_leaves_an_existing_member_alone() -> None:
    load_demo()
    member = Member.objects.with_username(DEMO_MEMBERS[0].username).get()
    member.set_password("changed8Password-x")
    member.save(update_fields=["password"])

    load_demo()

    assert Member.objects.count() == 3
    assert authenticate(username=DEMO_MEMBERS[0].username, password="changed8Password-x") is not None
    assert authenticate(username=DEMO_MEMBERS[0].username, password=DEMO_MEMBERS[0].password) is None


@pytest.mark.django_db
def test_load_demo_refuses_to_run_in_production(settings) -> None:
    settings.GROUPKET_ENV = "production"
    with pytest.raises(CommandError, match="does not run in production"):
        load_demo()
    assert Member.objects.count() == 0


def load_the_whole_demo() -> str:
    """What `make run` loads, in its order; the orders demo's output."""
    call_command("load_demo", stdout=StringIO())
    call_command("load_spaces_demo", stdout=StringIO())
    out = StringIO()
    call_command("load_orders_demo", stdout=out)
    return out.getvalue()


def _signed_in(username: str) -> Client:
    client = Client()
    sign_in(client, Member.objects.with_username(username).get())
    return client


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_orders_demo_makes_an_open_a_confirmed_and_a_completed_group_order_once_and_mails_nobody(
    sandbox_gateway: SandboxPeer, settings, mail_dir: Path
) -> None:
    sandbox_gateway.reset()
    settings.GROUPKET_PAYMENT_URL = sandbox_gateway.base_url
    settings.GROUPKET_PAYMENT_SECRET_KEY = SECRET_KEY
    backend, eager = settings.EMAIL_BACKEND, current_app.conf.task_always_eager
    assert "3 demo group orders created, 0 already there." in load_the_whole_demo()
    assert "0 demo group orders created, 3 already there." in load_the_whole_demo()
    statuses = dict(GroupOrder.objects.values_list("item", "status"))
    assert statuses == {
        "망원시장 사워도우 1kg": GroupOrder.OPEN,
        "제주 한라봉 3kg": GroupOrder.CONFIRMED,
        "Trekking poles, carbon, pair": GroupOrder.COMPLETED,
    }
    # Confirmed: junho.lee paid by card (confirmed by the sandbox gateway) for delivery, alex.morgan by transfer for
    # pickup; completed: minji.kim's pickup handed over.
    confirmed = {line.buyer.username: line for line in OrderLine.objects.filter(item="제주 한라봉 3kg")}
    card = Payment.objects.get(line=confirmed["junho.lee"])
    assert (card.method, card.status, card.gateway_status) == (Payment.CARD, Payment.RECEIVED, "DONE")
    assert confirmed["junho.lee"].delivery_method == SHIPPING
    transfer = Payment.objects.get(line=confirmed["alex.morgan"])
    assert (confirmed["alex.morgan"].delivery_method, transfer.method, transfer.status) == (
        PICKUP, Payment.TRANSFER, Payment.RECEIVED,
    )  # fmt: skip
    assert sandbox_gateway.stats()["approvals"] == 1
    [picked_up] = OrderLine.objects.filter(item="Trekking poles, carbon, pair")
    assert (picked_up.buyer.username, picked_up.picked_up_at is not None) == ("minji.kim", True)
    # The demo members and their notices: made, not mailed (as their confirmation mail is never sent).
    assert sorted(mail_dir.glob("*.eml")) == []
    assert (backend, eager) == (settings.EMAIL_BACKEND, current_app.conf.task_always_eager)  # as they were

    listing = _signed_in("minji.kim").get("/s/mangwon-bread/orders/").content.decode()
    assert "망원시장 사워도우 1kg" in listing
    assert "제주 한라봉 3kg" in listing
    receipt = _signed_in("junho.lee").get(f"/me/orders/{confirmed['junho.lee'].number}/").content.decode()
    payment = text(fragment(receipt, tag="section", **{"aria-labelledby": "payment-heading"}))
    assert "Card" in payment
    assert "Paid" in payment
    hikers = _signed_in("alex.morgan").get(f"/s/seoul-hikers/orders/{picked_up.order_id}/manage/").content.decode()
    assert text(fragment(hikers, class_="tag")) == "Completed"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_orders_demo_starts_a_sandbox_gateway_for_its_run_when_none_answers(settings) -> None:
    port = free_port()
    settings.GROUPKET_PAYMENT_URL = f"http://127.0.0.1:{port}"
    settings.GROUPKET_PAYMENT_SECRET_KEY = SECRET_KEY
    assert "3 demo group orders created" in load_the_whole_demo()
    card = Payment.objects.get(method=Payment.CARD)
    assert (card.status, card.gateway_status) == (Payment.RECEIVED, "DONE")
    with pytest.raises(httpx.ConnectError):  # stopped when the command ended
        httpx.get(f"http://127.0.0.1:{port}/sandbox/stats", timeout=2)


@pytest.mark.django_db
def test_the_orders_demo_needs_the_spaces_demo_first() -> None:
    call_command("load_demo", stdout=StringIO())
    with pytest.raises(CommandError, match="load_spaces_demo"):
        call_command("load_orders_demo", stdout=StringIO())
    assert not GroupOrder.objects.exists()


@pytest.mark.django_db
def test_the_orders_demo_refuses_to_run_in_production(settings) -> None:
    settings.GROUPKET_ENV = "production"
    with pytest.raises(CommandError, match="does not run in production"):
        call_command("load_orders_demo", stdout=StringIO())
    assert not GroupOrder.objects.exists()
