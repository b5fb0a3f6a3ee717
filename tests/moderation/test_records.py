"""Moderators see IDs only (P7.8); /transparency/ counts without names; records are declared, exported,
destroyed on time and on Unregister (P10.1)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from groupket.accounts.services.unregister import unregister_member
from groupket.moderation.models import Appeal, Case, Decision, LogEntry, Report, WatchedWord
from groupket.moderation.retention import destroy_closed_moderation_records
from groupket.privacy.export_sections import section_functions
from groupket.privacy.models import DestructionLog
from groupket.spaces.models import Post
from tests.conftest import sign_in, sign_in_staff
from tests.factories import DEFAULT_PASSWORD, MemberFactory, join, make_post
from tests.moderation.test_reports_and_decisions import client_of, decide, report

pytestmark = pytest.mark.django_db


def a_decided_and_appealed_case(people) -> tuple[Case, Decision, Appeal]:
    post = make_post(people.writer, people.space, "Needs a look")
    report(people.reader, people.space, post, "abuse", note="Mean.")
    case = Case.objects.get(post=post)
    decide(client_of(people.moderator, staff=True), f"/staff/moderation/cases/{case.pk}/", kind="warn", rule="abuse")
    decision = Decision.objects.get(case=case)
    client_of(people.writer).post(f"/me/moderation/{decision.pk}/appeal/", {"statement": "I was joking."})
    return case, decision, Appeal.objects.get(decision=decision)


@pytest.mark.clause("P7.8")
def test_every_moderation_page_shows_the_author_s_id_and_never_a_name_email_or_phone(people) -> None:
    people.writer.phone = "+821055501234"
    people.writer.save(update_fields=["phone"])
    held = make_post(people.writer, people.space, "010-5550-1234 call me", confirmed=True)
    case, _decision, appeal = a_decided_and_appealed_case(people)
    held_case = Case.objects.get(post=held)
    slug = people.space.slug
    pages = {
        people.organiser: [f"/s/{slug}/moderation/", f"/s/{slug}/moderation/cases/{held_case.pk}/",
                           f"/s/{slug}/moderation/cases/{case.pk}/", f"/s/{slug}/moderation/words/"],
        people.second: ["/staff/moderation/", f"/staff/moderation/cases/{held_case.pk}/",
                        f"/staff/moderation/cases/{case.pk}/", f"/staff/moderation/appeals/{appeal.pk}/",
                        "/staff/moderation/words/"],
    }  # fmt: skip
    secrets = [people.writer.name, people.writer.email, "+821055501234", "Secretname", people.reader.username]
    for viewer, paths in pages.items():
        client = Client()
        (sign_in_staff if viewer is people.second else sign_in)(client, viewer)
        for path in paths:
            for language in ("en", "ko"):
                response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
                page = response.content.decode()
                assert response.status_code == 200, path
                assert [secret for secret in secrets if secret in page] == [], path
        assert "@the.writer" in client.get(f"/s/{slug}/moderation/cases/{case.pk}/".replace(
            f"/s/{slug}/moderation/", "/staff/moderation/" if viewer is people.second else f"/s/{slug}/moderation/"
        )).content.decode()  # fmt: skip


def test_transparency_counts_by_month_without_names_and_hides_small_numbers(people) -> None:
    for number in range(6):
        post = make_post(people.writer, people.space, f"spam {number}")
        report(people.reader, people.space, post, "spam")
    a_decided_and_appealed_case(people)
    page = Client().get("/transparency/").content.decode()
    assert timezone.localtime().strftime("%Y-%m") in page
    assert "<td>Spam or advertising</td><td>6</td>" in page
    assert "<td>Abuse, harassment or hate</td><td>fewer than 5</td>" in page
    assert "<td>Appeals made</td><td>fewer than 5</td>" in page
    for name in (people.writer.username, people.reader.username, people.space.name, people.moderator.username):
        assert name not in page
    assert "5건 미만" in Client().get("/transparency/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()


@pytest.mark.clause("P10.1")
def test_moderation_records_are_destroyed_a_year_after_the_case_closes(people) -> None:
    case, decision, _appeal = a_decided_and_appealed_case(people)
    assert destroy_closed_moderation_records() == 0
    later = timezone.now() - timedelta(days=366)
    Case.objects.filter(pk=case.pk).update(closed_at=later)
    Decision.objects.filter(pk=decision.pk).update(expires_at=later)
    LogEntry.objects.update(created_at=later)
    destroyed = destroy_closed_moderation_records()
    assert destroyed > 0
    assert not Case.objects.exists() and not Report.objects.exists() and not Decision.objects.exists()
    assert not Appeal.objects.exists() and not LogEntry.objects.exists()
    categories = set(DestructionLog.objects.values_list("category", flat=True))
    assert {"moderation reports", "moderation decisions and appeals", "moderation log entries"} <= categories


@pytest.mark.clause("P10.1")
def test_writing_deleted_by_a_moderator_is_destroyed_once_the_appeal_period_ends(people) -> None:
    post = make_post(people.writer, people.space, "Delete me")
    report(people.reader, people.space, post, "illegal")
    case = Case.objects.get()
    decide(
        client_of(people.moderator, staff=True), f"/staff/moderation/cases/{case.pk}/", kind="delete", rule="illegal"
    )
    destroy_closed_moderation_records()
    assert Post.objects.filter(pk=post.pk, state="removed").exists()  # still appealable
    Decision.objects.update(created_at=timezone.now() - timedelta(days=21))
    destroy_closed_moderation_records()
    assert not Post.objects.filter(pk=post.pk).exists()
    assert DestructionLog.objects.filter(category="posts and comments deleted by moderators", count=1).exists()


def build_sections(member) -> dict:
    return {name: function(member) for name, function in section_functions()}


def test_the_export_holds_my_reports_and_the_decisions_about_me(people) -> None:
    a_decided_and_appealed_case(people)
    reporter = build_sections(people.reader)
    assert [row["note"] for row in reporter["reports"]] == ["Mean."]
    author = build_sections(people.writer)
    [decision] = author["moderation_decisions"]
    assert decision["kind"] == "warn" and decision["appeal"]["statement"] == "I was joking."
    assert author["reports"] == []


@pytest.mark.clause("P10.1")
def test_unregister_takes_the_member_s_reports_appeals_and_decisions_with_them(people) -> None:
    case, _decision, _appeal = a_decided_and_appealed_case(people)
    other = make_post(people.owner, people.space, "Owner's post")
    report(people.writer, people.space, other, "spam")
    unregister_member(member=people.writer, password=DEFAULT_PASSWORD)
    assert not Decision.objects.exists() and not Appeal.objects.exists()
    assert not Report.objects.filter(case__post=other).exists()
    assert LogEntry.objects.filter(action="decided").exists()  # the count stays, without the member
    assert not LogEntry.objects.filter(subject_id__isnull=False).exclude(subject_id=people.owner.pk).exists()
    categories = set(DestructionLog.objects.values_list("category", flat=True))
    assert {"moderation reports", "moderation appeals", "moderation decisions"} <= categories


def test_organisers_keep_their_space_s_watched_words(people) -> None:
    client = Client()
    sign_in(client, people.organiser)
    url = f"/s/{people.space.slug}/moderation/words/"
    assert client.post(url, {"do": "add", "word": "x", "action": "block"}).status_code == 400
    assert client.post(url, {"do": "add", "word": "광고", "action": "hold"}).status_code == 302
    word = WatchedWord.objects.get()
    assert word.space_id == people.space.pk and LogEntry.objects.filter(action="word_added").count() == 1
    member = Client()
    sign_in(member, people.reader)
    assert member.get(url).status_code == 403
    assert member.post(url, {"do": "remove", "word": word.pk}).status_code == 403
    join(MemberFactory(), people.space)
    assert client.post(url, {"do": "remove", "word": word.pk}).status_code == 302
    assert not WatchedWord.objects.exists()
