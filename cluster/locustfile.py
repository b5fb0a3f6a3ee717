"""The load of `make cluster-test`: members signing up, signing in and reading /me/, through nginx.

Run by cluster/load.py as `locust --headless`. Each task is one method with its weight; a feature that lands
(feed reads, posts, comments, orders) adds its task as one more method. Every signup's outcome and every failed
request is written as a JSON line to CLUSTER_OUT, for the harness to check against the database.
"""

import itertools
import json
import os
import re
import secrets
import threading
import time
from pathlib import Path

from locust import HttpUser, between, events, task

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSWORD = "Quiet-Orbit-2026"
OUT = Path(os.environ["CLUSTER_OUT"])
_write_lock = threading.Lock()
_addresses = itertools.count(1)


def record(kind: str, **fields: object) -> None:
    with _write_lock, OUT.open("a") as out:
        out.write(json.dumps({"kind": kind, "t": time.time(), **fields}) + "\n")


@events.request.add_listener
def _failed_request(request_type, name, response, exception, **kwargs) -> None:
    if exception is not None:
        status = getattr(response, "status_code", None) or 0
        record("failure", method=request_type, name=name, status=status, error=type(exception).__name__)


class Member(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.client.verify = os.environ["CLUSTER_CA"]
        # Each simulated visitor has an address of its own; nginx appends the harness's (a trusted proxy).
        number = next(_addresses)
        self.client.headers["X-Forwarded-For"] = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        self.username = ""
        self.signed_in = False
        self.sign_up()

    def form_post(self, path: str, data: dict[str, str], name: str):
        page = self.client.get(path, name=f"{name} (form)")
        match = CSRF.search(page.text)
        payload = {"csrfmiddlewaretoken": match.group(1) if match else "", **data}
        return self.client.post(
            path,
            data=payload,
            headers={"Referer": self.host + path},
            allow_redirects=False,
            name=name,
            catch_response=True,
        )

    @task(1)
    def sign_up(self) -> None:
        """A new visitor signs up (the session cookie goes first), then this user goes on as that member."""
        self.client.cookies.clear()
        self.signed_in = False
        username = f"load-{secrets.token_hex(5)}"
        form = {
            "username": username,
            "name": "Minho Lee",
            "email": f"{username}@cluster.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "agree_terms": "agree",
            "agree_privacy": "agree",
        }
        with self.form_post("/accounts/signup/", form, "signup") as response:
            if response.status_code == 302 and response.headers["Location"].endswith("/accounts/signup/done/"):
                record("signup", username=username, outcome="ok")
                self.username = username
                self.sign_in()
            else:
                # A 5xx, a dropped connection or a form shown again: the row may or may not exist.
                record("signup", username=username, outcome="failed", status=response.status_code)
                response.failure(f"signup answered {response.status_code}")

    @task(2)
    def sign_in(self) -> None:
        if not self.username:
            return
        self.client.cookies.clear()
        self.signed_in = False
        form = {"username": self.username, "password": PASSWORD}
        with self.form_post("/accounts/login/", form, "sign-in") as response:
            self.signed_in = response.status_code == 302 and response.headers["Location"].endswith("/me/")
            if not self.signed_in:
                response.failure(f"sign-in answered {response.status_code}")

    @task(6)
    def read_my_information(self) -> None:
        if not self.signed_in:
            return
        with self.client.get("/me/", name="/me/", allow_redirects=False, catch_response=True) as response:
            if response.status_code == 302:
                # Signed in before and never signed out: a session the cluster lost.
                response.failure("session lost")
            elif response.status_code != 200:
                response.failure(f"/me/ answered {response.status_code}")
