"""Who acts: every state change staff or an operator can cause names its actor (Habit 15).

The actor is a staff member (a signed-in member), or a `SystemActor`: the operator running a command
on the server, or a scheduled job, recorded by a label that names them. `None` is never an actor, so
it can never mean "skip the permission check". Services mark their actor keyword with `@acting`,
which refuses a missing one before anything runs.
"""

import getpass
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import ParamSpec, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser

P = ParamSpec("P")
R = TypeVar("R")
LABEL_LIMIT = 100


@dataclass(frozen=True)
class SystemActor:
    """The operator on the server or a scheduled job; `label` is what the row records."""

    label: str

    @classmethod
    def operator(cls, command: str) -> "SystemActor":
        """The operator running `manage.py <command>`, named by their user on the server."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no user name for this uid (a bare container)
            user = "unknown"
        return cls(f"operator {user} (manage.py {command})"[:LABEL_LIMIT])

    @classmethod
    def job(cls, name: str) -> "SystemActor":
        return cls(f"scheduled job {name}"[:LABEL_LIMIT])


Actor = AbstractBaseUser | SystemActor


class ActorRequired(TypeError):
    """A state change was called without its acting staff member or system actor."""


def check_actor(actor: object, *, system: bool, where: str) -> None:
    if isinstance(actor, SystemActor) and system and actor.label.strip():
        return
    if isinstance(actor, AbstractBaseUser) and actor.pk is not None:
        return
    allowed = "a member or a SystemActor" if system else "a member"
    raise ActorRequired(f"{where} needs {allowed} as its actor, not {type(actor).__name__}")


def acting(parameter: str, *, system: bool = False) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark `parameter` as the service's actor: a required keyword, checked before the service runs.

    system=True lets the operator or a scheduled job act (SystemActor); otherwise only a member (staff included).
    """

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        declared = inspect.signature(service).parameters.get(parameter)
        if (
            declared is None
            or declared.kind is not inspect.Parameter.KEYWORD_ONLY
            or declared.default is not declared.empty
        ):
            raise TypeError(f"{service.__qualname__} must take {parameter!r} as a required keyword-only argument")

        @wraps(service)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            check_actor(kwargs.get(parameter), system=system, where=service.__qualname__)
            return service(*args, **kwargs)

        checked.actor_parameter = parameter  # type: ignore[attr-defined]
        checked.actor_allows_system = system  # type: ignore[attr-defined]
        return checked

    return decorate


def actor_ref(actor: Actor) -> int | None:
    """The staff member's id for a `*_by_ref` column; None for a system actor, whose label is recorded instead."""
    return None if isinstance(actor, SystemActor) else actor.pk


def actor_label(actor: Actor) -> str:
    """The label for a `*_by_operator` column; empty for a staff member, whose id is recorded instead."""
    return actor.label if isinstance(actor, SystemActor) else ""
