"""The checks across nodes and the worker kill, through real HTTPS requests (README, "make cluster-test")."""

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from cluster.browser import Browser, NewMember
from cluster.processes import ClusterFailure

WRONG = "The ID or the password is not correct."
LOCKED = "Too many failed sign-in attempts."


@dataclass
class Outcome:
    """What a check saw, for the summary table."""

    name: str
    detail: str
    rows_checked: int = 0


@dataclass
class Members:
    """Every member the harness made, so the notice's audience and the rows can be checked."""

    active: list[NewMember] = field(default_factory=list)
    withdrawn: list[NewMember] = field(default_factory=list)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise ClusterFailure(message)


def sign_up(cluster, base: str, member: NewMember, members: Members) -> None:
    browser = Browser(certificate=cluster.certificate)
    try:
        response = browser.sign_up(base, member)
        expect(
            response.status_code == 302 and response.headers["location"].endswith("/accounts/signup/done/"),
            f"signup on {base} answered {response.status_code}",
        )
    finally:
        browser.close()
    members.active.append(member)


def lockout_holds_on_the_other_node(cluster, members: Members) -> Outcome:
    member = NewMember.make("lock")
    sign_up(cluster, cluster.node_a, member, members)
    browser = Browser(certificate=cluster.certificate, address="203.0.113.10")
    answers = [browser.sign_in(cluster.node_a, member, "wrong-Pass-1") for _ in range(5)]
    # The fifth failure locks the ID at once, so its own answer may already say so.
    expect(all(WRONG in answer.text for answer in answers[:4]), "a wrong password on A was not refused as wrong")
    on_b = browser.sign_in(cluster.node_b, member)
    expect(LOCKED in on_b.text, f"the right password on B after 5 failures on A was not refused ({on_b.status_code})")
    expect(not browser.signed_in(cluster.node_b), "a locked member is signed in on B")
    browser.close()
    return Outcome("lockout on A holds on B", "5 failures on A; the right password on B refused")


def ended_session_is_gone_on_the_other_node(cluster, members: Members) -> Outcome:
    member = NewMember.make("session")
    sign_up(cluster, cluster.node_b, member, members)
    browser = Browser(certificate=cluster.certificate, address="203.0.113.11")
    expect(browser.sign_in(cluster.node_a, member).status_code == 302, "sign-in on A")
    expect(browser.signed_in(cluster.node_b), "the session made on A is not known on B")
    # Cookies do not depend on the port: the same session cookie goes to A and to B.
    kept = dict(browser.client.cookies.items())
    expect(browser.post(cluster.node_a, "/accounts/logout/", {}).status_code == 302, "sign-out on A")
    replay = Browser(certificate=cluster.certificate)
    replay.client.cookies.update(kept)
    response = replay.get(cluster.node_b, "/me/")
    expect(response.status_code == 302, f"the session ended on A still opens /me/ on B ({response.status_code})")
    replay.close()
    browser.close()
    return Outcome("session ended on A is gone on B", "the old session cookie on B is sent to sign in")


def unregistered_member_is_gone_on_the_other_node(cluster, members: Members) -> Outcome:
    member = NewMember.make("leaver")
    sign_up(cluster, cluster.node_a, member, members)
    browser = Browser(certificate=cluster.certificate, address="203.0.113.12")
    expect(browser.sign_in(cluster.node_a, member).status_code == 302, "sign-in on A")
    response = browser.post(cluster.node_a, "/me/unregister/", {"password": member.password, "confirm": "on"})
    expect(response.status_code == 302 and "/me/unregister/done/" in response.headers["location"], "Unregister on A")
    members.active.remove(member)
    members.withdrawn.append(member)
    other = Browser(certificate=cluster.certificate, address="203.0.113.13")
    expect(WRONG in other.sign_in(cluster.node_b, member).text, "the withdrawn member could sign in on B")
    found = cluster.probe("members", {"usernames": [member.username]})["found"][member.username]
    expect(found == 0, f"the withdrawn member's ID still finds {found} row(s)")
    # Nobody holds the ID any more, so B lets a new member take it.
    again = NewMember(username=member.username, email=f"again-{secrets.token_hex(3)}@cluster.example")
    sign_up(cluster, cluster.node_b, again, members)
    other.close()
    browser.close()
    return Outcome("Unregister on A: gone on B", "no sign-in on B, no row by ID, the ID free again", rows_checked=1)


def notice_survives_a_killed_worker(cluster, members: Members, *, extra_members: int) -> Outcome:
    """A mass notice to every member; the worker is killed with SIGKILL halfway and started again."""
    new = [NewMember.make("notice") for _ in range(extra_members)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda member: sign_up(cluster, cluster.balanced, member, members), new))
    subject = f"Cluster notice {secrets.token_hex(4)}"
    notice_id = cluster.probe("create_notice", {"subject": subject})["notice_id"]
    audience = {member.email for member in members.active}
    deadline = time.monotonic() + 120
    while len(cluster.sink.count(subject)) < len(audience) // 2:
        expect(time.monotonic() < deadline, "the worker did not send half of the notice within 120 s")
        time.sleep(0.01)
    cluster.kill_worker()
    at_kill = sum(cluster.sink.count(subject).values())
    cluster.start_worker()
    deadline = time.monotonic() + 180
    while (state := cluster.probe("notice_state", {"notice_id": notice_id}))["status"] != "done":
        expect(time.monotonic() < deadline, f"the notice did not finish after the restart: {state['status']}")
        time.sleep(1)
    counts = cluster.sink.count(subject)
    expect(set(state["audience"]) == audience, "the members the database holds are not those the harness made")
    twice = sorted(address for address, count in counts.items() if count > 1)
    missing = sorted(audience - set(counts))
    strangers = sorted(set(counts) - audience)
    expect(not twice, f"{len(twice)} member(s) got the notice more than once")
    expect(not missing, f"{len(missing)} member(s) never got the notice ({state['unconfirmed']} unconfirmed rows)")
    expect(not strangers, f"{len(strangers)} address(es) that are no member got the notice")
    return Outcome(
        "mass notice, worker SIGKILLed halfway",
        f"{len(audience)} members, {at_kill} mailed before the kill, each exactly once"
        f" ({cluster.sink.repeated(subject)} in doubt sent again under the same Message-ID)",
        rows_checked=state["deliveries"],
    )


def every_signup_mailed_at_most_once(cluster, *, made_emails: list[str]) -> Outcome:
    """Each signup's verification mail, sent by the worker, reaches its address once: never twice."""
    subject = "Confirm your email address"
    expected = {email.lower() for email in made_emails}
    deadline, previous = time.monotonic() + 90, None
    while (counts := cluster.sink.count(subject)) != previous or not expected <= set(counts):
        if time.monotonic() > deadline:
            break
        previous = counts
        time.sleep(3)
    twice = sorted(address for address, count in counts.items() if count > 1)
    expect(not twice, f"{len(twice)} address(es) got their verification mail more than once")
    missing = expected - set(counts)
    expect(not missing, f"{len(missing)} signup(s) never got their verification mail")
    return Outcome("verification mails", f"{len(expected)} signups, each mailed exactly once", rows_checked=0)
