"""The signed one-click link of a notification mail: which member, which switch to turn off.

Beside the models, not in services: the mail (delivery) builds these links, and delivery imports no service.
"""

from django.core import signing

from groupket.spaces.notifications import kinds

OFF_SALT = "groupket.spaces.notifications.off"


def make_off_token(member_id: int, switch: str) -> str:
    return signing.dumps({"m": member_id, "s": switch}, salt=OFF_SALT, compress=True)


def read_off_token(token: str) -> tuple[int, str]:
    """The member id and switch of a signed one-click link; raises signing.BadSignature (or ValueError)."""
    payload = signing.loads(token, salt=OFF_SALT)
    switch = payload["s"]
    if switch != kinds.ALL_SWITCHES and switch not in kinds.EMAIL_SWITCHES:
        raise ValueError("a one-click link for no switch")
    return int(payload["m"]), switch
