"""The console's front page: the staff member's roles and what every role may see (P7.6, P10.2)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from groupket.privacy import inventory
from groupket.staff.permissions import allowed_actions, staff_view
from groupket.staff.roles import GRANT_ROLES, REQUEST_ITEMS, ROLES, Role
from groupket.staff.selectors import role_holder_counts

# The request items' own labels speak to the member ("The answer to your request"); staff read one line.
REQUESTS_LABEL = _("What a requester sent the privacy officer, and the officer's notes and answer")


def item_labels(role: Role) -> list[Promise]:
    labels = {item.key: item.label for item in inventory.ITEMS}
    shown = [labels[key] for key in sorted(role.items - REQUEST_ITEMS)]
    return [*shown, REQUESTS_LABEL] if role.items & REQUEST_ITEMS else shown


@staff_view()
def console_home(request: HttpRequest) -> HttpResponse:
    officer = GRANT_ROLES in allowed_actions(request.staff_roles)
    return render(
        request,
        "staff/home.html",
        {
            "my_roles": [ROLES[slug] for slug in sorted(request.staff_roles)],
            "roles": [(role, item_labels(role)) for role in ROLES.values()],
            # Only the privacy officer sees how many hold each role (P10.2).
            "holder_counts": role_holder_counts() if officer else None,
        },
    )
