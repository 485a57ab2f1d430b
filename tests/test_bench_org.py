"""The benchmark's organization (``bench/org.py``) holds together the way the product's own data does.

The generator writes rows with foreign-key triggers off and ids it makes
itself, so nothing but these checks says the rows are consistent: each one
is an invariant the services keep (or a shape the benchmarks rely on),
checked over the whole generated org. One org of 2,000 leads is generated for
the module and flushed after it.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import resolve

from bench import org as bench_org
from vchata.converters import PREFIXES
from vchata.ids import id_pattern

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LEADS = 2_000


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("the generator writes PostgreSQL SQL")
        generated = bench_org.generate(LEADS, log=lambda line: None)
        yield generated
        # The rows were committed (the generator vacuums, outside any transaction): clear every table.
        call_command("flush", interactive=False, verbosity=0)


def rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def value(sql: str, params=None):
    ((result,),) = rows(sql, params)
    return result


def test_find_returns_the_generated_org_and_generate_refuses_a_second(bench):
    found = bench_org.find()
    assert found is not None
    assert found.org.pk == bench.org.pk
    assert found.owner.pk == bench.owner.pk
    assert [p.pk for p in found.pipelines] == [p.pk for p in bench.pipelines]
    assert found.detail_lead_id == bench.detail_lead_id
    assert found.lead_count == LEADS

    with pytest.raises(RuntimeError, match="already holds"):
        bench_org.generate(10)
    assert value("SELECT count(*) FROM leads_lead") == LEADS
    assert value("SELECT count(*) FROM accounts_organization") == 1


def test_pipelines_split_half_thirty_twenty_with_the_default_one_first(bench):
    assert bench.pipelines[0].is_default
    per_pipeline = dict(rows("SELECT pipeline_id, count(*) FROM leads_lead GROUP BY pipeline_id"))
    shares = [per_pipeline.get(p.pk, 0) / LEADS for p in bench.pipelines]
    assert shares == pytest.approx([0.5, 0.3, 0.2], abs=0.03)
    # A fifth of the contacts have a lead in two pipelines.
    assert value("SELECT count(*) FROM leads_contact") == LEADS * 4 // 5


def test_every_reference_stays_inside_the_org(bench):
    org = bench.org.pk
    broken = {
        "lead without its contact": """SELECT count(*) FROM leads_lead AS l LEFT JOIN leads_contact AS c
            ON c.id = l.contact_id AND c.organization_id = l.organization_id WHERE c.id IS NULL""",
        "stage outside the lead's pipeline": """SELECT count(*) FROM leads_lead AS l LEFT JOIN pipelines_stage AS s
            ON s.id = l.stage_id AND s.pipeline_id = l.pipeline_id AND s.organization_id = l.organization_id
            WHERE s.id IS NULL""",
        "assignee not a member": """SELECT count(*) FROM leads_lead AS l WHERE l.assigned_to_id IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM accounts_membership AS m
                            WHERE m.user_id = l.assigned_to_id AND m.organization_id = l.organization_id)""",
        "campaign of another org": """SELECT count(*) FROM leads_lead AS l LEFT JOIN leads_campaign AS c
            ON c.id = l.campaign_id AND c.organization_id = l.organization_id
            WHERE l.campaign_id IS NOT NULL AND c.id IS NULL""",
        "post of another account": """SELECT count(*) FROM leads_lead AS l LEFT JOIN leads_contentpost AS p
            ON p.id = l.content_post_id AND p.organization_id = l.organization_id
            WHERE l.content_post_id IS NOT NULL AND p.id IS NULL""",
        "visit of a missing lead": """SELECT count(*) FROM leads_stagevisit AS v LEFT JOIN leads_lead AS l
            ON l.id = v.lead_id AND l.organization_id = v.organization_id WHERE l.id IS NULL""",
        "activity of a missing lead": """SELECT count(*) FROM leads_activity AS a LEFT JOIN leads_lead AS l
            ON l.id = a.lead_id AND l.organization_id = a.organization_id WHERE l.id IS NULL""",
        "search text not its contact's and notes'": """SELECT count(*) FROM leads_lead AS l
            JOIN leads_contact AS c ON c.id = l.contact_id
            WHERE l.search_text IS DISTINCT FROM leads_search_text(c.name, c.email, c.company, l.notes)""",
        "row of another org": """SELECT (SELECT count(*) FROM leads_lead WHERE organization_id <> %(org)s)
            + (SELECT count(*) FROM leads_contact WHERE organization_id <> %(org)s)""",
    }
    assert {name: value(sql, {"org": org}) for name, sql in broken.items()} == dict.fromkeys(broken, 0)
    # 80 % assigned, spread over the owner and the 20 reps.
    assigned = rows("SELECT assigned_to_id, count(*) FROM leads_lead GROUP BY assigned_to_id")
    unassigned = dict(assigned).get(None, 0)
    assert unassigned / LEADS == pytest.approx(0.2, abs=0.03)
    assert len(assigned) - 1 == bench_org.REPS + 1


def test_every_lead_has_one_open_visit_in_its_current_stage_and_an_unbroken_history(bench):
    # The partial unique index allows at most one open visit; here: exactly one, in the lead's stage.
    assert (
        value("""
        SELECT count(*) FROM leads_lead AS l
        WHERE (SELECT count(*) FROM leads_stagevisit AS v
               WHERE v.lead_id = l.id AND v.left_at IS NULL AND v.stage_id = l.stage_id) <> 1
    """)
        == 0
    )
    assert value("SELECT count(*) FROM leads_stagevisit WHERE left_at IS NULL") == LEADS
    # Visits start in the first stage when the lead was created; each one ends when the next begins.
    broken_chains = value("""
        SELECT count(*) FROM (
            SELECT v.entered_at, v.left_at, s."order", l.created_at,
                   row_number() OVER w AS j, lead(v.entered_at) OVER w AS next_entered
            FROM leads_stagevisit AS v
            JOIN leads_lead AS l ON l.id = v.lead_id
            JOIN pipelines_stage AS s ON s.id = v.stage_id
            WINDOW w AS (PARTITION BY v.lead_id ORDER BY v.entered_at, v.id)
        ) AS chain
        WHERE (j = 1 AND ("order" <> 1 OR entered_at <> created_at))
           OR left_at IS DISTINCT FROM next_entered
    """)
    assert broken_chains == 0


def test_histories_are_not_all_straight_lines(bench):
    """Lost from each open stage, Qualified skipped or visited twice: the funnel has more than one shape."""
    lost_after = dict(
        rows("""
            SELECT before."order", count(*)
            FROM leads_lead AS l
            JOIN pipelines_stage AS cur ON cur.id = l.stage_id AND cur.status = 'LOST'
            JOIN LATERAL (SELECT s."order" FROM leads_stagevisit AS v JOIN pipelines_stage AS s ON s.id = v.stage_id
                          WHERE v.lead_id = l.id AND v.left_at IS NOT NULL
                          ORDER BY v.entered_at DESC, v.id DESC LIMIT 1) AS before ON true
            GROUP BY before."order"
        """)
    )
    assert set(lost_after) == {1, 2, 3}
    assert min(lost_after.values()) > 30
    qualified_visits = dict(
        rows("""
            SELECT visits, count(*) FROM (
                SELECT l.id, count(v.id) FILTER (WHERE s."order" = 2) AS visits
                FROM leads_lead AS l
                JOIN pipelines_stage AS cur ON cur.id = l.stage_id AND cur."order" IN (3, 4)
                JOIN leads_stagevisit AS v ON v.lead_id = l.id
                JOIN pipelines_stage AS s ON s.id = v.stage_id
                GROUP BY l.id
            ) AS per_lead GROUP BY visits
        """)
    )
    past_qualified = sum(qualified_visits.values())
    assert qualified_visits[0] / past_qualified == pytest.approx(0.1, abs=0.04)
    assert qualified_visits[2] / past_qualified == pytest.approx(0.1, abs=0.04)


def test_status_and_converted_at_follow_the_stage(bench):
    assert (
        value("""
        SELECT count(*) FROM leads_lead AS l JOIN pipelines_stage AS s ON s.id = l.stage_id
        WHERE l.status IS DISTINCT FROM s.status
    """)
        == 0
    )
    # Converted exactly when converted_at is set (a check constraint too), at the entry into the stage.
    assert (
        value("""
        SELECT count(*) FROM leads_lead AS l
        JOIN leads_stagevisit AS v ON v.lead_id = l.id AND v.left_at IS NULL
        WHERE (l.status = 'CONVERTED') IS DISTINCT FROM (l.converted_at IS NOT NULL)
           OR l.converted_at <> v.entered_at
    """)
        == 0
    )
    statuses = dict(rows("SELECT status, count(*) FROM leads_lead GROUP BY status"))
    shares = {status: count / LEADS for status, count in statuses.items()}
    expected = {"NEW": 0.30, "QUALIFIED": 0.25, "CONTACTED": 0.20, "CONVERTED": 0.15, "LOST": 0.10}
    assert shares == pytest.approx(expected, abs=0.03)


def test_activities_tell_each_lead_its_history(bench):
    counts = dict(rows("SELECT type, count(*) FROM leads_activity GROUP BY type"))
    visits = value("SELECT count(*) FROM leads_stagevisit")
    converted = value("SELECT count(*) FROM leads_lead WHERE status = 'CONVERTED'")
    assert counts["CREATED"] == LEADS
    assert value("SELECT count(DISTINCT lead_id) FROM leads_activity WHERE type = 'CREATED'") == LEADS
    assert counts["STAGE_CHANGED"] == visits - LEADS  # one per visit after the first
    assert counts["CONVERTED"] == converted
    assert (
        value("""
        SELECT count(*) FROM leads_activity AS a JOIN leads_lead AS l ON l.id = a.lead_id
        WHERE a.type = 'CONVERTED' AND a.created_at <> l.converted_at
    """)
        == 0
    )
    # Calls and notes on 30 % of the leads (the detail lead has its own on top).
    followed_up = value("""
        SELECT count(DISTINCT lead_id) FROM leads_activity
        WHERE type IN ('CALL', 'NOTE') AND left(id, 10) = 'activity_d'
    """)
    assert followed_up / LEADS == pytest.approx(0.3, abs=0.04)
    assert value("SELECT count(*) FROM leads_activity WHERE lead_id = %s", [bench.detail_lead_id]) == 200
    # last_activity_at is the latest thing logged on the lead.
    assert (
        value("""
        SELECT count(*) FROM leads_lead AS l
        WHERE l.last_activity_at IS DISTINCT FROM (SELECT max(created_at) FROM leads_activity WHERE lead_id = l.id)
    """)
        == 0
    )


def test_sources_are_skewed_towards_the_website(bench):
    by_source = rows("SELECT source, count(*) FROM leads_lead GROUP BY source ORDER BY count(*) DESC")
    assert [source for source, _ in by_source[:3]] == ["website", "facebook", "instagram"]
    shares = {source: count / LEADS for source, count in by_source}
    assert shares["website"] == pytest.approx(0.34, abs=0.04)
    assert shares[None] == pytest.approx(0.02, abs=0.015)  # typed in by hand, no source
    assert len(shares) == len(bench_org.SOURCES)


def test_campaigns_are_zipf_like_and_include_untracked_keys_and_hand_tagged_leads(bench):
    utm = dict(rows("SELECT utm_campaign, count(*) FROM leads_lead GROUP BY utm_campaign"))
    tagged = sum(count for key, count in utm.items() if key is not None)
    assert tagged / LEADS == pytest.approx(0.4, abs=0.04)
    assert utm["campaign_00"] == max(count for key, count in utm.items() if key is not None)
    registered = {key for (key,) in rows("SELECT utm_campaign FROM leads_campaign")}
    assert len(registered) == bench_org.CAMPAIGNS
    assert any(key is not None and key not in registered for key in utm)  # traffic from no campaign of the org
    # A lead's campaign is the one of its utm key, or was set by hand on a lead with no utm key.
    assert (
        value("""
        SELECT count(*) FROM leads_lead AS l JOIN leads_campaign AS c ON c.id = l.campaign_id
        WHERE l.utm_campaign IS NOT NULL AND l.utm_campaign <> c.utm_campaign
    """)
        == 0
    )
    by_hand = value("SELECT count(*) FROM leads_lead WHERE campaign_id IS NOT NULL AND utm_campaign IS NULL")
    assert by_hand / LEADS == pytest.approx(0.05, abs=0.02)


def test_values_are_positive_where_set(bench):
    valued, smallest = rows("SELECT count(value), min(value) FROM leads_lead")[0]
    assert valued / LEADS == pytest.approx(0.7, abs=0.04)
    assert smallest > 0


@pytest.mark.parametrize(
    ("table", "prefix"),
    [
        ("accounts_organization", "org"),
        ("accounts_user", "user"),
        ("pipelines_pipeline", "pipeline"),
        ("pipelines_stage", "stage"),
        ("leads_campaign", "campaign"),
        ("leads_socialaccount", "social"),
        ("leads_contentpost", "post"),
        ("leads_contact", "contact"),
        ("leads_lead", "lead"),
        ("leads_activity", "activity"),
    ],
)
def test_ids_are_well_formed_for_their_prefix(bench, table, prefix):
    assert PREFIXES.get(prefix) == prefix
    pattern = f"^{id_pattern(prefix)}$"
    assert value(f"SELECT count(*) FROM {table} WHERE id !~ %s", [pattern]) == 0


def test_generated_ids_are_accepted_by_the_routes_and_sort_in_creation_order(bench):
    lead_ids = [lead_id for (lead_id,) in rows("SELECT id FROM leads_lead ORDER BY id LIMIT 3")]
    for lead_id in [*lead_ids, bench.detail_lead_id]:
        match = resolve(f"/leads/{bench.org.pk}/{lead_id}/activities")
        assert match.url_name == "lead-activities"
        assert match.kwargs == {"org_id": bench.org.pk, "lead_id": lead_id}
    for table in ("leads_lead", "leads_contact"):
        out_of_order = value(f"""
            SELECT count(*) FROM (SELECT created_at, lag(created_at) OVER (ORDER BY id) AS before FROM {table}) AS t
            WHERE created_at < before
        """)
        assert out_of_order == 0, table
