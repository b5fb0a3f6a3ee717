"""The policy and terms pages (P11.1, P12.1)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from groupket.privacy import inventory
from groupket.privacy.models import PolicyDocument
from groupket.privacy.officer import privacy_officer
from groupket.privacy.selectors import current_document, document_diff, document_versions, processor_article

# The bodies article 12 of the policy names for reports, advice and dispute mediation (P12.1), with their contacts.
DISPUTE_BODIES = [
    {
        "name_key": "kisa",
        "name": _("Korea Internet & Security Agency (KISA), Privacy Infringement Report Center"),
        "url": "https://privacy.kisa.or.kr",
        "site": "privacy.kisa.or.kr",
        "phone": "118",
    },
    {
        "name_key": "kopico",
        "name": _("Personal Information Dispute Mediation Committee"),
        "url": "https://www.kopico.go.kr",
        "site": "kopico.go.kr",
        "phone": "1833-6972",
    },
    {
        "name_key": "spo",
        "name": _("Supreme Prosecutors' Office"),
        "url": "https://www.spo.go.kr",
        "site": "spo.go.kr",
        "phone": "1301",
    },
    {
        "name_key": "police",
        "name": _("Korean National Police Agency"),
        "url": "https://ecrm.police.go.kr",
        "site": "ecrm.police.go.kr",
        "phone": "182",
    },
]


def _document_page(
    request: HttpRequest, document: PolicyDocument, template: str, extra: dict | None = None
) -> HttpResponse:
    current = current_document(document.kind)
    return render(
        request,
        template,
        (extra or {})
        | {
            "document": document,
            "is_current": document.pk == current.pk,
            "versions": document_versions(document.kind),
            "diff": document_diff(document),
            "officer": privacy_officer(),
            "dispute_bodies": DISPUTE_BODIES,
            "inventory": inventory.items_by_category(),
            "purpose_labels": inventory.PURPOSE_LABELS,
        },
    )


def _version(kind: str, version: int) -> PolicyDocument:
    try:
        return PolicyDocument.objects.get(kind=kind, version=version)
    except PolicyDocument.DoesNotExist:
        raise Http404 from None


def policy(request: HttpRequest) -> HttpResponse:
    return _document_page(request, current_document(PolicyDocument.PRIVACY), "privacy/policy.html")


def policy_version(request: HttpRequest, version: int) -> HttpResponse:
    return _document_page(request, _version(PolicyDocument.PRIVACY, version), "privacy/policy.html")


# The terms say payment goes "through the payment processor named in the Privacy Policy": the page links that to the
# article of the policy that names it (P5.3).
def terms(request: HttpRequest) -> HttpResponse:
    extra = {"processor_article": processor_article()}
    return _document_page(request, current_document(PolicyDocument.TERMS), "privacy/terms.html", extra)


def terms_version(request: HttpRequest, version: int) -> HttpResponse:
    extra = {"processor_article": processor_article()}
    return _document_page(request, _version(PolicyDocument.TERMS, version), "privacy/terms.html", extra)
