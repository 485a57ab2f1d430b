"""Validation of a lead's ``customFields`` against the org's definitions."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from vchata.exceptions import InvalidInput

from .models import CustomField

MAX_TEXT_LENGTH = 2000


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _text_problem(definition: CustomField, value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > MAX_TEXT_LENGTH:
        return f"must be at most {MAX_TEXT_LENGTH} characters long"
    return None


def _number_problem(definition: CustomField, value: Any) -> str | None:
    # bool is an int in Python, never a number in JSON.
    return "must be a number" if isinstance(value, bool) or not isinstance(value, int | float) else None


def _boolean_problem(definition: CustomField, value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be a boolean"


def _date_problem(definition: CustomField, value: Any) -> str | None:
    return None if _is_iso_date(value) else "must be a date (YYYY-MM-DD)"


def _select_problem(definition: CustomField, value: Any) -> str | None:
    options = definition.options or []
    return None if value in options else f"must be one of: {', '.join(map(str, options))}"


_CHECKS = {
    CustomField.Type.TEXT: _text_problem,
    CustomField.Type.NUMBER: _number_problem,
    CustomField.Type.BOOLEAN: _boolean_problem,
    CustomField.Type.DATE: _date_problem,
    CustomField.Type.SELECT: _select_problem,
}


def _problem(definition: CustomField, value: Any) -> str | None:
    problem = _CHECKS[definition.type](definition, value)
    return f"customFields.{definition.key} {problem}" if problem else None


# The org's (``%s``) definitions as one JSON value, for a statement that reads them on the way
# (``definitions_from_json`` makes them models again): a lead's creation reads them with its INSERT.
DEFINITIONS_JSON_SQL = (
    "SELECT coalesce(json_agg(json_build_object('key', key, 'type', type, 'options', options, "
    f"'required', required) ORDER BY label), '[]') FROM {CustomField._meta.db_table} WHERE organization_id = %s"
)


def definitions_from_json(rows: list[dict]) -> list[CustomField]:
    return [CustomField(**row) for row in rows]


def check_object(values: Any) -> None:
    if not isinstance(values, Mapping):
        raise InvalidInput(["customFields must be an object"])


def validate_custom_fields(org, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a complete ``customFields`` object; raise InvalidInput listing every problem.

    ``None`` is treated as "not set": it is dropped, and a required field left
    unset is a problem.
    """
    check_object(values)
    return check_against(CustomField.objects.for_org(org), values)


def check_against(definitions: Iterable[CustomField], values: Mapping[str, Any]) -> dict[str, Any]:
    """``validate_custom_fields`` with the org's definitions given (in label order)."""
    definitions = {d.key: d for d in definitions}
    problems = [
        f"customFields.{key} is not a custom field of this organization" for key in values if key not in definitions
    ]
    cleaned = {}
    for key, definition in definitions.items():
        value = values.get(key)
        if value is None:
            if definition.required:
                problems.append(f"customFields.{key} is required")
            continue
        problem = _problem(definition, value)
        if problem:
            problems.append(problem)
        else:
            cleaned[key] = value
    if problems:
        raise InvalidInput(problems)
    return cleaned
