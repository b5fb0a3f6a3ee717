"""The console's front page: the staff member's roles and what every role may see (P7.6, P10.2)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groupket.privacy import inventory
from groupket.staff.permissions import allowed_actions, staff_view
from groupket.staff.roles import GRANT_ROLES, ROLES
from groupket.staff.selectors import role_holder_counts


@staff_view()
def console_home(request: HttpRequest) -> HttpResponse:
    labels = {item.key: item.label for item in inventory.ITEMS}
    officer = GRANT_ROLES in allowed_actions(request.staff_roles)
    return render(
        request,
        "staff/home.html",
        {
            "my_roles": [ROLES[slug] for slug in sorted(request.staff_roles)],
            "roles": [(role, [labels[key] for key in sorted(role.items)]) for role in ROLES.values()],
            # Only the privacy officer sees how many hold each role (P10.2).
            "holder_counts": role_holder_counts() if officer else None,
        },
    )
