"""The Personal Information Manager's contact, from configuration (P11.1), named in the language being rendered."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language


@dataclass(frozen=True)
class OfficerContact:
    name_en: str
    name_ko: str
    email: str
    phone: str

    @property
    def name(self) -> str:
        # Read at render time, so a mail rendered once in each language names the officer in each.
        return self.name_ko if get_language() == "ko" else self.name_en


def privacy_officer() -> OfficerContact:
    """The officer as configured; without a Korean name, Korean pages show the configured name as it is."""
    config = settings.GROUPKET_PRIVACY_OFFICER
    return OfficerContact(
        name_en=config["name"],
        name_ko=config.get("name_ko") or config["name"],
        email=config["email"],
        phone=config["phone"],
    )
