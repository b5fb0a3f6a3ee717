"""The moderation records the tour of tests/e2e/pages.py shows, made before the browser opens.

In the tour member's space: a post held by a watched word, a reported post hidden by its owner (the member) and
appealed by its author, and a decision of Groupket's moderators (the tour's staff member) about the member.
"""

from groupket.accounts.models import Member
from groupket.moderation.models import Case
from groupket.moderation.services.appeals import file_appeal
from groupket.moderation.services.decisions import Ruling, decide_case
from groupket.moderation.services.reports import report_written
from groupket.moderation.services.words import add_watched_word
from groupket.spaces.models import Membership, Space
from tests.factories import MemberFactory, join, make_post


def prepare_moderation(*, owner: Member, moderator: Member, space_slug: str, writer_id: int) -> dict[str, int]:
    space = Space.objects.get(slug=space_slug)
    writer = Member.objects.get(pk=writer_id)
    runs_space = Membership.objects.get(space=space, member=owner)
    reader = MemberFactory(username="tour.reader")
    join(reader, space)
    add_watched_word(actor=owner, space=space, membership=runs_space, word="카지노", action="hold")
    held = make_post(writer, space, "주말 카 지 노 모임 " * 10, title="A held post with a long title " * 3)
    hidden = make_post(writer, space, "Cheap watches " * 30, title="Cheap watches for sale")
    report_written(actor=reader, written=hidden, reason="space_rule", rule_number=2, note="광고입니다. " * 20)
    decision = decide_case(
        actor=owner,
        case=Case.objects.get(post=hidden),
        membership=runs_space,
        ruling=Ruling(kind="hide", rule="space_rule", rule_number=2, reason="광고는 장터 스페이스에 올려 주세요. " * 5),
    )
    appeal = file_appeal(actor=writer, decision=decision, statement="무료 나눔이었습니다. " * 10)
    # A warning about the member from Groupket's moderators: /me/moderation/ then shows a decision to appeal.
    warned = make_post(owner, space, "Visit my shop, the best prices in Mapo.", title="My shop")
    report_written(actor=reader, written=warned, reason="spam", rule_number=None, note="")
    decide_case(
        actor=moderator,
        case=Case.objects.get(post=warned),
        membership=None,
        ruling=Ruling(kind="warn", rule="spam", reason="Adverts go to the market space."),
    )
    return {
        "held_case": Case.objects.get(post=held).pk,
        "held_post": held.pk,
        "hidden_post": hidden.pk,
        "appeal": appeal.pk,
    }
