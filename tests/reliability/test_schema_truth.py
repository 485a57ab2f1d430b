"""The schema documents, for every operation, the errors the server can answer, in the envelope.

The fuzzer (tests/fuzz) checks that what the server sends is documented; these
check the other direction for the errors every route shares, so a new route
cannot forget them.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator

ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}


def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", path, operation


OPERATIONS = list(operations())
IDS = [label for label, _, _ in OPERATIONS]
# Successes that are not JSON because a third party says so: Meta's handshake wants the challenge back as sent.
PLAIN_TEXT_SUCCESS = {"GET /webhooks/meta"}


@pytest.mark.parametrize(("label", "path", "operation"), OPERATIONS, ids=IDS)
def test_every_operation_documents_the_errors_it_shares_with_all(label, path, operation):
    codes = set(operation["responses"])
    assert {"401", "429"} <= codes  # a missing or expired token; throttling
    if "{" in path:
        assert "404" in codes  # an unknown id, or an org the caller is not in
    if "requestBody" in operation:
        assert {"400", "411", "413", "415"} <= codes
    if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
        assert "400" in codes


@pytest.mark.parametrize(("label", "path", "operation"), OPERATIONS, ids=IDS)
def test_every_error_is_the_envelope_and_every_success_is_json(label, path, operation):
    for code, response in operation["responses"].items():
        content = response.get("content", {})
        expected = ["text/plain"] if label in PLAIN_TEXT_SUCCESS and code.startswith("2") else ["application/json"]
        assert list(content) == expected, (code, list(content))
        if code.startswith(("4", "5")):
            assert content["application/json"]["schema"] == ENVELOPE, code
