"""Validation of a lead's ``customFields`` against the org's definitions."""

from collections.abc import Mapping
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


def _problem(definition: CustomField, value: Any) -> str | None:
    key = f"customFields.{definition.key}"
    match definition.type:
        case CustomField.Type.TEXT:
            if not isinstance(value, str):
                return f"{key} must be a string"
            if len(value) > MAX_TEXT_LENGTH:
                return f"{key} must be at most {MAX_TEXT_LENGTH} characters long"
        case CustomField.Type.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return f"{key} must be a number"
        case CustomField.Type.BOOLEAN:
            if not isinstance(value, bool):
                return f"{key} must be a boolean"
        case CustomField.Type.DATE:
            if not _is_iso_date(value):
                return f"{key} must be a date (YYYY-MM-DD)"
        case CustomField.Type.SELECT:
            if value not in (definition.options or []):
                return f"{key} must be one of: {', '.join(map(str, definition.options or []))}"
    return None


def validate_custom_fields(org, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a complete ``customFields`` object; raise InvalidInput listing every problem.

    ``None`` is treated as "not set": it is dropped, and a required field left
    unset is a problem.
    """
    if not isinstance(values, Mapping):
        raise InvalidInput(["customFields must be an object"])
    definitions = {d.key: d for d in CustomField.objects.for_org(org)}
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
