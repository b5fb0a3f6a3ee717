"""The privacy officer's pages: destructions, notices to members with news composed here, policy versions.

(P3.1, P4.1, P8.5.) None of them shows a member's items: counts, texts and logs only.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groupket.privacy.models import MassNotice, PolicyDocument
from groupket.privacy.selectors import document_diff, recent_document_versions, recent_notices, retention_overview
from groupket.privacy.services.documents import PublicationRefused, check_publication, latest_version, publish_document
from groupket.privacy.services.notices import create_mass_notice
from groupket.staff.forms.officer import DOCUMENT_LABELS, NewsForm, PolicyForm
from groupket.staff.permissions import staff_view
from groupket.staff.roles import PUBLISH_POLICY, SEND_NEWS, VIEW_DESTRUCTIONS

DESTRUCTION_LOG_ROWS = 100
NOTICE_ROWS = 100
VERSION_ROWS = 40
PREVIEW, PUBLISH = "preview", "publish"
NOTICE_KIND_LABELS: dict[str, Promise] = {
    MassNotice.POLICY_CHANGE: gettext_lazy("Policy change"),
    MassNotice.NEWS: gettext_lazy("News"),
    MassNotice.SUBSCRIPTION_REMINDER: gettext_lazy("Subscription reminder"),
}
NOTICE_STATUS_LABELS: dict[str, Promise] = {
    MassNotice.PENDING: gettext_lazy("Waiting to start"),
    MassNotice.SENDING: gettext_lazy("Sending"),
    MassNotice.DONE: gettext_lazy("Done"),
}


@staff_view(VIEW_DESTRUCTIONS)
def destructions(request: HttpRequest) -> HttpResponse:
    overview = retention_overview(recent=DESTRUCTION_LOG_ROWS)
    return render(request, "staff/destructions.html", {"overview": overview})


# --- Notices and news (P4.1) ---------------------------------------------------------------------------------


@staff_view(SEND_NEWS)
def notices(request: HttpRequest) -> HttpResponse:
    form = NewsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            create_mass_notice(actor=request.user, kind=MassNotice.NEWS, **form.cleaned_data)
        except ValueError:
            form.add_error(None, _("The news could not be queued as written: check both subjects and both texts."))
        else:
            messages.success(request, _("The news is being sent to the members who asked for news."))
            return redirect("staff:notices")
    rows = recent_notices(NOTICE_ROWS)
    context = {
        "form": form,
        "rows": [(notice, NOTICE_KIND_LABELS[notice.kind], NOTICE_STATUS_LABELS[notice.status]) for notice in rows],
        # The page reloads itself while a notice is going out, so progress moves without a script.
        "refresh": any(notice.status != MassNotice.DONE for notice in rows),
    }
    return render(request, "staff/notices.html", context, status=400 if form.is_bound and form.errors else 200)


# --- Policy versions (P3.1) ----------------------------------------------------------------------------------


def _diffs(form: PolicyForm, previous: PolicyDocument | None) -> list[tuple[str, list[str]]]:
    """The changes against the version in force before it, in each language, from an unsaved document."""
    data = form.cleaned_data
    preview = PolicyDocument(
        kind=data["kind"],
        version=previous.version + 1 if previous else 1,
        body_en=data["body_en"],
        body_ko=data["body_ko"],
    )
    diffs = []
    for language, label in (("en", _("English")), ("ko", _("Korean"))):
        with translation.override(language):
            diffs.append((label, document_diff(preview)))
    return diffs


def _policy_page(request: HttpRequest, form: PolicyForm, diffs: list | None = None, status: int = 200) -> HttpResponse:
    documents = recent_document_versions(VERSION_ROWS)
    versions = [(document, DOCUMENT_LABELS[document.kind]) for document in documents]
    context = {"form": form, "diffs": diffs, "versions": versions}
    return render(request, "staff/policy.html", context, status=status)


def _previewed(form: PolicyForm) -> PolicyForm:
    """The same form, carrying the fingerprint of what the officer is about to see the changes of."""
    data = form.data.copy()
    data["preview_digest"] = form.digest()
    confirmed = PolicyForm(data)
    confirmed.is_valid()
    return confirmed


@staff_view(PUBLISH_POLICY)
def policy(request: HttpRequest) -> HttpResponse:
    form = PolicyForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return _policy_page(request, form)
    if not form.is_valid():
        return _policy_page(request, form, status=400)
    fields = form.publication()
    previous = latest_version(fields["kind"])
    try:
        check_publication(**fields, previous=previous)
    except PublicationRefused as refusal:
        form.add_error(None, str(refusal))
        return _policy_page(request, form, status=400)
    action = request.POST.get("action")
    if action != PUBLISH or form.cleaned_data["preview_digest"] != form.digest():
        shown = _previewed(form)
        if action == PUBLISH:
            shown.add_error(None, _("The text changed after the preview: look at the changes below, then publish."))
        return _policy_page(request, shown, diffs=_diffs(form, previous), status=400 if shown.errors else 200)
    try:
        document = publish_document(actor=request.user, **fields)
    except PublicationRefused as refusal:
        form.add_error(None, str(refusal))
        return _policy_page(request, form, status=400)
    messages.success(
        request,
        _("Version %(version)s of the %(document)s was published.")
        % {"version": document.version, "document": DOCUMENT_LABELS[document.kind]},
    )
    return redirect("staff:policy")
