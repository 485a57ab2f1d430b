"""The API's JSON parser: DRF's, refusing what could not be stored or sent back.

Valid JSON can still hold things that break a request later, after a row was
written: a lone UTF-16 surrogate (``"\\ud800"``) cannot be encoded in the
UTF-8 response, so a lead whose activity stored one could never be shown
again; NUL characters and numbers like ``1e999`` (infinity) are refused by
PostgreSQL's ``jsonb`` and SQLite's JSON check; nesting thousands deep
overflows Python's recursion limit. Each of these is a 400 here, before any
view runs.
"""

import codecs
import json
import math

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils.json import strict_constant

# Deeper than any body of this API needs, far below Python's recursion limit.
MAX_DEPTH = 32


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"number {text[:40]} is out of range")
    return number


def _unstorable(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired UTF-16 surrogate"
    return None


def check_storable(data) -> None:
    """Walk the parsed body (without recursion) and refuse the first value that cannot round-trip."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, str):
            problem = _unstorable(value)
            if problem:
                raise ParseError(f"JSON parse error - a string {problem}")
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = _unstorable(key)
                if problem:
                    raise ParseError(f"JSON parse error - a key {problem}")
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})  # DRF's: text codecs only, no bz2 bombs
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=strict_constant, parse_float=_finite)
        except RecursionError as exc:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        check_storable(data)
        return data
