"""Prefixed, time-ordered string ids (``lead_01j9…``) for every API-visible model.

The prefixed id *is* the primary key: the API, the admin and foreign keys all
use the same value, so no translation table or extra join is ever needed.
The body after the prefix is a ULID-style 26-character lowercase Crockford
base32 string: 48 bits of milliseconds then 80 random bits, so new rows land
at the right-hand edge of the primary-key index instead of at random pages.
Within one process the ids are monotonic (as ULID's monotonic mode): one made in
the same millisecond as the last takes the last one's random part plus one, so
rows made together (a move's activities, written in one statement) sort in the
order they were made.
"""

import os
import threading
import time

from django.db import models

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lowercase
BODY_LENGTH = 26
BODY_PATTERN = f"[{_ALPHABET}]{{{BODY_LENGTH}}}"


def _encode(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, remainder = divmod(number, 32)
        chars.append(_ALPHABET[remainder])
    return "".join(reversed(chars))


RANDOM_BITS = 80
_last = [0, 0]  # the millisecond and random part of the last id made here
_lock = threading.Lock()


def new_id(prefix: str) -> str:
    millis = time.time_ns() // 1_000_000
    with _lock:
        last_millis, last_random = _last
        if millis > last_millis:
            randomness = _random()
        elif last_random + 1 < 1 << RANDOM_BITS:  # the same millisecond (or the clock stepped back)
            millis, randomness = last_millis, last_random + 1
        else:  # that millisecond's ids are used up: the next one
            millis, randomness = last_millis + 1, _random()
        _last[:] = [millis, randomness]
    return f"{prefix}_{_encode(millis, 10)}{_encode(randomness, 16)}"


def _random() -> int:
    return int.from_bytes(os.urandom(RANDOM_BITS // 8), "big")


def id_pattern(prefix: str) -> str:
    return f"{prefix}_{BODY_PATTERN}"


class PrefixedIdField(models.CharField):
    """A primary key filled with ``new_id(prefix)`` when the row is first saved."""

    def __init__(self, *args, prefix: str, **kwargs):
        self.prefix = prefix
        kwargs.setdefault("max_length", len(prefix) + 1 + BODY_LENGTH)
        kwargs.setdefault("primary_key", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["prefix"] = self.prefix
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if not value:
            value = new_id(self.prefix)
            setattr(model_instance, self.attname, value)
        return value
