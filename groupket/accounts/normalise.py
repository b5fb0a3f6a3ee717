"""How usernames and emails are normalised for storage and for exact lookups."""

import unicodedata


def normalise_username_key(username: str) -> str:
    # Usernames are unique case-insensitively.
    return unicodedata.normalize("NFKC", username).strip().casefold()


def normalise_email(email: str) -> str:
    """The address as stored: trimmed, domain lower-cased."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


def normalise_email_key(email: str) -> str:
    # One account per mailbox, whatever case the address is typed in.
    return unicodedata.normalize("NFKC", normalise_email(email)).casefold()
