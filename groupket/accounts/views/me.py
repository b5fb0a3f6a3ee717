"""My information: a profile card, then everything held about the member, with purpose and retention (P6.1)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groupket.accounts.selectors import login_records, summarise_my_information
from groupket.privacy.selectors import member_consents, member_disclosures


@login_required
def my_information(request: HttpRequest) -> HttpResponse:
    member = request.user
    return render(
        request,
        "accounts/me.html",
        {
            "info": summarise_my_information(member),
            "consents": member_consents(member.pk),
            "login_records": login_records(member),
            "disclosures": member_disclosures(member.pk),
        },
    )
