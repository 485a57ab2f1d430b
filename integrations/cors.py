"""CORS for the public form endpoint, per form: only the origins its organization listed.

A request without ``Origin`` (a server posting, or curl) is not a browser's
cross-site request and needs no CORS answer. A browser request from an origin
the form does not list gets no CORS headers and a 403, so the page can't read
anything and nothing is stored.
"""

PREFLIGHT_MAX_AGE = "600"


def origin_allowed(origin: str | None, allowed: list[str]) -> bool:
    return origin is None or origin.rstrip("/").lower() in allowed


def add_cors_headers(response, origin: str | None, *, preflight: bool = False):
    if origin is None:
        return response
    response["Access-Control-Allow-Origin"] = origin
    response["Vary"] = "Origin"
    if preflight:
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response
