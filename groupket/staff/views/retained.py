"""Records kept after withdrawal: looked up by reference, read only for a stated purpose, each read logged (P8.3)."""

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from groupket.accounts.services.sessions import client_ip
from groupket.privacy.models import RetainedRecord
from groupket.privacy.selectors import held_retained_record
from groupket.privacy.services.retention import RetainedReadRefused
from groupket.staff.forms.officer import RetainedReadForm
from groupket.staff.permissions import staff_view
from groupket.staff.roles import READ_RETAINED_RECORDS
from groupket.staff.services.retained import PURPOSES, find_retained_records, parse_reference, read_for_purpose


@staff_view(READ_RETAINED_RECORDS)
def lookup(request: HttpRequest) -> HttpResponse:
    """No browsing: nothing is listed until a record or subject reference is given."""
    text = request.GET.get("ref", "").strip()
    reference = parse_reference(text) if text else None
    error = _("A reference is a UUID, such as 3f2a…-…; check it and try again.") if text and not reference else ""
    context = {"ref": text, "error": error, "records": find_retained_records(reference) if reference else None}
    return render(request, "staff/retained.html", context, status=400 if error else 200)


@never_cache
@staff_view(READ_RETAINED_RECORDS)
def read(request: HttpRequest, record_ref: uuid.UUID) -> HttpResponse:
    record = held_retained_record(record_ref)
    if record is None:
        raise Http404
    form = RetainedReadForm(request.POST if request.method == "POST" else None)
    contents, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                contents = read_for_purpose(
                    custodian=request.user,
                    record_ref=record_ref,
                    purpose=form.cleaned_data["purpose"],
                    ip_address=client_ip(request),
                )
            except RetainedRecord.DoesNotExist:
                raise Http404 from None
            except RetainedReadRefused as refusal:
                form.add_error("purpose", str(refusal))
        status = 200 if contents else 400
    purpose = PURPOSES.get(form.cleaned_data.get("purpose", "")) if contents else None
    context = {"record": record, "form": form, "contents": contents, "purpose": purpose}
    return render(request, "staff/retained_read.html", context, status=status)
