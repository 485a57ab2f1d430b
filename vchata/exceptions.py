"""Domain errors and the one API error envelope.

Every error the API returns has the shape
``{"success": false, "statusCode": 400, "message": ..., "error": "Bad Request"}``.
Services raise the domain errors below and know nothing about HTTP. A database
that is unreachable, full or busy is a 503 with ``Retry-After``
(``vchata.dbfaults``), wherever it is noticed.
"""

import logging
import re
from http import HTTPStatus

from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from vchata.dbfaults import retry_after

logger = logging.getLogger("vchata.api")


class DomainError(Exception):
    """A rule of the domain was broken; the message is shown to the client as is."""

    status_code = 400

    def __init__(self, message: str | list[str]):
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    status_code = 400


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


def envelope(status_code: int, message: str | list[str]) -> dict:
    return {
        "success": False,
        "statusCode": status_code,
        "message": message,
        "error": HTTPStatus(status_code).phrase,
    }


def error_response(status_code: int, message: str | list[str]) -> JsonResponse:
    """The envelope for code outside DRF (middleware, Django's own 404/500)."""
    return JsonResponse(envelope(status_code, message), status=status_code)


UNAVAILABLE_MESSAGE = "The service is temporarily unavailable (the database is busy or unreachable); try again shortly"


def unavailable_response(seconds: int) -> JsonResponse:
    """The 503 envelope for a database that is unavailable, telling the client when to retry."""
    response = error_response(503, UNAVAILABLE_MESSAGE)
    response["Retry-After"] = str(seconds)
    return response


# DRF's stock messages, rewritten into sentences that name the field.
_REWRITES = [
    (re.compile(r"^This field is required\.$"), "{field} is required"),
    (re.compile(r"^This field is not allowed\.$"), "{field} is not an allowed field"),
    (re.compile(r"^This field may not be null\.$"), "{field} may not be null"),
    (re.compile(r"^This field may not be blank\.$"), "{field} may not be empty"),
    (re.compile(r"^This list may not be empty\.$"), "{field} may not be empty"),
    (re.compile(r"^Ensure this field has no more than (\d+) elements\.$"), "{field} must have at most {0} items"),
    (
        re.compile(r"^Ensure this value is greater than or equal to (.+)\.$"),
        "{field} must be greater than or equal to {0}",
    ),
    (re.compile(r"^Ensure this value is less than or equal to (.+)\.$"), "{field} must be less than or equal to {0}"),
    (
        re.compile(r"^Ensure this field has no more than (\d+) characters\.$"),
        "{field} must be at most {0} characters long",
    ),
    (
        re.compile(r"^Ensure this field has at least (\d+) characters\.$"),
        "{field} must be at least {0} characters long",
    ),
    (
        re.compile(r"^Ensure that there are no more than (\d+) digits in total\.$"),
        "{field} must have at most {0} digits",
    ),
    (
        re.compile(r"^Ensure that there are no more than (\d+) decimal places\.$"),
        "{field} must have at most {0} decimal places",
    ),
    (re.compile(r"^A valid number is required\.$"), "{field} must be a number"),
    (re.compile(r"^A valid integer is required\.$"), "{field} must be an integer"),
    (re.compile(r"^Must be a valid boolean\.$"), "{field} must be a boolean"),
    (re.compile(r"^Not a valid string\.$"), "{field} must be a string"),
    (re.compile(r"^Enter a valid email address\.$"), "{field} must be a valid email address"),
    (re.compile(r"^Enter a valid URL\.$"), "{field} must be a valid URL"),
    (re.compile(r'^"(.*)" is not a valid choice\.$', re.S), '{field} must be one of the allowed values, not "{0}"'),
    (re.compile(r"^Datetime has wrong format\..*$", re.S), "{field} must be an ISO 8601 date-time"),
    (re.compile(r"^Date has wrong format\..*$", re.S), "{field} must be an ISO 8601 date (YYYY-MM-DD)"),
    (re.compile(r"^Expected a list of items but got type .*$", re.S), "{field} must be a list"),
    (re.compile(r"^Expected a dictionary of items but got type .*$", re.S), "{field} must be an object"),
    (re.compile(r"^Invalid data\. Expected a dictionary, but got .*$", re.S), "{field} must be an object"),
    (re.compile(r"^Value must be valid JSON\.$"), "{field} must be valid JSON"),
    (re.compile(r"^Null characters are not allowed\.$"), "{field} may not contain null characters"),
    (re.compile(r"^Surrogate characters are not allowed.*$", re.S), "{field} may not contain surrogate characters"),
]


def _sentence(field: str, message: str) -> str:
    message = str(message)
    if not field:
        return message
    for pattern, template in _REWRITES:
        match = pattern.match(message)
        if match:
            return template.format(*match.groups(), field=field)
    if message.startswith(field):
        return message
    return f"{field}: {message}"


def flatten_messages(detail, field: str = "") -> list[str]:
    """Turn DRF's nested error detail into one sentence per problem."""
    if isinstance(detail, dict):
        sentences = []
        for key, value in detail.items():
            if key in ("non_field_errors", "detail"):
                sentences += flatten_messages(value, field)
            elif isinstance(key, int):  # a list's per-item errors, keyed by index (stages[1].name)
                sentences += flatten_messages(value, f"{field}[{key}]")
            else:
                sentences += flatten_messages(value, f"{field}.{key}" if field else str(key))
        return sentences
    if isinstance(detail, list):
        sentences = []
        for index, item in enumerate(detail):
            # Lists of dicts are per-item errors (e.g. stages[1].name).
            if isinstance(item, dict):
                sentences += flatten_messages(item, f"{field}[{index}]" if field else f"[{index}]")
            else:
                sentences += flatten_messages(item, field)
        return sentences
    return [_sentence(field, detail)]


def _message_for(exc: exceptions.APIException, data) -> str | list[str]:
    if isinstance(exc, exceptions.ValidationError):
        return flatten_messages(data) or ["Invalid input"]
    # simplejwt puts extra keys ("code", "messages") beside "detail".
    if isinstance(data, dict) and "detail" in data:
        return str(data["detail"])
    sentences = flatten_messages(data)
    return sentences[0] if len(sentences) == 1 else sentences


def envelope_exception_handler(exc, context):
    seconds = retry_after(exc)
    if seconds is not None:
        logger.warning("Database unavailable (%s: %s); answered 503", type(exc).__name__, exc)
        set_rollback()
        return Response(envelope(503, UNAVAILABLE_MESSAGE), status=503, headers={"Retry-After": str(seconds)})
    if isinstance(exc, DomainError):
        api_exc = exceptions.APIException(exc.message)
        api_exc.status_code = exc.status_code
        exc = api_exc
    if isinstance(exc, exceptions.ValidationError) and not isinstance(exc.detail, (dict, list)):
        exc.detail = [exc.detail]

    response = exception_handler(exc, context)
    if response is None:
        # An unexpected exception: a bug. Log it with its traceback, answer a
        # 500 envelope that leaks nothing, and roll back the request's writes.
        logger.exception("Unhandled API error", exc_info=exc)
        set_rollback()
        return Response(envelope(500, "Internal server error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR)

    response.data = envelope(response.status_code, _message_for(exc, response.data))
    return response
