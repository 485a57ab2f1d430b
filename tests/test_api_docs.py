"""docs/api.md lists every route the API serves: a route added to the schema without its documentation fails here."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator

DOCS = Path(settings.BASE_DIR) / "docs" / "api.md"
README = Path(settings.BASE_DIR) / "README.md"


def camel_path(path: str) -> str:
    """``/leads/{org_id}/{lead_id}`` → ``/leads/{orgId}/{leadId}``, as the docs write paths."""
    return re.sub(r"\{(\w+)\}", lambda m: "{" + re.sub(r"_(\w)", lambda n: n[1].upper(), m[1]) + "}", path)


def served_routes() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        f"{method.upper()} {camel_path(path)}"
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


def documented_routes() -> set[str]:
    # The last section names the pages beside the API (schema, health), which the schema doesn't list.
    reference = DOCS.read_text().split("## Outside the API")[0]
    return set(re.findall(r"`((?:GET|POST|PUT|PATCH|DELETE) /[^`\s]*)`", reference))


@pytest.mark.parametrize("route", served_routes())
def test_every_served_route_is_in_the_api_reference(route):
    assert route in documented_routes(), f"{route} is served but not in docs/api.md"


def test_the_api_reference_documents_no_route_that_is_not_served():
    served = set(served_routes())
    assert sorted(documented_routes() - served) == []


def test_the_readme_links_the_api_reference_and_nothing_outside_the_repository():
    readme = README.read_text()
    links = [link.split("#")[0] for link in re.findall(r"\]\(([^)]+)\)", readme)]
    local = [link for link in links if link and not re.match(r"^[a-z]+:", link)]
    root = README.parent.resolve()

    assert "docs/api.md" in local
    assert [link for link in local if not (root / link).resolve().is_relative_to(root)] == []
    assert [link for link in local if not (root / link).exists()] == []
    assert "../" not in readme
