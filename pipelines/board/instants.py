"""Instants as integer microseconds since the epoch: what the board's cursors and fingerprints are written in."""

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode_instant(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def decode_instant(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)
