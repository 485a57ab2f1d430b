"""The lead list's ``search`` has trigram indexes on PostgreSQL (migration 0003); SQLite gets none."""

import pytest
from django.db import connection

from leads.tests.factories import ContactFactory, LeadFactory


@pytest.mark.postgres
def test_search_columns_have_trigram_indexes_on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL-only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm_idx"])
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {
        "contact_name_trgm_idx",
        "contact_email_trgm_idx",
        "contact_company_trgm_idx",
        "lead_notes_trgm_idx",
    }
    assert all("gin_trgm_ops" in definition and "organization_id" in definition for definition in indexes.values())


def test_search_matching_both_the_contact_and_the_notes_lists_the_lead_once(api, org):
    lead = LeadFactory(organization=org, contact=ContactFactory(organization=org, name="Ada Holberg"))
    lead.notes = "Holberg asked for a demo"
    lead.save(update_fields=["notes"])
    response = api.get(f"/leads/{org.pk}?search=holberg")
    assert [item["id"] for item in response.json()["leads"]] == [lead.pk]
    assert response.json()["pagination"]["total"] == 1
