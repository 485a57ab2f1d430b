"""URL converters that accept only well-formed prefixed ids.

``/leads/<org>/stats`` can never be mistaken for a lead id, and a malformed id
simply matches no route, which the API answers with a 404 envelope.
"""

from django.urls import register_converter

from vchata.ids import id_pattern

PREFIXES = {
    "org": "org",
    "user": "user",
    "contact": "contact",
    "lead": "lead",
    "pipeline": "pipeline",
    "stage": "stage",
    "activity": "activity",
    "campaign": "campaign",
    "field": "field",
    "social": "social",
    "post": "post",
    "conv": "conv",
    "rule": "rule",
    "webhook": "webhook",
    "delivery": "delivery",
    "form": "form",
    "invitation": "invite",
    "key": "key",
    "task": "task",
    "reason": "reason",
    "view": "view",
}


def _converter(prefix: str) -> type:
    return type(
        f"{prefix.title()}IdConverter",
        (),
        {
            "regex": id_pattern(prefix),
            "to_python": staticmethod(lambda value: value),
            "to_url": staticmethod(lambda value: value),
        },
    )


def register_all() -> None:
    for name, prefix in PREFIXES.items():
        register_converter(_converter(prefix), f"{name}_id")
