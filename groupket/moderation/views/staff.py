"""Groupket's moderators' desk in the staff console (/staff/moderation/): every space's queue."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_safe

from groupket.moderation.views import desk
from groupket.moderation.views.common import answers_moderation_refusals
from groupket.staff.permissions import staff_view
from groupket.staff.roles import MODERATE

NAMES = {
    "queue": "moderation_staff:queue",
    "case": "moderation_staff:case",
    "case_photo": "moderation_staff:case_photo",
    "appeal": "moderation_staff:appeal",
    "words": "moderation_staff:words",
}
DESK = desk.Desk(space=None, membership=None, by_staff=True, frame="moderation/_frame_staff.html", names=NAMES)


@require_safe
@staff_view(MODERATE)
def queue(request: HttpRequest) -> HttpResponse:
    return desk.queue(request, DESK)


@require_http_methods(["GET", "POST"])
@staff_view(MODERATE)
@answers_moderation_refusals
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    return desk.case_page(request, DESK, case_id)


@require_safe
@staff_view(MODERATE)
def case_photo(request: HttpRequest, case_id: int, image_id: int) -> HttpResponse:
    return desk.case_photo(request, DESK, case_id, image_id)


@require_http_methods(["GET", "POST"])
@staff_view(MODERATE)
@answers_moderation_refusals
def appeal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    return desk.appeal_page(request, DESK, appeal_id)


@require_http_methods(["GET", "POST"])
@staff_view(MODERATE)
@answers_moderation_refusals
def words(request: HttpRequest) -> HttpResponse:
    return desk.words_page(request, DESK)
