from django import forms
from django.utils.translation import gettext_lazy as _

DELETE_WRITING, KEEP_WRITING = "delete", "keep"


class UnregisterForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Type your password to confirm.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my data will be destroyed and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm that you want to unregister.")},
    )
    writing = forms.ChoiceField(
        label=_("Your posts and comments in spaces"),
        choices=[
            (DELETE_WRITING, _("Destroy them all with the rest of my data")),
            (
                KEEP_WRITING,
                _(
                    'Leave them for the other members, under "Withdrawn member": my ID is taken off them and '
                    "nothing links them to me, so they can no longer be changed or deleted for me"
                ),
            ),
        ],
        initial=DELETE_WRITING,
        # Not chosen (an older page, a script): the default, destroying them.
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose what happens to your posts and comments.")},
    )

    def keep_writing(self) -> bool:
        return self.cleaned_data.get("writing") == KEEP_WRITING
