"""Agreeing again to the Terms of Use or the Privacy Policy after a material change (P3.1).

[Agree] is recorded and the member goes on to where they were going; [Disagree] is recorded too, and the member
learns that the basic service waits for their agreement, and that they can take their data and leave.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from groupket.core.redirects import next_on_this_site
from groupket.privacy.middleware import RENEWAL_PREFIX, remember_answer
from groupket.privacy.models import PolicyDocument
from groupket.privacy.selectors import PolicyRenewal, material_versions_in_force, policy_renewals
from groupket.privacy.services.documents import StaleAnswer, answer_renewal

AGREE = "agree"
DISAGREE = "disagree"
AGREEMENT_CHOICES = [(AGREE, _("Agree")), (DISAGREE, _("Disagree"))]
TITLES = {PolicyDocument.TERMS: _("Terms of Use"), PolicyDocument.PRIVACY: _("Privacy Policy")}
CHOICE_REQUIRED = {
    PolicyDocument.TERMS: _("Choose Agree or Disagree for the Terms of Use."),
    PolicyDocument.PRIVACY: _("Choose Agree or Disagree for the Privacy Policy."),
}
OUT_OF_DATE = _("This page is out of date. Please read the documents below and answer again.")
# Built by other parts of the site; the middleware keeps both open to a member who has not agreed (P6.1, P6.3).
EXPORT_PATH = "/me/export/"
UNREGISTER_PATH = "/me/unregister/"


class RenewalForm(forms.Form):
    """[Agree]/[Disagree] for each document awaiting agreement, named like the signup form: agree_terms, agree_privacy.

    The version shown travels with the answer, so a member never agrees to a text they were not shown.
    """

    def __init__(self, *args: object, renewals: list[PolicyRenewal], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for renewal in renewals:
            kind = renewal.document.kind
            self.fields[f"agree_{kind}"] = forms.ChoiceField(
                choices=AGREEMENT_CHOICES,
                widget=forms.RadioSelect,
                label=TITLES[kind],
                error_messages={"required": CHOICE_REQUIRED[kind], "invalid_choice": CHOICE_REQUIRED[kind]},
            )
            self.fields[f"version_{kind}"] = forms.IntegerField(
                widget=forms.HiddenInput,
                initial=renewal.document.version,
                min_value=1,
                error_messages={key: OUT_OF_DATE for key in ("required", "invalid", "min_value")},
            )
        self.kinds = [renewal.document.kind for renewal in renewals]

    def answers(self) -> dict[str, tuple[int, bool]]:
        return {
            kind: (self.cleaned_data[f"version_{kind}"], self.cleaned_data[f"agree_{kind}"] == AGREE)
            for kind in self.kinds
        }


def _next(request: HttpRequest) -> str:
    """Where the member was going, if it is a page on this site outside the renewal pages; else ""."""
    target = next_on_this_site(request)
    return "" if target.startswith(RENEWAL_PREFIX) else target


def _remember(request: HttpRequest, renewals: list[PolicyRenewal]) -> None:
    remember_answer(request, material_versions_in_force(), [renewal.document.kind for renewal in renewals])


@login_required
def renew(request: HttpRequest) -> HttpResponse:
    renewals = policy_renewals(request.user.pk)
    if not renewals:
        _remember(request, renewals)
        return redirect(_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    form = RenewalForm(request.POST if request.method == "POST" else None, renewals=renewals)
    if form.is_valid():
        answers = form.answers()
        try:
            answer_renewal(member=request.user, answers=answers)
        except StaleAnswer:
            form.add_error(None, gettext(OUT_OF_DATE))
        else:
            return _after_answer(request, answers)
    context = {
        "form": form,
        "renewals": [(renewal, form[f"agree_{renewal.document.kind}"]) for renewal in renewals],
        "next": _next(request),
    }
    return render(request, "privacy/renewal.html", context, status=400 if form.is_bound else 200)


def _after_answer(request: HttpRequest, answers: dict[str, tuple[int, bool]]) -> HttpResponse:
    renewals = policy_renewals(request.user.pk)
    _remember(request, renewals)
    target = _next(request)
    if any(not agreed for _version, agreed in answers.values()):
        url = reverse("privacy:renew_declined")
        return redirect(f"{url}?{urlencode({'next': target})}" if target else url)
    if renewals:
        # Another document still waits (answered from another browser meanwhile): ask for it.
        return redirect(reverse("privacy:renew") + (f"?{urlencode({'next': target})}" if target else ""))
    return redirect(target or resolve_url(settings.LOGIN_REDIRECT_URL))


@login_required
def declined(request: HttpRequest) -> HttpResponse:
    if not policy_renewals(request.user.pk):
        return redirect(_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    renew_url = reverse("privacy:renew")
    if target := _next(request):
        renew_url += "?" + urlencode({"next": target})
    context = {"renew_url": renew_url, "export_url": EXPORT_PATH, "unregister_url": UNREGISTER_PATH}
    return render(request, "privacy/renewal_declined.html", context)
