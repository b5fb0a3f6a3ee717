"""My information: everything held about the member, with purpose and retention (P6.1)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groupket.accounts.selectors import held_items, login_records
from groupket.privacy import inventory
from groupket.privacy.selectors import member_consents, member_disclosures


@login_required
def my_information(request: HttpRequest) -> HttpResponse:
    member = request.user
    return render(
        request,
        "accounts/me.html",
        {
            "categories": held_items(member),
            "purpose_labels": inventory.PURPOSE_LABELS,
            "consents": member_consents(member.pk),
            "login_records": login_records(member),
            "disclosures": member_disclosures(member.pk),
        },
    )
