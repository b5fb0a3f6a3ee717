"""Reads and one write the harness makes inside Django, with the cluster's settings: `python -m cluster.probe CMD`.

Each command prints one JSON document. Arguments come on stdin as JSON, so no test member's item sits in a
command line.
"""

import json
import sys

import django


def create_notice(arguments: dict) -> dict:
    from groupket.core.actors import SystemActor
    from groupket.privacy.models import MassNotice
    from groupket.privacy.services.notices import create_mass_notice

    notice = create_mass_notice(
        actor=SystemActor.job("cluster-test"),
        kind=MassNotice.POLICY_CHANGE,
        subject_en=arguments["subject"],
        subject_ko=arguments["subject"],
        body_en="A notice sent by the cluster test.",
        body_ko="클러스터 시험이 보낸 알림이에요.",
    )
    return {"notice_id": notice.pk}


def notice_state(arguments: dict) -> dict:
    from django.contrib.auth import get_user_model

    from groupket.privacy.models import MassNotice, NoticeDelivery

    notice = MassNotice.objects.get(pk=arguments["notice_id"])
    deliveries = NoticeDelivery.objects.filter(notice=notice)
    active = get_user_model().objects.filter(is_active=True).only("pk", "data_key", "email")
    return {
        "status": notice.status,
        "sent": notice.sent,
        "total": notice.total,
        "deliveries": deliveries.count(),
        "unconfirmed": deliveries.filter(sent_at__isnull=True).count(),
        "audience": sorted(member.email.lower() for member in active),
    }


def members(arguments: dict) -> dict:
    """How many rows each username finds through the blind index, and the table totals."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    from groupket.accounts.models import LoginRecord

    member = get_user_model()
    found = {name: member.objects.with_username(name).count() for name in arguments.get("usernames", [])}
    return {
        "found": found,
        "members": member.objects.count(),
        "active_members": member.objects.filter(is_active=True).count(),
        "sessions": Session.objects.count(),
        "login_records": LoginRecord.objects.count(),
    }


COMMANDS = {"create_notice": create_notice, "notice_state": notice_state, "members": members}

if __name__ == "__main__":
    django.setup()
    print(json.dumps(COMMANDS[sys.argv[1]](json.loads(sys.stdin.read() or "{}"))))
