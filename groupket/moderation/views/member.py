"""What members do: report a post or comment, read the decisions about them, appeal one (P10.1)."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from groupket.moderation import selectors
from groupket.moderation.forms import AppealForm, ReportForm
from groupket.moderation.models import APPROVE, Decision
from groupket.moderation.permissions import APPEAL_DAYS
from groupket.moderation.presenting import rule_text
from groupket.moderation.services.appeals import file_appeal
from groupket.moderation.services.reports import report_written
from groupket.moderation.views.common import answers_moderation_refusals
from groupket.spaces import permissions as space_permissions
from groupket.spaces.views.common import comment_or_404, member_action, post_or_404, readable_space_or_404


def _report(request: HttpRequest, slug: str, written, back: str) -> HttpResponse:
    space, membership = readable_space_or_404(request, slug)
    if not space_permissions.can_see_written(written, request.user.pk, membership):
        raise Http404
    form = ReportForm(request.POST or None, space=space)
    if request.method == "POST" and form.is_valid():
        report_written(
            actor=request.user,
            written=written,
            reason=form.cleaned_data["reason"],
            rule_number=form.cleaned_data["rule_number"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Thank you. Moderators will review it; the author is not told who reported."))
        return redirect(back)
    context = {"space": space, "form": form, "written": written, "back": back}
    return render(request, "moderation/report.html", context, status=400 if request.method == "POST" else 200)


@member_action("GET", "POST")
@answers_moderation_refusals
def report_post(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    space, _membership = readable_space_or_404(request, slug)
    post = post_or_404(space, post_id)
    return _report(request, slug, post, f"/s/{space.slug}/p/{post.pk}/")


@member_action("GET", "POST")
@answers_moderation_refusals
def report_comment(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    space, _membership = readable_space_or_404(request, slug)
    comment = comment_or_404(space, comment_id)
    return _report(request, slug, comment, f"/s/{space.slug}/p/{comment.post_id}/#comment-{comment.pk}")


def _appealable(decision: Decision, now) -> bool:
    return (
        decision.kind != APPROVE
        and decision.undone_at is None
        and not hasattr(decision, "appeal")
        and now <= decision.created_at + timedelta(days=APPEAL_DAYS)
    )


def _mine(request: HttpRequest, *, failed: tuple[int, AppealForm] | None = None) -> HttpResponse:
    now = timezone.now()
    rows = [
        {
            "decision": decision,
            "rule": rule_text(decision.rule, decision.rule_number, decision.space),
            "in_force": decision.until is not None and decision.until > now and decision.undone_at is None,
            "appeal_by": decision.created_at + timedelta(days=APPEAL_DAYS),
            "form": failed[1]
            if failed and failed[0] == decision.pk
            else (AppealForm() if _appealable(decision, now) else None),
        }
        for decision in selectors.member_decisions(request.user.pk)
    ]
    return render(request, "moderation/mine.html", {"rows": rows}, status=400 if failed else 200)


@member_action("GET")
def mine(request: HttpRequest) -> HttpResponse:
    return _mine(request)


@member_action("POST")
@answers_moderation_refusals
def appeal(request: HttpRequest, decision_id: int) -> HttpResponse:
    decision = get_object_or_404(Decision, pk=decision_id, subject_id=request.user.pk)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _mine(request, failed=(decision.pk, form))
    file_appeal(actor=request.user, decision=decision, statement=form.cleaned_data["statement"])
    messages.success(request, _("Your appeal is sent. A different moderator will answer it within 7 days."))
    return redirect("moderation:mine")
