"""How a rule cited by a decision or a report reads for people, in the page's language."""

from django.utils.translation import gettext as _

from groupket.moderation.models import REASON_CHOICES, SPACE_RULE
from groupket.spaces.models import Space

GROUPKET_RULES = dict(REASON_CHOICES)


def rule_text(rule: str, rule_number: int | None, space: Space | None) -> str:
    """ "Rule 2 of the space: No ads." or one of Groupket's rules; empty when only a reason was written."""
    if rule == SPACE_RULE and rule_number:
        rules = space.rules if space is not None else []
        wording = rules[rule_number - 1] if 0 < rule_number <= len(rules) else ""
        return _("Rule %(number)s of the space: %(rule)s") % {"number": rule_number, "rule": wording}
    if rule in GROUPKET_RULES:
        return _("Groupket's rule: %(rule)s") % {"rule": GROUPKET_RULES[rule]}
    return ""
