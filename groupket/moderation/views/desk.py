"""The moderation desk, shared by a space's organisers (/s/<slug>/moderation/) and Groupket's moderators
(/staff/moderation/): the queue, a case, an appeal and the watched words.

Both see the author's ID only, never a name, an email address or a phone number (P7.8). Groupket's
moderators are staff: each page that opens a member's writing (or a reporter's note) writes an
access-log row first, reason "moderation", naming the case.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from groupket.accounts.photos import photo_response
from groupket.accounts.services.sessions import client_ip
from groupket.core.keys import open_data_keys
from groupket.moderation import personal_info, selectors
from groupket.moderation.forms import AppealDecisionForm, DecisionForm, RemoveWordForm, WatchedWordForm
from groupket.moderation.models import Appeal, Case, WatchedWord
from groupket.moderation.presenting import history_label, rule_text
from groupket.moderation.services import appeals as appeal_services
from groupket.moderation.services import decisions as decision_services
from groupket.moderation.services import words as word_services
from groupket.spaces.feeds import open_in_bulk, render_bodies
from groupket.spaces.models import Comment, Membership, Post, Space
from groupket.spaces.selectors import earlier_versions, image_of_post
from groupket.staff.services.access_log import MODERATION, log_member_view


@dataclass(frozen=True)
class Desk:
    """Whose desk: one space's organisers (space set) or Groupket's moderators (space None)."""

    space: Space | None
    membership: Membership | None
    by_staff: bool
    frame: str
    names: dict[str, str] = field(default_factory=dict)

    def url(self, name: str, *args: object) -> str:
        prefix = (self.space.slug,) if self.space is not None and not self.by_staff else ()
        return reverse(self.names[name], args=[*prefix, *args])

    @property
    def queue_space(self) -> Space | None:
        return None if self.by_staff else self.space


SCREENING_LABELS: dict[str, Callable[[str], str]] = {
    "links": lambda _code: _("More than 3 links"),
    "personal_info": lambda kind: _("Looks like %(what)s") % {"what": personal_info.KIND_LABELS.get(kind, kind)},
}


def screening_labels(codes: list[str]) -> list[str]:
    word_ids = [int(code.split(":")[1]) for code in codes if code.startswith("word:")]
    words = dict(WatchedWord.objects.filter(pk__in=word_ids).values_list("pk", "word"))
    labels = []
    for code in codes:
        kind, _sep, value = code.partition(":")
        if kind == "word":
            labels.append(_("Watched word “%(word)s”") % {"word": words.get(int(value), "?")})
        elif kind in SCREENING_LABELS:
            labels.append(SCREENING_LABELS[kind](value))
    return labels


def _log_staff_view(request: HttpRequest, desk: Desk, *, member_id: int, items: list[str], case_id: int) -> None:
    if desk.by_staff:
        log_member_view(
            staff=request.user,
            member_id=member_id,
            items=items,
            reason=MODERATION,
            reference=f"moderation case {case_id}",
            ip_address=client_ip(request),
        )


def _writing_items(written) -> list[str]:
    """What a staff look at the writing opens: its text and, when it was edited, its earlier versions."""
    if isinstance(written, Comment):
        return ["username", "comment_body", *(["comment_revision_body"] if written.edited_at else [])]
    edited = ["post_revision_title", "post_revision_body"] if written.edited_at else []
    return ["username", "post_title", "post_body", *edited]


def queue(request: HttpRequest, desk: Desk) -> HttpResponse:
    cases = selectors.open_cases(desk.queue_space)
    appeals = selectors.pending_appeals(desk.queue_space)
    now = timezone.now()
    context = {
        "desk": desk,
        "cases": [(case, desk.url("case", case.pk)) for case in cases],
        "appeals": [(appeal, desk.url("appeal", appeal.pk), appeal.due_at < now) for appeal in appeals],
        "words_url": desk.url("words"),
    }
    return render(request, "moderation/queue.html", context)


def _shown_writing(written, desk: Desk, case_id: int | None) -> dict[str, object]:
    """The writing as the desk shows it: its text, with a post's photos listed under it at the desk's own
    addresses (a staff moderator is no member of the space, and each photo they open is logged)."""
    open_in_bulk([written])
    photos = []
    if isinstance(written, Post) and case_id is not None:
        photos = [desk.url("case_photo", case_id, image_id) for image_id in written.image_ids]
    return {
        "written": written,
        "body_html": render_bodies([written], with_images=False)[0],
        "photos": photos,
        "revisions": earlier_versions(written) if written.edited_at else [],  # only an edit keeps a version
    }


def case_page(request: HttpRequest, desk: Desk, case_id: int) -> HttpResponse:
    cases = Case.objects.select_related("space", "post__author", "comment__author", "comment__post")
    case = get_object_or_404(cases, pk=case_id, **({} if desk.by_staff else {"space": desk.space}))
    form = DecisionForm(request.POST or None, space=case.space, by_staff=desk.by_staff)
    if request.method == "POST" and case.status == Case.OPEN and form.is_valid():
        decision_services.decide_case(actor=request.user, case=case, membership=desk.membership, ruling=form.ruling())
        messages.success(request, _("The decision is recorded, and the author is told."))
        return redirect(desk.url("queue"))
    written = case.written
    _log_staff_view(request, desk, member_id=written.author_id, items=_writing_items(written), case_id=case.pk)
    reports = selectors.case_reports(case)
    for report in reports:
        if report.note:
            _log_staff_view(request, desk, member_id=report.reporter_id, items=["report_note"], case_id=case.pk)
    context = {
        "desk": desk,
        "case": case,
        **_shown_writing(written, desk, case.pk),
        "screening": screening_labels(case.screening),
        "reports": [(report, rule_text(report.reason, report.rule_number, case.space)) for report in reports],
        "history": [(entry, history_label(entry)) for entry in selectors.case_history(case)],
        "form": form,
        "queue_url": desk.url("queue"),
    }
    response = render(request, "moderation/case.html", context, status=400 if request.method == "POST" else 200)
    add_never_cache_headers(response)
    return response


def case_photo(request: HttpRequest, desk: Desk, case_id: int, image_id: int) -> HttpResponse:
    """One photo of a case's post, for the desk that may open the case; a staff moderator's look is logged."""
    cases = Case.objects.select_related("post")
    case = get_object_or_404(cases, pk=case_id, **({} if desk.by_staff else {"space": desk.space}))
    image = image_of_post(case.post, image_id) if case.post is not None else None
    if image is None:
        raise Http404
    _log_staff_view(request, desk, member_id=case.post.author_id, items=["post_images"], case_id=case.pk)
    response = photo_response(image.content, image.content_type, cache_control=None)
    add_never_cache_headers(response)
    return response


def appeal_page(request: HttpRequest, desk: Desk, appeal_id: int) -> HttpResponse:
    appeals = Appeal.objects.select_related("decision__space", "decision__post", "decision__comment")
    scope = {} if desk.by_staff else {"decision__space": desk.space, "decision__by_staff": False}
    appeal = get_object_or_404(appeals, pk=appeal_id, **scope)
    decision = appeal.decision
    form = AppealDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        appeal_services.decide_appeal(
            actor=request.user,
            appeal=appeal,
            membership=desk.membership,
            outcome=form.cleaned_data["outcome"],
            answer=form.cleaned_data["answer"],
        )
        messages.success(request, _("The appeal is decided, and the member is told."))
        return redirect(desk.url("queue"))
    written = decision.comment or decision.post
    items = ["appeal_statement", *(["appeal_answer"] if appeal.decided_at else [])]
    items += _writing_items(written) if written is not None else ["username"]
    _log_staff_view(request, desk, member_id=decision.subject_id, items=items, case_id=decision.case_id or 0)
    open_data_keys([appeal.data_key_id, decision.data_key_id])
    context = {
        "desk": desk,
        "appeal": appeal,
        "decision": decision,
        "rule": rule_text(decision.rule, decision.rule_number, decision.space),
        **(_shown_writing(written, desk, decision.case_id) if written is not None else {}),
        "overdue": appeal.decided_at is None and appeal.due_at < timezone.now(),
        "same_moderator": decision.actor_ref == request.user.pk,
        "form": form,
        "queue_url": desk.url("queue"),
    }
    response = render(request, "moderation/appeal.html", context, status=400 if request.method == "POST" else 200)
    add_never_cache_headers(response)
    return response


def words_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    space = None if desk.by_staff else desk.space
    form = WatchedWordForm(request.POST if request.POST.get("do") == "add" else None)
    if request.method == "POST" and request.POST.get("do") == "remove":
        removal = RemoveWordForm(request.POST)
        watched = (
            removal.is_valid() and WatchedWord.objects.filter(pk=removal.cleaned_data["word"], space=space).first()
        )
        if watched:
            word_services.remove_watched_word(actor=request.user, watched=watched, membership=desk.membership)
            messages.success(request, _("The word is no longer watched."))
        return redirect(desk.url("words"))
    if request.method == "POST" and form.is_valid():
        word_services.add_watched_word(
            actor=request.user,
            space=space,
            membership=desk.membership,
            word=form.cleaned_data["word"],
            action=form.cleaned_data["action"],
        )
        messages.success(request, _("The word is watched from now on."))
        return redirect(desk.url("words"))
    context = {
        "desk": desk,
        "form": form,
        "words": list(WatchedWord.objects.filter(space=space)),
        "queue_url": desk.url("queue"),
    }
    return render(request, "moderation/words.html", context, status=400 if request.method == "POST" else 200)
