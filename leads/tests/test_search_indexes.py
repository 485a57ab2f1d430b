"""The search index on PostgreSQL (migration 0007): the column, its trigram index, its triggers under races.

``leads/tests/test_search.py`` has what a search finds on both databases;
here is what only PostgreSQL has: the plan that reads the index, the column
equal to what it is composed from, and the row locks that keep it so when a
lead is written while its contact is renamed by another transaction.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from leads import search
from leads.models import Contact, Lead
from leads.services import create_lead, update_lead
from leads.tests.factories import ContactFactory, LeadFactory
from leads.tests.test_race import in_thread, wait_for_a_lock_wait
from tests.support.api import leads_url

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the search index is PostgreSQL's")


def rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def run(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_the_trigram_indexes_lead_with_the_organization():
    indexes = dict(rows("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm_idx"]))

    # The notes index of 0003 went: search_text holds the notes.
    assert set(indexes) == {
        "contact_name_trgm_idx",
        "contact_email_trgm_idx",
        "contact_company_trgm_idx",
        "contact_phone_trgm_idx",
        "lead_search_trgm_idx",
    }
    assert all("gin_trgm_ops" in definition and "(organization_id" in definition for definition in indexes.values())
    assert "search_text gin_trgm_ops" in indexes["lead_search_trgm_idx"]


@pytest.fixture
def a_few_thousand_leads(org, stages):
    """Enough rows that an index with the query's condition beats any other (in a near-empty table any
    index is as cheap as another, and the planner's pick depends on what earlier tests left in its
    statistics); in the test's transaction, rollup triggers off as in the search test below."""
    run("ALTER TABLE leads_lead DISABLE TRIGGER analytics_lead_rollups_ins_del")
    run(BULK_LEADS, {"org": org.pk, "n": 3_000, "pipeline": stages[0].pipeline_id, "stage": stages[0].pk})
    run("ANALYZE leads_lead")
    run("ANALYZE leads_contact")


@pytest.mark.django_db
def test_a_phone_search_and_a_close_date_filter_can_read_their_indexes(org, a_few_thousand_leads):
    # The phone part of a contact search alone: the index must match its expression.
    contacts = Contact.objects.filter(phone__icontains="555 01")
    leads = Lead.objects.filter(organization=org, expected_close_date__gte="2031-01-01").order_by("expected_close_date")
    phone_plan, close_plan = _plan(contacts), _plan(leads)

    assert "contact_phone_trgm_idx" in phone_plan
    assert "lead_org_close_date_idx" in close_plan


@pytest.mark.django_db
def test_the_weekly_conversions_read_the_conversion_index(org, a_few_thousand_leads):
    converted = Lead.objects.filter(organization=org, converted_at__gte="2031-01-01", converted_at__lt="2031-03-01")

    plan = _plan(converted.order_by().values("converted_at"))

    assert "lead_org_converted_idx" in plan


def _plan(queryset) -> str:
    with transaction.atomic():
        run("SET LOCAL enable_seqscan = off")  # a few thousand rows may still rightly be read whole
        sql, params = queryset.query.get_compiler(using="default").as_sql()
        return "\n".join(row[0] for row in rows("EXPLAIN " + sql, params))


# Enough leads that reading them all costs more than the index (a handful would rightly be read whole),
# inserted by SQL (the triggers see any insert); one contact in a thousand is a Holberg
# (as in the benchmark's data: a rare term, whose matches are not met soon by walking any date order).
BULK_LEADS = """
WITH people AS (
    INSERT INTO leads_contact (id, organization_id, created_at, updated_at, name, email, phone, company)
    SELECT 'contact_' || lpad(to_hex(i), 26, '0'), %(org)s, now(), now(),
           CASE WHEN i %% 1000 = 0 THEN 'Ada Holberg' ELSE 'Person ' || i END,
           'person' || i || '@example.com', '', 'Company ' || i %% 50
    FROM generate_series(1, %(n)s) AS i
    RETURNING id
)
INSERT INTO leads_lead (id, organization_id, created_at, updated_at, contact_id, pipeline_id, stage_id, status, notes,
                        custom_fields)
SELECT 'lead_' || substr(people.id, 9), %(org)s, now(), now(), people.id, %(pipeline)s, %(stage)s, 'NEW', '', '{}'
FROM people
"""


def test_a_search_reads_the_search_index_once_and_then_only_its_pages_rows(api, org, stages):
    # The rollup triggers are not what this test reads, and 20,000 rows of one org, day and stage all
    # upsert the same rollup rows in one statement (minutes of row versions to walk); the search
    # triggers stay on. Inside the test's transaction, so the triggers are back for every other test.
    run("ALTER TABLE leads_lead DISABLE TRIGGER analytics_lead_rollups_ins_del")
    run(BULK_LEADS, {"org": org.pk, "n": 20_000, "pipeline": stages[0].pipeline_id, "stage": stages[0].pk})
    run("ANALYZE leads_lead")

    for query, matches in [("search=holberg", 20), ("search=holberg&ordering=relevance", 20), ("search=n1234@", 1)]:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(f"{leads_url(org)}?{query}&limit=10")
        total_sql, rows_sql = (q["sql"] for q in captured.captured_queries if "leads_lead" in q["sql"])
        total_plan = "\n".join(line for (line,) in rows(f"EXPLAIN {total_sql}"))
        rows_plan = "\n".join(line for (line,) in rows(f"EXPLAIN {rows_sql}"))

        assert response.json()["pagination"]["total"] == matches
        # The total and the page's ids: one bitmap scan of the search index, one table, no UNION.
        assert "Bitmap Index Scan on lead_search_trgm_idx" in total_plan, (query, total_plan)
        assert "search_text ~~ " in total_plan
        assert "OVER ()" in total_sql and "UNION" not in total_sql.upper()
        assert "leads_contact" not in total_plan or query.endswith("relevance")  # the rank reads a match's contact
        # The page: its own rows by primary key, joined to their contacts.
        assert "lead_search_trgm_idx" not in rows_plan, (query, rows_plan)
        assert "leads_lead_pkey" in rows_plan or "leads_lead_id_" in rows_plan, (query, rows_plan)


def test_search_text_is_the_contact_and_notes_of_every_lead_after_all_kinds_of_writes(org, other_org):
    leads = [LeadFactory(organization=o) for o in (org, org, org, other_org)]
    Contact.objects.filter(pk=leads[0].contact_id).update(name="Renamed", company="Moved Co")
    update_lead(org=org, actor=None, lead_id=leads[1].pk, changes={"notes": "New notes"})
    Lead.objects.filter(pk=leads[2].pk).update(notes="Queryset notes")
    contact = leads[3].contact
    contact.email = "changed@example.com"
    contact.save()

    stale = rows(
        """SELECT l.id FROM leads_lead AS l JOIN leads_contact AS c ON c.id = l.contact_id
           WHERE l.search_text IS DISTINCT FROM leads_search_text(c.name, c.email, c.company, l.notes)"""
    )
    composed = dict(rows("SELECT id, search_text FROM leads_lead WHERE id = %s", [leads[0].pk]))

    assert stale == []
    assert composed[leads[0].pk].split(search.SEPARATOR)[0::2] == ["renamed", "moved co"]


def test_a_separator_inside_a_field_is_a_space_so_fields_stay_apart(org):
    contact = ContactFactory(organization=org, name=f"Odd{search.SEPARATOR}Name", email="", company="")
    lead = LeadFactory(organization=org, contact=contact)

    ((text,),) = rows("SELECT search_text FROM leads_lead WHERE id = %s", [lead.pk])

    assert text.split(search.SEPARATOR) == ["odd name", "", "", ""]


# --- races: a lead written while another transaction renames its contact ------------------


@pytest.fixture
def renamed_later(org):
    return ContactFactory(organization=org, name="Old Name", email="", company="")


def _rename(contact_id: str) -> None:
    Contact.objects.filter(pk=contact_id).update(name="New Name")


def _found(org, text: str) -> set[str]:
    return set(search.matching_leads(Lead.objects.for_org(org), text).values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_rename_while_a_lead_of_that_contact_is_being_created_waits_and_then_reaches_it(org, pipeline, renamed_later):
    created, commit = threading.Event(), threading.Event()

    def create():
        with transaction.atomic():
            lead = create_lead(org=org, actor=None, contact=renamed_later, pipeline=pipeline)
            created.set()
            commit.wait(timeout=10)
        return lead

    creator, creation = in_thread(create)
    assert created.wait(timeout=10)
    renamer, renaming = in_thread(lambda: _rename(renamed_later.pk))
    blocked = wait_for_a_lock_wait(timeout=3)  # the rename waits for the new lead's commit
    commit.set()
    for thread in (creator, renamer):
        thread.join(timeout=30)

    assert "error" not in creation and "error" not in renaming
    assert blocked
    assert _found(org, "new name") == {creation["result"].pk}
    assert _found(org, "old name") == set()


@pytest.mark.django_db(transaction=True)
def test_a_lead_created_while_its_contact_is_being_renamed_waits_and_reads_the_new_name(org, pipeline, renamed_later):
    renamed, commit = threading.Event(), threading.Event()

    def rename():
        with transaction.atomic():
            _rename(renamed_later.pk)
            renamed.set()
            commit.wait(timeout=10)

    renamer, renaming = in_thread(rename)
    assert renamed.wait(timeout=10)
    creator, creation = in_thread(lambda: create_lead(org=org, actor=None, contact=renamed_later, pipeline=pipeline))
    blocked = wait_for_a_lock_wait(timeout=3)  # the new lead waits to read the contact the rename holds
    commit.set()
    for thread in (renamer, creator):
        thread.join(timeout=30)

    assert "error" not in creation and "error" not in renaming
    assert blocked
    assert _found(org, "new name") == {creation["result"].pk}
