"""/spaces/: the list of spaces anyone may find, searched by name and description; and making a new one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from groupket.spaces.forms import SearchForm, SpaceForm
from groupket.spaces.selectors import listed_spaces
from groupket.spaces.services.spaces import SpaceAddressTaken, create_space

SPACES_PER_PAGE = 30


@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "page": None, "query": ""}
        return render(request, "spaces/directory.html", context, status=400)
    query = form.cleaned_data["q"]
    page = Paginator(listed_spaces(query), SPACES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "spaces/directory.html", {"form": form, "page": page, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = SpaceForm(request.POST or None, initial={"visibility": "public", "joining": "open"})
    if request.method == "POST" and form.is_valid():
        try:
            space = create_space(actor=request.user, slug=form.cleaned_data["slug"], details=form.details())
        except SpaceAddressTaken:
            form.add_error("slug", _("Another space has this address. Choose another."))
        else:
            messages.success(request, _("Your space is ready. Invite people or write the first post."))
            return redirect("spaces:home", slug=space.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "spaces/space_form.html", {"form": form, "creating": True}, status=status)
