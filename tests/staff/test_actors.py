"""Every staff action has its actor: a staff member or a named system actor, recorded; never None (Habit 15).

The first test reads the staff console's views and every management command, finds each services function
they call, and proves each is marked with its actor keyword, which is required and refuses None (and, for
actions only staff take, a system actor too). The rest show the actor recorded in the row it wrote.
"""

import ast
import importlib
import inspect
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

import groupket
from groupket.accounts.services.unregister import unregister_member_by_officer
from groupket.core.actors import ActorRequired, SystemActor
from groupket.privacy.models import MassNotice, PolicyDocument
from groupket.privacy.services.documents import publish_document
from groupket.privacy.services.notices import create_mass_notice
from groupket.staff.models import AuthenticatorReset, RoleGrant
from groupket.staff.services.authenticators import reset_authenticator
from groupket.staff.services.roles import grant_role, revoke_role
from tests.conftest import make_staff, sign_in_staff
from tests.factories import MemberFactory

ROOT = Path(groupket.__file__).parent
CALLERS = [*sorted((ROOT / "staff" / "views").glob("*.py")), *sorted(ROOT.glob("*/management/commands/*.py"))]
# What staff pages and commands call in services modules without an actor, and why each needs none.
NO_ACTOR = {
    "groupket.privacy.services.documents.check_publication": "checks a draft; changes nothing",
    "groupket.privacy.services.documents.latest_version": "a read",
    "groupket.spaces.services.cooking.count_stale_bodies": "a read (for recook_bodies' progress bar)",
    "groupket.staff.services.retained.find_retained_records": "a read that lists no contents",
    "groupket.staff.services.retained.parse_reference": "parses text",
    "groupket.staff.services.requests.file_web_request": "the requester acts (the public contact form)",
    "groupket.staff.services.requests.request_for_token": "reads a signed link",
    "groupket.staff.services.requests.verify_requester": "the requester acts, by their signed link",
    "groupket.accounts.services.sessions.client_ip": "reads the request",
    "groupket.accounts.services.registration.register_member": "the member signs up (demo data)",
    "groupket.accounts.services.registration.verify_email": "the member confirms, by their signed link",
    "groupket.privacy.services.documents.notice_days": "a computation",
    "groupket.privacy.services.documents.start_of_day": "a computation",
    "groupket.staff.services.access_log.verify_access_log": "a read",
    "groupket.staff.services.safeguards.password_expired": "a check of the staff member's password age",
    "groupket.staff.services.intake.fetch_mailbox": "files mail as requests; their senders act",
    "groupket.staff.services.intake.failure_kind": "names an error",
    "groupket.spaces.services.spaces.create_space": "a demo member acts (demo data), as the actor keyword says",
    "groupket.spaces.services.members.join_space": "a demo member acts (demo data), as the actor keyword says",
    "groupket.spaces.services.members.answer_join_request": "a demo member acts (demo data), as the actor keyword says",
    "groupket.spaces.services.members.invite_member": "a demo member acts (demo data), as the actor keyword says",
    "groupket.spaces.services.posts.create_post": "a demo member acts (demo data), as the actor keyword says",
    "groupket.spaces.services.posts.add_comment": "a demo member acts (demo data), as the actor keyword says",
    "groupket.spaces.services.posts.set_like": "a demo member acts (demo data), as the actor keyword says",
}


def _imports(tree: ast.Module) -> tuple[dict[str, str], dict[str, str]]:
    """Names imported from services modules: functions (name -> dotted path) and modules (alias -> module)."""
    functions, modules = {}, {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and ".services" in f"{node.module}.":
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                try:
                    modules[alias.asname or alias.name] = importlib.import_module(target).__name__
                except ModuleNotFoundError:
                    functions[alias.asname or alias.name] = target
    return functions, modules


def services_called_by_staff_and_operators() -> dict[str, object]:
    found = {}
    for path in CALLERS:
        tree = ast.parse(path.read_text())
        functions, modules = _imports(tree)
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        names = {name: dotted for name, dotted in functions.items() if name in used}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
                names[node.attr] = f"{modules[node.value.id]}.{node.attr}"
        for dotted in names.values():
            module, _, name = dotted.rpartition(".")
            target = getattr(importlib.import_module(module), name)
            if inspect.isfunction(target):
                found[f"{inspect.unwrap(target).__module__}.{name}"] = target
    return found


def call_without_actor(service, actor: object) -> None:
    """Call with every other argument a placeholder: the actor check must refuse before any is looked at."""
    parameters = inspect.signature(inspect.unwrap(service)).parameters
    arguments = {name: object() for name, spec in parameters.items() if spec.default is spec.empty}
    arguments[service.actor_parameter] = actor
    service(**arguments)


@pytest.mark.django_db
def test_no_staff_or_operator_service_accepts_a_missing_actor() -> None:
    services = services_called_by_staff_and_operators()
    # The three the review found, whether or not a view calls them directly.
    for named in (publish_document, create_mass_notice, unregister_member_by_officer):
        services[f"{named.__module__}.{named.__name__}"] = named
    assert len(services) > 25 and "groupket.staff.services.roles.grant_role" in services
    assert set(NO_ACTOR) <= set(services)  # no exemption outlives its caller

    unmarked = sorted(
        set(services) - set(NO_ACTOR) - {path for path, fn in services.items() if hasattr(fn, "actor_parameter")}
    )
    assert unmarked == []
    for path, service in services.items():
        if path in NO_ACTOR:
            continue
        declared = inspect.signature(inspect.unwrap(service)).parameters[service.actor_parameter]
        assert declared.kind is inspect.Parameter.KEYWORD_ONLY and declared.default is declared.empty, path
        with pytest.raises(ActorRequired):
            call_without_actor(service, None)
        if not service.actor_allows_system:
            with pytest.raises(ActorRequired):
                call_without_actor(service, SystemActor("operator"))


@pytest.mark.django_db
@pytest.mark.clause("P7.6")
def test_none_no_longer_skips_the_officer_check_and_nothing_is_granted() -> None:
    member = MemberFactory()
    with pytest.raises(ActorRequired):
        grant_role(officer=None, member=member, role="privacy_officer", reason="let me in")
    with pytest.raises(ActorRequired):
        grant_role(member=member, role="privacy_officer", reason="let me in")
    assert not RoleGrant.objects.exists()
    staff = make_staff("moderator")
    grant = RoleGrant.objects.get(member_ref=staff.pk)
    with pytest.raises(ActorRequired):
        revoke_role(officer=None, grant_id=grant.pk, reason="gone")
    with pytest.raises(ActorRequired):
        reset_authenticator(officer=None, staff=staff, reason="lost phone")
    grant.refresh_from_db()
    assert grant.revoked_at is None and not AuthenticatorReset.objects.exists()


@pytest.mark.django_db
@pytest.mark.clause("P7.6")
def test_operator_commands_record_the_operator_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "deploy")
    member = MemberFactory(username="first.officer")

    call_command("grant_role", "first.officer", "privacy_officer", reason="the first officer", stdout=StringIO())
    grant = RoleGrant.objects.get(member_ref=member.pk)
    assert (grant.granted_by_ref, grant.granted_by_operator) == (None, "operator deploy (manage.py grant_role)")

    reset_authenticator_of(member)
    call_command("reset_authenticator", "first.officer", reason="lost phone, seen in person", stdout=StringIO())
    reset = AuthenticatorReset.objects.get(member_ref=member.pk)
    assert (reset.reset_by_ref, reset.reset_by_operator) == (None, "operator deploy (manage.py reset_authenticator)")

    english, korean = tmp_path / "news.en.txt", tmp_path / "news.ko.txt"
    english.write_text("Bakers' space opens.\n", encoding="utf-8")
    korean.write_text("제빵사 공간이 열립니다.\n", encoding="utf-8")
    call_command(
        "send_news", "--subject-en", "Bakers", "--subject-ko", "제빵사",
        "--body-en-file", str(english), "--body-ko-file", str(korean), stdout=StringIO(),
    )  # fmt: skip
    notice = MassNotice.objects.get(kind=MassNotice.NEWS)
    assert (notice.created_by_ref, notice.created_by_operator) == (None, "operator deploy (manage.py send_news)")


def reset_authenticator_of(member) -> None:
    from groupket.staff.models import Authenticator

    Authenticator.objects.create(
        user=member, data_key_id=member.data_key_id, name="authenticator", secret=Authenticator.new_secret()
    )


@pytest.mark.django_db
@pytest.mark.clause("P7.6")
def test_the_officer_is_recorded_on_a_published_version_and_its_announcement() -> None:
    officer = make_staff("privacy_officer")
    first = PolicyDocument.objects.get(kind="privacy", version=1)

    document = publish_document(
        actor=officer,
        kind="privacy",
        body_en=first.body_en + "\nA new line.",
        body_ko=first.body_ko + "\n새 줄.",
        effective_at=timezone.now() + timedelta(days=8),
        material=True,
        disadvantageous=False,
        summary_en="A new line.",
        summary_ko="새 줄.",
    )

    assert (document.published_by_ref, document.published_by_operator) == (officer.pk, "")
    announcement = MassNotice.objects.get(document=document)
    assert (announcement.created_by_ref, announcement.created_by_operator) == (officer.pk, "")
    assert first.published_by_operator == "migration privacy.0002 (the first published versions)"


@pytest.mark.django_db
def test_the_subscription_reminder_job_is_its_own_recorded_actor() -> None:
    notice = create_mass_notice(
        actor=SystemActor.job("remind_news_subscribers"),
        kind=MassNotice.SUBSCRIPTION_REMINDER,
        subject_en="Still subscribed",
        subject_ko="구독 중",
        body_en="You still get news.",
        body_ko="소식을 받고 계십니다.",
        queue=False,
    )
    assert notice.created_by_operator == "scheduled job remind_news_subscribers"


@pytest.mark.django_db
@pytest.mark.clause("P7.6")
def test_the_role_desk_history_names_the_operator_who_granted(client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "deploy")
    MemberFactory(username="first.officer")
    call_command("grant_role", "first.officer", "moderator", reason="joins the review team", stdout=StringIO())
    sign_in_staff(client, make_staff("privacy_officer"))

    english = client.get("/staff/roles/").content.decode()
    korean = client.get("/staff/roles/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "the operator (operator deploy (manage.py grant_role))" in english
    assert "운영자(operator deploy (manage.py grant_role))" in korean
