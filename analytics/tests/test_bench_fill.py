"""The benchmark filler's bulk ids have the exact format of ``vchata.ids.new_id``."""

import re

from bench.fill import bulk_ids
from vchata.ids import _encode, id_pattern, new_id


def test_bulk_ids_match_the_id_format_and_carry_their_timestamp():
    millis = [0, 1, 1_700_000_000_123, 2**48 - 1]
    ids = bulk_ids("lead", millis)
    assert all(re.fullmatch(id_pattern("lead"), value) for value in ids)
    assert [value[5:15] for value in ids] == [_encode(ms, 10) for ms in millis]


def test_bulk_ids_sort_like_new_ids_by_time():
    ids = bulk_ids("lead", list(range(1_700_000_000_000, 1_700_000_000_500)))
    assert ids == sorted(ids)
    assert len(set(ids)) == 500
    assert len(ids[0]) == len(new_id("lead"))
