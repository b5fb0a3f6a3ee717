"""Password rules (P7.1, P7.9): each failing rule gives its own message."""

import re
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 10


class MinimumLengthValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < MIN_LENGTH:
            raise ValidationError(
                _("Use at least %(min)d characters.") % {"min": MIN_LENGTH}, code="password_too_short"
            )

    def get_help_text(self) -> str:
        return _("At least %(min)d characters.") % {"min": MIN_LENGTH}


class LettersAndDigitsValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not (re.search(r"[^\W\d_]", password) and re.search(r"\d", password)):
            raise ValidationError(_("Mix letters and numbers."), code="password_letters_and_digits")

    def get_help_text(self) -> str:
        return _("Both letters and numbers.")


def _personal_items(user: Any) -> list[str]:
    """The member's own items a password may not contain, lower-cased, 3 characters or more."""
    email = getattr(user, "email", "") or ""
    phone = re.sub(r"\D", "", getattr(user, "phone", "") or "")
    items = [getattr(user, "username", "") or "", getattr(user, "name", "") or "", email.split("@")[0], phone]
    if phone.startswith("82"):
        items.append("0" + phone[2:])
    if len(phone) >= 8:
        items.append(phone[-8:])
    # A name with spaces is checked whole and part by part.
    items.extend((getattr(user, "name", "") or "").split())
    return [item.casefold() for item in items if len(item) >= 3]


class NoPersonalItemsValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        folded = password.casefold()
        digits = re.sub(r"\D", "", password)
        for item in _personal_items(user):
            if item in folded or (item.isdigit() and item in digits):
                raise ValidationError(
                    _("Do not use your ID, name, email or phone number in your password."),
                    code="password_personal_item",
                )

    def get_help_text(self) -> str:
        return _("Not your ID, name, email or phone number.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def validate(self, password: str, user: Any = None) -> None:
        if password.lower().strip() in self.passwords:
            raise ValidationError(_("This password is too common."), code="password_too_common")

    def get_help_text(self) -> str:
        return _("Not a commonly used password.")


def password_errors(password: str, user: Any) -> list[ValidationError]:
    """Every rule the password breaks, so the form can list them all at once."""
    errors = []
    for validator in password_validation.get_default_password_validators():
        try:
            validator.validate(password, user)
        except ValidationError as error:
            errors.append(error)
    return errors
