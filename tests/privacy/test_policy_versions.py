"""Publishing a new version of the Terms of Use or the Privacy Policy: notice periods, announcement, diff (P3.1)."""

import email
import email.header
import importlib
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import formats, timezone, translation

from groupket.privacy.models import MassNotice, PolicyDocument
from tests.conftest import sign_in
from tests.factories import MemberFactory
from tests.markup import fragment

SUMMARY_EN = "Shipping partners now receive your delivery address only after you consent at checkout."
SUMMARY_KO = "배송 업체는 결제 시 동의한 경우에만 배송지 주소를 받습니다."
NEW_LINE_EN = "• Delivery addresses go to a shipping partner only with your consent at checkout."
NEW_LINE_KO = "• 배송지 주소는 결제 시 동의한 경우에만 배송 업체에 전달됩니다."


def latest(kind: str = "privacy") -> PolicyDocument:
    """The newest version installed so far (by the migrations, or by the test)."""
    return PolicyDocument.objects.filter(kind=kind).order_by("-version").first()


def texts(tmp_path: Path, kind: str = "privacy", drop_last_line: bool = False) -> tuple[str, str]:
    """Files holding the newest version of the document with one line added (and, if asked, its last line removed)."""
    first = latest(kind)
    paths = []
    for language, body, new_line in (("en", first.body_en, NEW_LINE_EN), ("ko", first.body_ko, NEW_LINE_KO)):
        lines = body.splitlines()[:-1] if drop_last_line else body.splitlines()
        path = tmp_path / f"{kind}.{language}.txt"
        path.write_text("\n".join([*lines, new_line]) + "\n", encoding="utf-8")
        paths.append(str(path))
    return paths[0], paths[1]


def publish(tmp_path: Path, *, days_ahead: int, kind: str = "privacy", **options: object) -> str:
    """Run publish_policy with --yes; returns what it printed."""
    out = StringIO()
    effective = (timezone.localdate() + timedelta(days=days_ahead)).isoformat()
    call_command(
        "publish_policy", *texts(tmp_path, kind), kind=kind, effective=effective, yes=True, stdout=out, **options
    )
    return out.getvalue()


MATERIAL = {"material": True, "summary_en": SUMMARY_EN, "summary_ko": SUMMARY_KO}


def english_date(days_ahead: int) -> str:
    with translation.override("en"):
        return formats.date_format(timezone.localdate() + timedelta(days=days_ahead), "DATE_FORMAT")


def read_mail(path: Path) -> tuple[str, str, str]:
    message = email.message_from_bytes(path.read_bytes())
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    return message["To"], subject, message.get_payload(decode=True).decode()


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
@pytest.mark.parametrize(
    ("options", "days_ahead", "days_needed"),
    [(MATERIAL, 6, 7), (MATERIAL, 7, 7), ({**MATERIAL, "disadvantageous": True}, 29, 30)],
)
def test_too_early_effective_date_is_refused_and_nothing_is_stored(
    tmp_path: Path, mail_dir: Path, django_capture_on_commit_callbacks, options: dict, days_ahead: int, days_needed: int
) -> None:
    MemberFactory()
    before = latest()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError) as refusal:
        publish(tmp_path, days_ahead=days_ahead, **options)
    earliest = (timezone.localdate() + timedelta(days=days_needed + 1)).isoformat()
    # Seven full days from now: a day counted from midnight would give members less than the notice promised.
    assert f"must be announced {days_needed} days before it takes effect: choose {earliest} or later" in str(
        refusal.value
    )
    assert latest() == before
    assert MassNotice.objects.count() == 0
    assert not list(mail_dir.glob("*.eml"))


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_a_disadvantageous_change_is_material_and_accepted_30_days_ahead(
    tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        publish(tmp_path, days_ahead=31, disadvantageous=True, summary_en=SUMMARY_EN, summary_ko=SUMMARY_KO)
    document = latest()
    assert document.material and document.disadvantageous
    assert MassNotice.objects.get().document == document


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_material_change_is_emailed_to_every_member_in_english_and_korean(
    tmp_path: Path, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    members = [MemberFactory() for _ in range(3)]
    new = latest().version + 1
    with django_capture_on_commit_callbacks(execute=True):
        output = publish(tmp_path, days_ahead=8, **MATERIAL)

    assert f"Published privacy version {new}." in output
    document = PolicyDocument.objects.get(kind="privacy", version=new)
    assert document.material and document.change_summary_ko == SUMMARY_KO
    mails = [read_mail(path) for path in sorted(mail_dir.glob("*.eml"))]
    assert sorted(to for to, _subject, _body in mails) == sorted(member.email for member in members)
    effective = timezone.localdate() + timedelta(days=8)
    for _to, subject, body in mails:
        assert subject.startswith(f"[Groupket] The Privacy Policy changes on {english_date(8)} / ")
        english, korean = body.replace("\r\n", "\n").split("\n----------\n")
        assert SUMMARY_EN in english and SUMMARY_KO in korean
        assert f"{effective.year}년 {effective.month}월 {effective.day}일" in korean  # the date, in Korean form
        assert f"http://127.0.0.1:8000/privacy/v{new}/#what-changed" in english
        assert f"http://127.0.0.1:8000/privacy/v{new}/#what-changed" in korean
        assert "we will ask you to agree to the new version when you next sign in" in english
    notice = MassNotice.objects.get()
    assert (notice.kind, notice.status, notice.sent) == (MassNotice.POLICY_CHANGE, MassNotice.DONE, 3)


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_banner_announces_the_change_on_every_page_until_it_takes_effect(tmp_path: Path, client: Client) -> None:
    member = MemberFactory()
    publish(tmp_path, days_ahead=8, **MATERIAL)
    new = latest().version
    banner = f"The Privacy Policy changes on {english_date(8)}:"
    assert banner not in client.get("/").content.decode()  # only signed-in members get banners

    sign_in(client, member)
    for path in ("/", "/me/", "/privacy/"):
        response = client.get(path)
        assert response.status_code == 200  # announced, not yet asked for
        html = response.content.decode()
        assert banner in html and f'href="/privacy/v{new}/#what-changed">read what changes</a>' in html

    PolicyDocument.objects.filter(kind="privacy", version=new).update(effective_at=timezone.now())
    assert banner not in client.get("/privacy/").content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_the_diff_is_printed_before_publishing_and_shown_on_the_version_page(tmp_path: Path, client: Client) -> None:
    first = PolicyDocument.objects.get(kind="terms", version=1)
    out = StringIO()
    effective = timezone.localdate().isoformat()
    en_file, ko_file = texts(tmp_path, "terms", drop_last_line=True)
    call_command("publish_policy", en_file, ko_file, kind="terms", effective=effective, yes=True, stdout=out)

    removed_en = first.body_en.splitlines()[-1]
    printed = out.getvalue()
    assert "--- v1" in printed and "+++ v2" in printed
    assert f"+{NEW_LINE_EN}" in printed and f"-{removed_en}" in printed and f"+{NEW_LINE_KO}" in printed

    html = client.get("/terms/v2/").content.decode()
    section = fragment(html, id="what-changed")
    assert "What changed" in section
    assert f"<ins>+{NEW_LINE_EN}</ins>" in section
    assert "<del>-" in section and f"<ins>+{first.body_en.splitlines()[0]}" not in section
    korean = client.get("/terms/v2/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert f"<ins>+{NEW_LINE_KO}</ins>" in korean
    assert 'id="what-changed"' not in client.get("/terms/v1/").content.decode()  # nothing before version 1


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_version_page_shows_the_change_summary(tmp_path: Path, client: Client) -> None:
    publish(tmp_path, days_ahead=8, **MATERIAL)
    page = f"/privacy/v{latest().version}/"
    html = client.get(page).content.decode()
    section = fragment(html, id="what-changed")
    assert SUMMARY_EN in section and f"<ins>+{NEW_LINE_EN}</ins>" in section
    assert SUMMARY_KO in client.get(page, HTTP_ACCEPT_LANGUAGE="ko").content.decode()


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_without_yes_it_asks_and_no_publishes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    questions = []
    before = latest()
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "n")
    out = StringIO()
    effective = (timezone.localdate() + timedelta(days=8)).isoformat()
    call_command("publish_policy", *texts(tmp_path), kind="privacy", effective=effective, stdout=out, **MATERIAL)
    assert questions == ["Publish this version? [y/N] "]
    assert f"+{NEW_LINE_EN}" in out.getvalue() and "Nothing was published." in out.getvalue()
    assert latest() == before and MassNotice.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.clause("P3.1")
def test_non_material_change_is_in_force_at_once_without_announcement(
    tmp_path: Path, mail_dir: Path, django_capture_on_commit_callbacks
) -> None:
    MemberFactory()
    new = latest().version + 1
    with django_capture_on_commit_callbacks(execute=True):
        output = publish(tmp_path, days_ahead=0)
    assert "Not material" in output
    document = PolicyDocument.objects.get(kind="privacy", version=new)
    assert not document.material and document.effective_at <= timezone.now()
    assert MassNotice.objects.count() == 0 and not list(mail_dir.glob("*.eml"))
    assert NEW_LINE_EN in Client().get("/privacy/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("effective", "options", "message"),
    [
        (date(2020, 1, 1).isoformat(), {}, "The effective date is in the past."),
        ("next week", {}, "--effective must be a date as YYYY-MM-DD"),
        (None, {"material": True}, "needs a summary of what changes, in English and in Korean"),
        (None, {"material": True, "summary_en": SUMMARY_EN}, "in English and in Korean"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    tmp_path: Path, effective: str | None, options: dict, message: str
) -> None:
    effective = effective or (timezone.localdate() + timedelta(days=40)).isoformat()
    before = latest()
    with pytest.raises(CommandError, match=message):
        call_command("publish_policy", *texts(tmp_path), kind="privacy", effective=effective, yes=True, **options)
    assert latest() == before


@pytest.mark.django_db
def test_same_text_or_unreadable_file_is_refused(tmp_path: Path) -> None:
    first = latest()
    (tmp_path / "en.txt").write_text(first.body_en, encoding="utf-8")
    (tmp_path / "ko.txt").write_text(first.body_ko, encoding="utf-8")
    today = timezone.localdate().isoformat()
    same = f"The text is the same as version {first.version}: there is nothing to publish."
    with pytest.raises(CommandError, match=same):
        call_command(
            "publish_policy", tmp_path / "en.txt", tmp_path / "ko.txt", kind="privacy", effective=today, yes=True
        )
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("publish_policy", tmp_path / "none.txt", tmp_path / "ko.txt", kind="privacy", effective=today)
    assert latest() == first


@pytest.mark.django_db
def test_a_new_version_cannot_take_effect_before_the_one_published_before_it(tmp_path: Path) -> None:
    publish(tmp_path, days_ahead=20, **MATERIAL)
    published = latest()
    with pytest.raises(
        CommandError,
        match=f"Version {published.version} takes effect on .*; a newer version cannot take effect before it",
    ):
        publish(tmp_path, days_ahead=10, **MATERIAL)
    assert latest() == published


def install_privacy_policy_v2() -> None:
    """Run the data migration that installs version 2, as `migrate` does on a database that does not have it yet."""
    migration = importlib.import_module("groupket.privacy.migrations.0007_privacy_policy_v2")
    migration.load(django_apps, None)


@pytest.mark.django_db
def test_version_2_of_the_privacy_policy_reaches_a_fresh_database_and_an_existing_one() -> None:
    first = PolicyDocument.objects.get(kind="privacy", version=1)
    fresh = PolicyDocument.objects.get(kind="privacy", version=2)  # the test database was migrated from nothing
    assert not fresh.material and not fresh.disadvantageous  # a restructure that takes nothing away
    assert first.effective_at <= fresh.effective_at <= timezone.now()
    assert fresh.change_summary_en and fresh.change_summary_ko
    day = timezone.localdate(fresh.effective_at)
    assert f"{day.year}년 {day.month}월 {day.day}일부터 적용됩니다" in fresh.body_ko
    assert "{effective_date}" not in fresh.body_en + fresh.body_ko

    # A database that had version 1 in force until later than that: version 2 follows it, never takes effect before.
    fresh.delete()
    later = timezone.now() + timedelta(days=3)
    PolicyDocument.objects.filter(pk=first.pk).update(effective_at=later)
    install_privacy_policy_v2()
    install_privacy_policy_v2()  # migrating again installs nothing twice
    existing = PolicyDocument.objects.get(kind="privacy", version=2)
    assert PolicyDocument.objects.filter(kind="privacy").count() == 2
    assert existing.effective_at == later and not existing.material
    later_day = timezone.localdate(later)
    assert f"{later_day.day} {later_day:%B} {later_day.year}" in existing.body_en
