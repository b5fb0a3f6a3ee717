"""Forms of reports, decisions, appeals and watched words: every limit a clear, translated error."""

from django import forms
from django.utils.translation import gettext_lazy as _

from groupket.moderation import matching
from groupket.moderation.models import (
    DECISION_CHOICES,
    REASON_CHOICES,
    SILENCE,
    SPACE_RULE,
    SUSPEND,
    WORD_ACTIONS,
    Appeal,
)
from groupket.moderation.services.decisions import Ruling
from groupket.spaces.forms import TextField
from groupket.spaces.models import Space

NOTE_MAX = 1000
TEXT_MAX = 2000


def _rule_choices(space: Space | None) -> list[tuple[int, str]]:
    rules = space.rules if space is not None else []
    return [(number, f"{number}. {rule}") for number, rule in enumerate(rules, start=1)]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why are you reporting it?"), choices=REASON_CHOICES, widget=forms.RadioSelect)
    rule_number = forms.TypedChoiceField(label=_("Which rule"), coerce=int, required=False, empty_value=None)
    note = TextField(
        label=_("Note for the moderators"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The author and other members never see who reported."),
    )

    def __init__(self, *args: object, space: Space, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule_number"].choices = [("", _("Pick a rule")), *_rule_choices(space)]
        if not space.rules:
            self.fields["reason"].choices = [choice for choice in REASON_CHOICES if choice[0] != SPACE_RULE]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("reason") == SPACE_RULE and not data.get("rule_number"):
            self.add_error("rule_number", _("Pick the rule it breaks."))
        return data


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Action"), choices=DECISION_CHOICES, widget=forms.RadioSelect)
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    reason = TextField(
        label=_("Reason for the author"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Cite a rule, write a reason, or both. The author is told."),
    )
    days = forms.IntegerField(
        label=_("For how many days"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("For a silence or a suspension: 1 to 365 days."),
    )

    def __init__(self, *args: object, space: Space | None, by_staff: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        groupket_rules = [(code, label) for code, label in REASON_CHOICES if code != SPACE_RULE]
        space_rules = [(f"space_rule:{number}", label) for number, label in _rule_choices(space)]
        self.fields["rule"].choices = [("", _("No rule: the reason says why")), *groupket_rules, *space_rules]
        if not by_staff:
            self.fields["kind"].choices = [choice for choice in DECISION_CHOICES if choice[0] != SUSPEND]

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("rule") and not (data.get("reason") or "").strip() and "reason" not in self.errors:
            self.add_error("reason", _("Cite a rule or write a reason."))
        if data.get("kind") in (SILENCE, SUSPEND) and not data.get("days") and "days" not in self.errors:
            self.add_error("days", _("Say for how many days."))
        return data

    def ruling(self) -> Ruling:
        data = self.cleaned_data
        rule, _sep, number = data["rule"].partition(":")
        return Ruling(
            kind=data["kind"],
            rule=rule,
            rule_number=int(number) if number else None,
            reason=data["reason"],
            days=data["days"] if data["kind"] in (SILENCE, SUSPEND) else None,
        )


class AppealForm(forms.Form):
    statement = TextField(
        label=_("Why the decision should be changed"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Appeal.OUTCOME_CHOICES, widget=forms.RadioSelect)
    answer = TextField(label=_("Answer to the member"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))


class WatchedWordForm(forms.Form):
    word = forms.CharField(label=_("Word or phrase"), max_length=100)
    action = forms.ChoiceField(label=_("What happens"), choices=WORD_ACTIONS, widget=forms.RadioSelect)

    def clean_word(self) -> str:
        word = self.cleaned_data["word"].strip()
        if len(matching.folded_word(word)) < 2:
            raise forms.ValidationError(_("A watched word needs at least 2 letters or digits."), code="too_short")
        return word


class RemoveWordForm(forms.Form):
    word = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)
