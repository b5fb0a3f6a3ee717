"""How a rule cited by a decision or a report reads for people, in the page's language."""

from django.utils.translation import gettext as _

from groupket.moderation.models import DECISION_CHOICES, REASON_CHOICES, SPACE_RULE, Appeal, LogEntry
from groupket.moderation.services import log
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


def history_label(entry: LogEntry) -> str:
    """One step of a case's history as moderators read it: what happened, never who reported."""
    who = _("Groupket's moderators") if entry.by_staff else _("the space's organisers")
    labels = {
        log.HELD: lambda: _("Held by screening"),
        log.FLAGGED: lambda: _("Flagged by screening"),
        log.REPORTED: lambda: _("Reported: %(reason)s") % {"reason": GROUPKET_RULES.get(entry.code, entry.code)},
        log.HIDDEN_PENDING: lambda: _("Hidden until reviewed (personal information reported)"),
        log.DECIDED: lambda: (
            _("%(decision)s, by %(who)s") % {"decision": dict(DECISION_CHOICES).get(entry.code, entry.code), "who": who}
        ),
        log.APPEALED: lambda: _("Appealed by the author"),
        log.APPEAL_DECIDED: lambda: (
            _("Appeal decided: %(outcome)s") % {"outcome": dict(Appeal.OUTCOME_CHOICES).get(entry.code, entry.code)}
        ),
        log.UNDONE: lambda: _("Decision undone"),
    }
    return labels[entry.action]() if entry.action in labels else entry.action
