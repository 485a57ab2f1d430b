"""Who made a change: a person, a rule, an API key, an import, or the system.

Services take the acting *user* (``actor: User | None``), which is what activities and events
name. Some requests act through something other than a person, though: an API key acts as its
creator, but the key is who did it; an import runs as the user who uploaded the file, but as an
import. Those requests say so once, around the work, with ``acting_as`` (a context variable, so
it holds for exactly that request or task and every service call inside it, and never leaks to
another thread or request); the change records ask ``current_actor()``. Rules need no context:
their ``cause`` names them.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from django.db import models


class ActorKind(models.TextChoices):
    USER = "USER", "User"
    RULE = "RULE", "Automation rule"
    API_KEY = "API_KEY", "API key"
    IMPORT = "IMPORT", "Import"
    SYSTEM = "SYSTEM", "System"


@dataclass(frozen=True)
class Actor:
    kind: str
    # The user's, rule's or key's id (an import's: the importing user's); None for the system.
    id: str | None = None
    name: str = ""
    # The person behind it, when there is one: the user, or the user running an import.
    user_id: str | None = None

    @classmethod
    def for_user(cls, user) -> "Actor":
        return cls(ActorKind.USER, user.pk, user.name or user.email, user_id=user.pk)

    @classmethod
    def for_import(cls, user) -> "Actor":
        if user is None:
            return cls(ActorKind.IMPORT, None, "Import")
        return cls(ActorKind.IMPORT, user.pk, f"Import by {user.name or user.email}", user_id=user.pk)


SYSTEM = Actor(ActorKind.SYSTEM, None, "System")

_acting: ContextVar[Actor | None] = ContextVar("vchata_acting_as", default=None)


def current_actor() -> Actor | None:
    """The actor the current request or task declared with ``acting_as``, if any."""
    return _acting.get()


def start_acting(actor: Actor) -> Token:
    """Declare ``actor`` until ``stop_acting(token)``; for code with separate start and end hooks (DRF views)."""
    return _acting.set(actor)


def stop_acting(token: Token) -> None:
    _acting.reset(token)


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = start_acting(actor)
    try:
        yield actor
    finally:
        stop_acting(token)
