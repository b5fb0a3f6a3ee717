"""What Unregister does in moderation (P6.3, P8.5): listed in settings.GROUPKET_WITHDRAWAL_STEPS.

The member's reports and appeals go with them, and so do the decisions about them and the cases
about their writing (their writing itself is destroyed by the spaces step). The moderation log
keeps each step without naming them (its member column empties itself), so /transparency/ counts
do not change.
"""

from django.contrib.auth.base_user import AbstractBaseUser

from groupket.moderation.models import Appeal, Case, Decision, Report


def withdraw_from_moderation(*, member: AbstractBaseUser, keep_writing: bool = False) -> dict[str, int]:
    """Run inside Unregister's transaction; returns destruction counts by category.

    keep_writing (posts and comments left under "Withdrawn member") changes nothing here: what is kept is the
    spaces' writing, never a record of this app that names the member.
    """
    reports = Report.objects.filter(reporter=member)
    appeals = Appeal.objects.filter(appellant=member)
    decisions = Decision.objects.filter(subject=member)
    cases = Case.objects.filter(author=member)
    counts = {
        "moderation reports": reports.count(),
        "moderation appeals": appeals.count(),
        "moderation decisions": decisions.count(),
        "held and reported items (moderation cases)": cases.count(),
    }
    reports.delete()
    appeals.delete()
    decisions.delete()
    cases.delete()
    return counts
