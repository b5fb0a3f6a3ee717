"""The header's link to the staff console, for a member who holds a role (known from sign-in: no query)."""

from django.http import HttpRequest

from groupket.staff.middleware import STAFF_SESSION


def staff_console_link(request: HttpRequest) -> dict[str, bool]:
    session = getattr(request, "session", None)
    state = session.get(STAFF_SESSION) if session is not None else None
    return {"staff_console_link": bool(state and state.get("staff"))}
