"""A visitor's browser for the cross-node checks: httpx over HTTPS with the harness's certificate, cookies kept,
CSRF tokens read from each form and the Referer a browser sends."""

import re
import secrets
from dataclasses import dataclass

import httpx

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = "Quiet-Orbit-2026"


@dataclass
class NewMember:
    username: str
    email: str
    password: str = PASSWORD

    @classmethod
    def make(cls, prefix: str) -> "NewMember":
        tag = secrets.token_hex(4)
        return cls(username=f"{prefix}-{tag}", email=f"{prefix}-{tag}@cluster.example")


class Browser:
    def __init__(self, *, certificate: str, address: str = "") -> None:
        # A visitor address of its own in X-Forwarded-For: nginx appends the harness's, which is a trusted proxy.
        headers = {"X-Forwarded-For": address} if address else {}
        self.client = httpx.Client(verify=certificate, follow_redirects=False, timeout=60, headers=headers)

    def get(self, base: str, path: str) -> httpx.Response:
        return self.client.get(base + path)

    def post(self, base: str, path: str, data: dict[str, str]) -> httpx.Response:
        """Fetch the form, then post it with its CSRF token, as a browser on this node's address does."""
        page = self.client.get(base + path)
        match = CSRF.search(page.text)
        token = match.group(1) if match else ""
        return self.client.post(
            base + path, data={"csrfmiddlewaretoken": token, **data}, headers={"Referer": base + path}
        )

    def sign_up(self, base: str, member: NewMember) -> httpx.Response:
        return self.post(base, "/accounts/signup/", signup_form(member))

    def sign_in(self, base: str, member: NewMember, password: str | None = None) -> httpx.Response:
        return self.post(
            base, "/accounts/login/", {"username": member.username, "password": password or member.password}
        )

    def signed_in(self, base: str) -> bool:
        return self.client.get(base + "/me/").status_code == 200

    def close(self) -> None:
        self.client.close()


def signup_form(member: NewMember) -> dict[str, str]:
    return {
        "username": member.username,
        "name": "Hana Kim",
        "email": member.email,
        "password1": member.password,
        "password2": member.password,
        "agree_terms": "agree",
        "agree_privacy": "agree",
    }
