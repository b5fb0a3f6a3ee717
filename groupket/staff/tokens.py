"""The signed link that lets a requester confirm their address; beside the models, so that the mail task
that sends it (staff.emails) imports no service (the rule at the top of tests/test_architecture.py)."""

from django.core import signing

from groupket.staff.models import PrivacyRequest

VERIFY_SALT = "groupket.staff.request-verify"


def make_verification_token(filed: PrivacyRequest) -> str:
    # The request number only: the link carries nothing about the requester.
    return signing.dumps({"r": filed.pk}, salt=VERIFY_SALT)
