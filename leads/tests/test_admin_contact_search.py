"""The contact admin's search: the contact list's search (``selectors.contact_search``) or an exact id.

What it finds on both databases, and on PostgreSQL the plan: the contacts' trigram indexes, not a read
of every contact (the default search's case-insensitive ``=id`` can't use an index and took the whole
OR to a sequential scan, ~2 s at 800,000 contacts).
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from leads.tests.factories import ContactFactory
from tests.support.admin import changelist_ids, logged_in, org_admin, superuser

CHANGELIST = "/admin/leads/contact/"


@pytest.fixture
def su(db):
    return logged_in(superuser())


@pytest.fixture
def grace(org):
    return ContactFactory(
        organization=org, name="Grace Hopper", email="grace@navy.example", phone="+44 20 7946 0958", company="Cobol Ltd"
    )


@pytest.fixture
def someone_else(org, other_org):
    ContactFactory(organization=org, name="Alan Turing", email="alan@bletchley.example", phone="", company="GCHQ")
    return ContactFactory(organization=other_org, name="Ada Lovelace", email="ada@engine.example", company="Babbage")


@pytest.mark.parametrize(
    "term",
    ["race hop", "GRACE", "grace@navy", "navy.example", "cobol l", "7946 09", "+44 20", "id", "ID"],
)
def test_search_finds_a_contact_by_a_fragment_of_each_field_or_its_id(su, grace, someone_else, term):
    term = {"id": grace.pk, "ID": grace.pk.upper()}.get(term, term)

    response = su.get(CHANGELIST, {"q": f"  {term} "})

    assert response.status_code == 200
    assert changelist_ids(response, "contact") == {grace.pk}


def test_an_empty_search_lists_every_contact(su, grace, someone_else):
    assert len(changelist_ids(su.get(CHANGELIST, {"q": "   "}), "contact")) == 3


def test_org_admin_search_never_returns_another_orgs_contact(org, grace, someone_else):
    staff = logged_in(org_admin(org))

    assert changelist_ids(staff.get(CHANGELIST, {"q": "ada"}), "contact") == set()
    assert changelist_ids(staff.get(CHANGELIST, {"q": someone_else.pk}), "contact") == set()


# --- PostgreSQL: the plan ------------------------------------------------------------------

# Enough contacts that an index with the query's condition beats any other (in a near-empty table any
# index is as cheap as another); one in a thousand is a Holberg, a rare term.
BULK_CONTACTS = """
INSERT INTO leads_contact (id, organization_id, created_at, updated_at, name, email, phone, company)
SELECT 'contact_' || lpad(to_hex(i), 26, '0'), %(org)s, now(), now(),
       CASE WHEN i %% 1000 = 0 THEN 'Ada Holberg' ELSE 'Person ' || i END,
       'person' || i || '@example.com', '+1 555 ' || lpad(i::text, 7, '0'), 'Company ' || i %% 50
FROM generate_series(1, %(n)s) AS i
"""


def run(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("term", "indexes"),
    [
        ("holberg", ["contact_name_trgm_idx", "contact_email_trgm_idx", "contact_company_trgm_idx"]),
        ("555 0001", ["contact_phone_trgm_idx"]),
    ],
)
def test_the_search_can_read_the_contacts_trigram_indexes(su, org, term, indexes):
    run(BULK_CONTACTS, {"org": org.pk, "n": 3_000})
    run("ANALYZE leads_contact")  # fresh statistics: the planner's pick must not hang on earlier tests

    with CaptureQueriesContext(connection) as captured:
        response = su.get(CHANGELIST, {"q": term})
    searching = [q["sql"] for q in captured.captured_queries if "leads_contact" in q["sql"] and " LIKE " in q["sql"]]

    assert response.status_code == 200 and changelist_ids(response, "contact")
    assert searching  # the count and the page
    for sql in searching:
        with transaction.atomic():
            # A few thousand rows may still rightly be read whole, or walked along any btree (cheaper here
            # than five bitmap scans; at 800,000 contacts the planner takes the bitmaps, 5-40 ms against
            # ~2 s): left only bitmap scans, the search must have an index for every part of its OR.
            run("SET LOCAL enable_seqscan = off")
            run("SET LOCAL enable_indexscan = off")
            plan = "\n".join(line for (line,) in run(f"EXPLAIN {sql}"))
        assert all(f"Bitmap Index Scan on {index}" in plan for index in indexes), plan
        assert "Seq Scan on leads_contact" not in plan, plan
