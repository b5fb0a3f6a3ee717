"""[Edit Profile] and the member's own profile photo (P1.2, P6.1, P7.2)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from groupket.accounts import photos
from groupket.accounts.forms.profile import SENSITIVE_NOTICE, ProfileForm
from groupket.accounts.services import profile as profile_services


@photos.uploads_kept_in_memory(photos.PhotoUploadHandler)
@login_required
def edit(request: HttpRequest) -> HttpResponse:
    member = request.user
    bound = request.method == "POST"
    form = ProfileForm(request.POST if bound else None, request.FILES if bound else None, member=member)
    if bound and form.is_valid():
        update = profile_services.update_profile(member=member, changes=form.to_changes())
        _tell_outcome(request, update)
        return redirect("accounts:me")
    status = 200
    if bound:
        # The scanner being down is our fault, not the file's: 503 (fail closed), otherwise 400.
        status = 503 if form.scanner_unavailable() else 400
    context = {
        "form": form,
        "member": member,
        "has_photo": member.photo is not None,
        "delivery": profile_services.saved_delivery_details(member),
        "notice": SENSITIVE_NOTICE,
    }
    return render(request, "accounts/edit.html", context, status=status)


def _tell_outcome(request: HttpRequest, update: profile_services.ProfileUpdate) -> None:
    if not update.changed:
        messages.info(request, _("Nothing was changed."))
        return
    messages.success(request, _("Your profile is saved."))
    if update.email_change_requested:
        messages.info(
            request,
            _(
                "We sent a confirmation link to your new email address. Until you open it, your current address "
                "stays in use."
            ),
        )


@login_required
@require_POST
def cancel_email_change(request: HttpRequest) -> HttpResponse:
    if profile_services.cancel_email_change(member=request.user):
        messages.success(request, _("The email change is cancelled. Your current address stays in use."))
    return redirect("accounts:edit")


@login_required
@require_safe
def photo(request: HttpRequest) -> HttpResponse:
    """The member's own photo, for their eyes only: never cached, never sniffed as another type."""
    data = request.user.photo
    if data is None:
        raise Http404
    return photos.photo_response(data, photos.content_type_of(data), cache_control="private, no-store")
