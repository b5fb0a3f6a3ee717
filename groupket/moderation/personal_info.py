"""What looks like someone's personal information in a post or comment, found locally (P10.1).

Nothing is sent to another service: these are patterns and checksums run in memory at post time.
A resident registration number is always refused; the other kinds warn the author, who may post
anyway, and the writing is then held for review. Digits are read after NFKC, so full-width digits
count, and separators may be hyphens, dots or spaces.
"""

import re
import unicodedata
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RESIDENT_NUMBER, PHONE, CARD, BANK_ACCOUNT, EMAIL = "resident_number", "phone", "card", "bank_account", "email"

KIND_LABELS: dict[str, Promise] = {
    RESIDENT_NUMBER: _("a resident registration number"),
    PHONE: _("a phone number"),
    CARD: _("a card number"),
    BANK_ACCOUNT: _("a bank account number"),
    EMAIL: _("an email address"),
}

_SEP = r"[-.\s]?"
_RESIDENT = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})\s?[-–]?\s?([1-8])\d{6}(?!\d)")
_PHONE = re.compile(rf"(?<![\d+])(?:\+82{_SEP}0?|0)(?:1[016789]|2|[3-6][1-5]|70){_SEP}\d{{3,4}}{_SEP}\d{{4}}(?!\d)")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Korean bank accounts: 10 to 14 digits in 2 to 4 hyphenated groups (110-123-456789, 1002-123-456789).
_ACCOUNT_GROUPED = re.compile(r"(?<![\d-])\d{2,6}(?:-\d{2,7}){1,3}(?![\d-])")
_ACCOUNT_WORDS = re.compile(r"(계좌|통장|은행|입금|account|bank)", re.IGNORECASE)
_ACCOUNT_PLAIN = re.compile(r"(?<!\d)\d{10,14}(?!\d)")


def _plausible_birth_date(year: str, month: str, day: str) -> bool:
    try:
        date(2000 + int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _blank(text: str, match: re.Match[str]) -> str:
    """The text with a found number blanked, so one number is not found again as another kind."""
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def _resident_numbers(text: str) -> tuple[bool, str]:
    found = False
    for match in _RESIDENT.finditer(text):
        if _plausible_birth_date(*match.group(1, 2, 3)):
            found, text = True, _blank(text, match)
    return found, text


def _cards(text: str) -> tuple[bool, str]:
    found = False
    for match in _CARD.finditer(text):
        digits = _digits(match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found, text = True, _blank(text, match)
    return found, text


def _phones(text: str) -> tuple[bool, str]:
    found = False
    for match in _PHONE.finditer(text):
        found, text = True, _blank(text, match)
    return found, text


def _bank_accounts(text: str) -> bool:
    for match in _ACCOUNT_GROUPED.finditer(text):
        if 10 <= len(_digits(match.group())) <= 14:
            return True
    # Plain digits only with a word saying what they are, or every long number would be one.
    for match in _ACCOUNT_PLAIN.finditer(text):
        if _ACCOUNT_WORDS.search(text[max(0, match.start() - 20) : match.start()]):
            return True
    return False


def find_kinds(text: str) -> list[str]:
    """The kinds of personal information the text seems to hold, most serious first."""
    text = unicodedata.normalize("NFKC", text)
    kinds = []
    for kind, finder in ((RESIDENT_NUMBER, _resident_numbers), (CARD, _cards), (PHONE, _phones)):
        found, text = finder(text)
        if found:
            kinds.append(kind)
    if _bank_accounts(text):
        kinds.append(BANK_ACCOUNT)
    if _EMAIL.search(text):
        kinds.append(EMAIL)
    return kinds
