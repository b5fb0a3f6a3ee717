from django import forms
from django.utils.translation import gettext_lazy as _

from groupket.accounts.forms.fields import MemberEmailField, NameField, UsernameField
from groupket.accounts.models import Member
from groupket.accounts.passwords import password_errors
from groupket.accounts.services.registration import Signup

AGREE = "agree"
DISAGREE = "disagree"
AGREEMENT_CHOICES = [(AGREE, _("Agree")), (DISAGREE, _("Disagree"))]


class SignupForm(forms.Form):
    """Exactly the four required items, the two agreements and one optional opt-in (P1.1, P2.1, P3.1)."""

    username = UsernameField()
    name = NameField()
    email = MemberEmailField()
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password.")},
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type the password again.")},
    )
    agree_terms = forms.ChoiceField(
        choices=AGREEMENT_CHOICES,
        widget=forms.RadioSelect,
        label=_("Terms of Use"),
        error_messages={"required": _("Choose Agree or Disagree for the Terms of Use.")},
    )
    agree_privacy = forms.ChoiceField(
        choices=AGREEMENT_CHOICES,
        widget=forms.RadioSelect,
        label=_("Privacy Policy"),
        error_messages={"required": _("Choose Agree or Disagree for the Privacy Policy.")},
    )
    marketing_opt_in = forms.BooleanField(
        required=False, label=_("Send me news of new services and events (optional; you can stop at any time)")
    )

    def declined(self) -> bool:
        """Whether the visitor chose Disagree for either document: signup ends, nothing is stored."""
        return DISAGREE in (self.data.get("agree_terms"), self.data.get("agree_privacy"))

    def clean_username(self) -> str:
        # IDs are public handles, so a taken one may say so; a taken email address may not (services.registration).
        username = self.cleaned_data["username"]
        if Member.objects.with_username(username).exists():
            raise forms.ValidationError(_("This ID is taken. Choose another."), code="username_taken")
        return username

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = Member(
                username=cleaned.get("username") or "", name=cleaned.get("name") or "", email=cleaned.get("email") or ""
            )
            for error in password_errors(password1, candidate):
                self.add_error("password1", error)
        return cleaned

    def to_signup(self) -> Signup:
        data = self.cleaned_data
        return Signup(
            username=data["username"],
            name=data["name"],
            email=data["email"],
            password=data["password1"],
            agree_terms=data["agree_terms"] == AGREE,
            agree_privacy=data["agree_privacy"] == AGREE,
            marketing_opt_in=data["marketing_opt_in"],
        )
