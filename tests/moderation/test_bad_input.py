"""Random input to every moderation form and address: never a 500, and nothing half-made."""

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from groupket.moderation.models import Appeal, Case, Decision, LogEntry, Report, WatchedWord
from tests.conftest import sign_in, sign_in_staff
from tests.factories import make_post
from tests.moderation.test_reports_and_decisions import client_of, decide, report

FORMS = {
    "/s/hiking-club/p/{post}/report/": ("reader", ["reason", "rule_number", "note"]),
    "/s/hiking-club/moderation/cases/{case}/": ("organiser", ["kind", "rule", "reason", "days"]),
    "/s/hiking-club/moderation/words/": ("organiser", ["do", "word", "action"]),
    "/s/hiking-club/moderation/appeals/{appeal}/": ("owner", ["outcome", "answer"]),
    "/staff/moderation/cases/{case}/": ("moderator", ["kind", "rule", "reason", "days"]),
    "/staff/moderation/words/": ("moderator", ["do", "word", "action"]),
    "/me/moderation/{decision}/appeal/": ("writer", ["statement"]),
}
# Values a form may meet besides random text: codes that exist, rules out of range, days out of range.
codes = st.sampled_from(["spam", "space_rule", "space_rule:9", "space_rule:1", "hide", "suspend", "silence", "add",
                         "remove", "upheld", "rejected", "block", "0", "366", "7"])  # fmt: skip


def set_up(people) -> dict[str, int]:
    post = make_post(people.writer, people.space, "A post to fuzz")
    report(people.reader, people.space, post, "spam")
    case = Case.objects.get()
    other = make_post(people.writer, people.space, "A decided post")
    report(people.reader, people.space, other, "abuse")
    decided = Case.objects.get(post=other)
    decide(client_of(people.organiser), f"/s/hiking-club/moderation/cases/{decided.pk}/", kind="warn", rule="abuse")
    decision = Decision.objects.get()
    client_of(people.writer).post(f"/me/moderation/{decision.pk}/appeal/", {"statement": "Please."})
    return {"post": post.pk, "case": case.pk, "decision": decision.pk, "appeal": Appeal.objects.get().pk}


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", list(FORMS))
def test_moderation_forms_answer_random_input_without_a_server_error(people, pattern: str) -> None:
    from tests.test_bad_input import FUZZ, junk

    ids = set_up(people)
    who, names = FORMS[pattern]
    url = pattern.format(**ids)
    client = Client(raise_request_exception=True)
    (sign_in_staff if who == "moderator" else sign_in)(client, getattr(people, who))
    values = st.one_of(junk, codes)

    @FUZZ
    @given(data=st.fixed_dictionaries({}, optional={name: values for name in names}))
    def post_random(data: dict) -> None:
        assert client.post(url, data).status_code < 500, (url, data)

    post_random()
    # Every decision, appeal, report and word is whole: each has the log row written with it.
    decided = LogEntry.objects.filter(action="decided").count()
    assert decided == Case.objects.filter(status="closed").count()
    assert LogEntry.objects.filter(action="reported").count() == Report.objects.count()
    assert LogEntry.objects.filter(action="appealed").count() == Appeal.objects.count()
    added, removed = (LogEntry.objects.filter(action=a).count() for a in ("word_added", "word_removed"))
    assert added - removed == WatchedWord.objects.count()
    unexplained = [decision.pk for decision in Decision.objects.all() if not any((decision.reason, decision.rule))]
    assert unexplained == []


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/s/hiking-club/moderation/cases/{}/", "/staff/moderation/appeals/{}/",
                                  "/s/hiking-club/c/{}/report/", "/transparency/?month={}"])  # fmt: skip
def test_mangled_moderation_addresses_get_a_clear_answer(people, page: str) -> None:
    from urllib.parse import quote

    from tests.test_bad_input import FUZZ

    client = Client(raise_request_exception=True)
    sign_in_staff(client, people.moderator)

    @FUZZ
    @given(value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=100))
    def open_page(value: str) -> None:
        assert client.get(page.format(quote(value, safe=""))).status_code < 500

    open_page()
