"""A space's own moderation desk, for its owner and organisers (/s/<slug>/moderation/)."""

from django.http import HttpRequest, HttpResponse

from groupket.moderation import permissions
from groupket.moderation.views import desk
from groupket.moderation.views.common import answers_moderation_refusals
from groupket.spaces.views.common import member_action, space_or_404

NAMES = {
    "queue": "moderation:space_queue",
    "case": "moderation:space_case",
    "case_photo": "moderation:space_case_photo",
    "appeal": "moderation:space_appeal",
    "words": "moderation:space_words",
}


def _desk(request: HttpRequest, slug: str) -> desk.Desk:
    space, membership = space_or_404(request, slug)
    if membership is None or not membership.runs_space:
        raise permissions.ModerationDenied(permissions.ORGANISERS_ONLY)
    frame = "moderation/_frame_member.html"
    return desk.Desk(space=space, membership=membership, by_staff=False, frame=frame, names=NAMES)


@member_action("GET")
@answers_moderation_refusals
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    return desk.queue(request, _desk(request, slug))


@member_action("GET", "POST")
@answers_moderation_refusals
def case(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    return desk.case_page(request, _desk(request, slug), case_id)


@member_action("GET")
@answers_moderation_refusals
def case_photo(request: HttpRequest, slug: str, case_id: int, image_id: int) -> HttpResponse:
    return desk.case_photo(request, _desk(request, slug), case_id, image_id)


@member_action("GET", "POST")
@answers_moderation_refusals
def appeal(request: HttpRequest, slug: str, appeal_id: int) -> HttpResponse:
    return desk.appeal_page(request, _desk(request, slug), appeal_id)


@member_action("GET", "POST")
@answers_moderation_refusals
def words(request: HttpRequest, slug: str) -> HttpResponse:
    return desk.words_page(request, _desk(request, slug))
