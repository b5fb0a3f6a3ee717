"""Every moderation action taken from a desk names its actor; None is refused before anything runs (Habit 15)."""

from pathlib import Path

import pytest

import groupket
from groupket.core.actors import ActorRequired
from tests.staff import test_actors

VIEWS = sorted((Path(groupket.__file__).parent / "moderation" / "views").glob("*.py"))


@pytest.mark.django_db
def test_no_moderation_service_a_desk_calls_accepts_a_missing_actor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(test_actors, "CALLERS", VIEWS)
    services = test_actors.services_called_by_staff_and_operators()
    expected = {"decide_case", "decide_appeal", "add_watched_word", "remove_watched_word", "file_appeal",
                "report_written"}  # fmt: skip
    assert expected <= {path.rsplit(".", 1)[1] for path in services}
    for path, service in services.items():
        if path in test_actors.NO_ACTOR:
            continue  # e.g. client_ip, which reads the visitor's address for the access log
        assert hasattr(service, "actor_parameter"), path
        with pytest.raises(ActorRequired):
            test_actors.call_without_actor(service, None)
