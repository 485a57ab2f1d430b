"""Every operation of our OpenAPI schema, fuzzed by schemathesis against the live server.

One test per operation, each against a fresh organization full of data
(``world.py``), authenticated as its owner. Seeded, with a fixed example
budget, so a run is repeatable and short. No response may be a 5xx, and every
response must match the schema: a documented status code, its content type
and its body shape.
"""

import json
import os

import pytest
import requests
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from . import hooks  # registers the hooks; CURRENT holds the world
from .world import build_world

SEED = 20241128
# Examples per operation in the fuzzing phase; the coverage phase adds its own
# boundary and invalid-value cases. FUZZ_EXAMPLES raises it for a long local run.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def our_schema() -> dict:
    """The schema /api/schema serves, generated in-process so pytest can make one test per operation."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


RAW_SCHEMA = our_schema()
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none", "no-shrink": True},
        "phases": {
            "stateful": {"enabled": False},
            "coverage": {"generation": {"mode": os.environ.get("FUZZ_COVERAGE_MODE", "all")}},
        },
    }
)
schema = schemathesis.openapi.from_dict(RAW_SCHEMA, config=CONFIG)


@pytest.fixture
def fuzz_world(live_server, transactional_db):
    assert live_server.url.startswith(("http://localhost:", "http://127.0.0.1:"))  # loopback only
    built = build_world()
    hooks.CURRENT["world"] = built
    yield built
    hooks.CURRENT.clear()


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_operation_answers_as_documented(case, fuzz_world, live_server):
    # Examples and coverage cases are not drawn from strategies, so the map hooks never saw them.
    if case.meta is None or case.meta.phase.name.value != "fuzzing":
        case.path_parameters = hooks.pin_path(case.path_parameters, case.method)
        case.body = hooks.with_some_world_ids(case.body, case.operation.label)
        case.query = hooks.with_some_world_ids(case.query, case.operation.label)
    case.call_and_validate(
        base_url=live_server.url, headers={"Authorization": f"Bearer {fuzz_world.token}"}, checks=CHECKS, timeout=30
    )


@pytest.mark.django_db
def test_the_fuzzed_schema_is_the_served_schema(anon):
    served = anon.get("/api/schema?format=json")
    assert served.status_code == 200
    assert json.loads(served.content) == RAW_SCHEMA


def test_the_fuzzer_only_targets_loopback():
    assert requests.utils.urlparse("http://127.0.0.1").hostname == "127.0.0.1"
