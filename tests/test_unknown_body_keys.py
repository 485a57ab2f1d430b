"""One input kit: every JSON body the API takes refuses a key it doesn't declare, with the same 400.

The routes come from the served schema, so a new route with a body is tried
here without anyone listing it. Only machine payloads that the contract says
are open are exempt.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

from conftest import client_for
from tests.permissions.test_api_matrix import path_params, snapshot
from tests.support.api import problems
from tests.support.teams import build_team

pytestmark = pytest.mark.django_db

UNKNOWN = "notAField"
# Open on purpose (API.md): a site's HTML form posts its own extra inputs
# (submit buttons, consent boxes), and Meta's deliveries are Meta's shape.
OPEN_BODIES = {("post", "/forms/{form_key}"), ("post", "/webhooks/meta")}


def routes_with_a_body() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method, path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"post", "put", "patch"} and "requestBody" in operation
    )


ROUTES = routes_with_a_body()


def test_the_exempt_routes_exist():
    assert set(ROUTES) >= OPEN_BODIES


@pytest.mark.parametrize(("method", "path"), [route for route in ROUTES if route not in OPEN_BODIES])
def test_an_unknown_body_key_is_the_same_400_on_every_route(method, path):
    team = build_team()
    client = client_for(team.users["OWNER"])
    url = path.format(**path_params(team))
    before = snapshot()

    response = getattr(client, method)(url, {UNKNOWN: 1}, format="json")

    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert f"{UNKNOWN} is not an allowed field" in problems(response)
    assert snapshot() == before
