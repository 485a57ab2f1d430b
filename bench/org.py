"""The realistic organization of the benchmark, generated inside PostgreSQL.

One org, "Bench Corp": an owner and 20 reps, 3 pipelines (50 % / 30 % / 20 %
of the leads, so a 1,000,000-lead org has a 500,000-lead board), 40
campaigns, 6 social accounts with 60 posts, and for every lead a contact, a
stage history and activities consistent with its current stage:

- contacts: 80 % of the lead count (a fifth of them are leads in two pipelines),
  names from 60 first names × 900 generated surnames, ~2,000 companies;
- sources skewed (website 34 %, facebook 20 %, instagram 14 %, …, none 2 %);
  40 % of the leads carry a utm campaign key, Zipf-like over 48 keys (the
  first few take most; the last 8 match no campaign of the org), half of
  those also have their key's campaign set, and 5 % have a campaign set by
  hand without any utm;
- values on 70 % of the leads, spread log-uniformly from about 55 to 7,300;
  80 % of the leads assigned to the owner or a rep;
- stages: New 30 %, Qualified 25 %, Contacted 20 %, Converted 15 %, Lost 10 %,
  the status always the stage's, ``converted_at`` set exactly on converted
  leads (when they entered Converted); every lead with one stage visit per
  stage it went through (the last one open): lost from New, Qualified or
  Contacted, a tenth of the leads past Qualified skipped it and another tenth
  went back to it once; a STAGE_CHANGED activity per move, CREATED, CONVERTED,
  and a call or note on 30 % of them; ``last_activity_at`` the latest of
  those; created over two years;
- one lead with 200 activities (the lead-detail case).

Rows are made by ``INSERT … SELECT generate_series`` on the server: no row
crosses the wire, so a million leads take minutes, not hours. Users, the org
and its pipelines are made through the services, as the product makes them.
Ids are the prefix and a zero-padded hexadecimal row number (hex digits are
Crockford base32 digits, so they are well-formed ids that sort in creation
order); they are the same in every run, so a database holds one such org:
``find()`` returns it, ``generate()`` makes it.
"""

import time
from dataclasses import dataclass

from django.db import connection, transaction

from analytics import rollup_sql
from leads.models import Campaign, ContentPost, Lead, SocialAccount
from pipelines.models import Pipeline
from pipelines.services import create_pipeline
from vchata.accounts.models import Membership, Organization, User
from vchata.accounts.services import create_organization

OWNER_EMAIL = "bench-owner@vchata.dev"
PASSWORD = "bench-pass-2024"
ORG_NAME = "Bench Corp"
PIPELINES = (("Sales Pipeline", 0.5), ("Partnerships", 0.3), ("Renewals", 0.2))
REPS = 20
CAMPAIGNS = 40
# utm keys campaign_00 … campaign_47: the org runs campaigns for the first 40, the rest reach it untracked.
UTM_KEYS = 48
DETAIL_ACTIVITIES = 200


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Ada Alan Alice Amir Ana Anna Ben Carla Chen David Dina Elena Emil Emma Eva Farah Felix Grace Hana "
    "Hugo Ines Ivan Jack Jana John Julia Karim Kate Lars Lea Leo Lina Luis Maja Marco Maria Mark Mia "
    "Nadia Nina Noah Olga Omar Paul Petra Raj Rosa Sam Sara Sofia Tom Uma Vera Victor Wei Yara Yusuf Zoe "
    "Ravi Ingrid"
)
SURNAME_HEADS = _words(
    "Ab Bar Cal Dor Eng Fal Gar Hol Ist Jor Kal Lin Mor Nor Ost Pal Quin Ros Sal Tor Ul Var Wes Yor Zan "
    "Ber Cor Dal Fen Har"
)
SURNAME_TAILS = _words(
    "sen son berg strom quist ley ford wood field mann ton well ez ini ova ski dottir ham by land rick "
    "ridge more wick stein holm vik dahl gren lund"
)
COMPANY_HEADS = _words(
    "Blue North Bright Iron Green Swift Silver Red Prime True Clear Open Bold Vast Deep Peak Core Next Star Oak"
)
COMPANY_TAILS = _words(
    "Labs Works Systems Foods Logistics Media Health Capital Studio Motors Energy Retail Cloud Design "
    "Farms Partners Solutions Textiles Analytics Dynamics Robotics Travel Optics Goods Bank"
)
COMPANY_SUFFIXES = ["Inc", "Ltd", "GmbH", "LLC"]
DOMAINS = ["example.com", "mail.test", "corp.test", "inbox.test", "post.test"]
# (source, cumulative share): website 34 %, facebook 20 %, …, and 2 % with no source (typed in by hand).
SOURCES = (
    ("website", 0.34),
    ("facebook", 0.54),
    ("instagram", 0.68),
    ("google_ads", 0.78),
    ("referral", 0.85),
    ("linkedin", 0.90),
    ("email", 0.94),
    ("event", 0.96),
    ("tiktok", 0.97),
    ("cold_call", 0.98),
    (None, 1.00),
)
NOTE_WORDS = [
    "pricing",
    "demo",
    "premium",
    "onboarding",
    "renewal",
    "integration",
    "budget",
    "contract",
    "trial",
    "discount",
]


@dataclass(frozen=True)
class BenchOrg:
    org: Organization
    owner: User
    pipelines: list[Pipeline]
    detail_lead_id: str
    lead_count: int


def find() -> BenchOrg | None:
    """The org a previous run generated, if there is one."""
    org = Organization.objects.filter(name=ORG_NAME, memberships__user__email=OWNER_EMAIL).first()
    if org is None:
        return None
    owner = User.objects.get(email=OWNER_EMAIL)
    pipelines = [Pipeline.objects.get(organization=org, name=name) for name, _ in PIPELINES]
    detail = Lead.objects.for_org(org).filter(notes="benchmark: the lead with 200 activities").first()
    return BenchOrg(org, owner, pipelines, detail.pk if detail else "", Lead.objects.for_org(org).count())


def generate(leads: int, *, log=print) -> BenchOrg:
    """Make the org and its ``leads`` leads; returns it. The database must not hold one already (see ``find``)."""
    if leads < 1:
        raise ValueError("leads must be positive")
    if find() is not None:
        raise RuntimeError(f"the database already holds {ORG_NAME}: use find(), or a fresh database")
    started = time.monotonic()

    def step(label: str, sql: str, params: dict) -> None:
        begun = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = cursor.rowcount
        log(f"  {label:<28} {count:>10,} rows  {time.monotonic() - begun:6.1f}s")

    with transaction.atomic():
        owner = User.objects.create_user(email=OWNER_EMAIL, password=PASSWORD, name="Bench Owner")
        org = create_organization(owner=owner, name=ORG_NAME)
        pipelines = [Pipeline.objects.get(organization=org, is_default=True)]
        pipelines += [create_pipeline(org=org, name=name) for name, _ in PIPELINES[1:]]
        reps = [
            # No password: hashing 20 of them would take longer than the leads do; reps only own leads.
            User.objects.create_user(email=f"rep{n}@bench.test", password=None, name=f"Rep {n}")
            for n in range(REPS)
        ]
        Membership.objects.bulk_create(
            Membership(organization=org, user=rep, role=Membership.Role.MEMBER) for rep in reps
        )
        campaigns = Campaign.objects.bulk_create(
            Campaign(organization=org, name=f"Campaign {n:02d}", utm_campaign=f"campaign_{n:02d}")
            for n in range(CAMPAIGNS)
        )
        accounts = SocialAccount.objects.bulk_create(
            SocialAccount(
                organization=org, platform=platform, platform_id=f"bench_{platform}", name=f"Bench {platform}"
            )
            for platform in SocialAccount.Platform.values
        )
        posts = ContentPost.objects.bulk_create(
            ContentPost(organization=org, social_account=account, platform_post_id=f"post{n}", content=f"Post {n}")
            for account in accounts
            for n in range(10)
        )

    params = {
        "org": org.pk,
        "n": leads,
        "contacts": max(1, int(leads * 0.8)),
        "big": int(leads * PIPELINES[0][1]),
        "first": FIRST_NAMES,
        "heads": SURNAME_HEADS,
        "tails": SURNAME_TAILS,
        "cheads": COMPANY_HEADS,
        "ctails": COMPANY_TAILS,
        "csuffix": COMPANY_SUFFIXES,
        "domains": DOMAINS,
        "pipelines": [p.pk for p in pipelines],
        "reps": [owner.pk] + [rep.pk for rep in reps],
        "campaigns": [c.pk for c in campaigns],
        "campaign_keys": [f"campaign_{n:02d}" for n in range(UTM_KEYS)],
        "sources": [name for name, _ in SOURCES],
        # width_bucket: how many of the cut points r is at or past, so the source's index is that + 1.
        "source_cut": [cut for _, cut in SOURCES[:-1]],
        "campaign_count": CAMPAIGNS,
        "utm_key_count": UTM_KEYS,
        "accounts": [a.pk for a in accounts],
        "posts": [p.pk for p in posts],
        "words": NOTE_WORDS,
    }
    log(f"Generating {ORG_NAME}: {leads:,} leads")
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows are consistent by construction; skipping the per-row foreign-key
        # triggers roughly halves the load time. Only for this transaction.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("SELECT setseed(0.42)")
        # A sorted index build after the load is far cheaper than a million
        # scattered index insertions: set the plain (non-unique) indexes aside.
        cursor.execute(PLAIN_INDEXES_SQL, [list(BULK_TABLES)])
        plain_indexes = cursor.fetchall()
        for name, _ in plain_indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        step("contacts", CONTACTS_SQL, params)
        step("leads", LEADS_SQL, params)
        step("stage visits", VISITS_SQL, params)
        step("activities: created", CREATED_SQL, params)
        step("activities: stage changes", MOVES_SQL, params)
        step("activities: converted", CONVERTED_SQL, params)
        step("activities: calls, notes", CALLS_SQL, params)
        detail_lead_id = _detail_lead(cursor, params)
        step("activities: detail lead", DETAIL_SQL, {**params, "lead": detail_lead_id, "k": DETAIL_ACTIVITIES})
        begun = time.monotonic()
        for _, definition in plain_indexes:
            cursor.execute(definition)
        log(f"  {'indexes rebuilt':<28} {len(plain_indexes):>10,}       {time.monotonic() - begun:6.1f}s")
        # The replica role kept the rollup triggers quiet too: count the org's rollup once, as rebuild_rollups does.
        begun = time.monotonic()
        rollup_sql.rebuild_org(cursor, org.pk)
        log(f"  {'lead rollup rebuilt':<28} {'':>10}       {time.monotonic() - begun:6.1f}s")
    begun = time.monotonic()
    with connection.cursor() as cursor:
        # A visibility map for index-only scans, and statistics of every table (the small ones
        # too: stages, pipelines, members) so the plans are those of a live, analyzed database.
        for table in BULK_TABLES:
            cursor.execute(f"VACUUM {table}")
        cursor.execute("ANALYZE")
    log(f"  {'vacuum, analyze':<28} {'':>10}       {time.monotonic() - begun:6.1f}s")
    log(f"Done in {time.monotonic() - started:.0f}s")
    return BenchOrg(org, owner, pipelines, detail_lead_id, leads)


BULK_TABLES = ("leads_contact", "leads_lead", "leads_stagevisit", "leads_activity")
PLAIN_INDEXES_SQL = """
SELECT i.relname, pg_get_indexdef(x.indexrelid)
FROM pg_index AS x
JOIN pg_class AS i ON i.oid = x.indexrelid
JOIN pg_class AS t ON t.oid = x.indrelid
WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary
"""


def _detail_lead(cursor, params: dict) -> str:
    cursor.execute(DETAIL_LEAD_SQL, params)
    return cursor.fetchone()[0]


# Its last touch point (DETAIL_SQL) is at its last change; its notes name it (``find``), its search text too.
DETAIL_LEAD_SQL = """
UPDATE leads_lead AS l
SET notes = 'benchmark: the lead with 200 activities', last_activity_at = l.updated_at,
    search_text = leads_search_text(c.name, c.email, c.company, 'benchmark: the lead with 200 activities')
FROM leads_contact AS c
WHERE c.id = l.contact_id
  AND l.id = (SELECT id FROM leads_lead WHERE organization_id = %(org)s AND pipeline_id = (%(pipelines)s::text[])[1]
              ORDER BY id OFFSET %(big)s / 2 LIMIT 1)
RETURNING l.id
"""


# Ids: the prefix and 26 hex digits (hex digits are valid Crockford base32),
# increasing with the row number, so id order follows creation order.
CONTACTS_SQL = """
INSERT INTO leads_contact (id, organization_id, created_at, updated_at, name, email, phone, company)
SELECT 'contact_' || lpad(to_hex(i), 26, '0'), %(org)s, t, t,
       (%(first)s::text[])[1 + (i * 7919) %% cardinality((%(first)s::text[]))] || ' ' ||
       (%(heads)s::text[])[1 + (i * 104729 / 7) %% cardinality((%(heads)s::text[]))] ||
       (%(tails)s::text[])[1 + (i * 15485863 / 13) %% cardinality((%(tails)s::text[]))],
       'contact' || i || '@' || (%(domains)s::text[])[1 + i %% cardinality((%(domains)s::text[]))],
       '+1555' || lpad(i::text, 7, '0'),
       (%(cheads)s::text[])[1 + (i * 31) %% cardinality((%(cheads)s::text[]))] || ' ' ||
       (%(ctails)s::text[])[1 + (i * 17 / 3) %% cardinality((%(ctails)s::text[]))] || ' ' ||
       (%(csuffix)s::text[])[1 + (i / 11) %% cardinality((%(csuffix)s::text[]))]
FROM generate_series(0::bigint, %(contacts)s - 1) AS i,
     LATERAL (SELECT now() - interval '731 days' + (i::float / %(contacts)s) * interval '730 days' AS t) AS ts
"""

# Lead i has contact i mod contacts: the last fifth of the leads reuse a contact, always in the next
# pipeline of that contact's first lead, so (contact, pipeline) stays unique. Pipelines interleave in
# time, by a hash of the first lead's number; the shares 15:6:5 of first leads come out as 50/30/20 %
# after that shift. Stage by share; status from the stage; created over two years in id order.
# r_campaign < 0.4: a utm key (campaign set too below 0.2); 0.4 to 0.45: a campaign set by hand, no utm.
# The last activity is the lead's last stage move or its call (CALLS_SQL picks the same leads by
# the same hash), else its creation. The search text is composed here, as the triggers (off for
# this load) would: migration 0007's leads_search_text of the contact and the notes.
LEADS_SQL = """
WITH g AS (
    SELECT i,
           CASE WHEN i < %(contacts)s THEN first_p ELSE first_p %% 3 + 1 END AS p,
           random() AS r_stage, random() AS r_touch, random() AS r_value, random() AS r_source,
           random() AS r_campaign, random() AS r_rep, random() AS r_note, random() AS r_social
    FROM generate_series(0::bigint, %(n)s - 1) AS i,
         LATERAL (SELECT ((i %% %(contacts)s) * 2654435761 %% 4294967296) / 4294967296.0 AS r_pipeline) AS h,
         LATERAL (SELECT CASE WHEN r_pipeline < 15 / 26.0 THEN 1 WHEN r_pipeline < 21 / 26.0 THEN 2 ELSE 3 END
                  AS first_p) AS f
), shaped AS (
    SELECT g.*,
           CASE WHEN r_stage < 0.30 THEN 1 WHEN r_stage < 0.55 THEN 2 WHEN r_stage < 0.75 THEN 3
                WHEN r_stage < 0.90 THEN 4 ELSE 5 END AS stage_order,
           now() - interval '730 days' + (i::float / %(n)s) * interval '729 days' AS created,
           (%(sources)s::text[])[1 + width_bucket(r_source, (%(source_cut)s::float8[]))] AS source,
           1 + floor(%(utm_key_count)s * power(r_campaign / 0.4, 2.5))::int AS key_index,
           1 + floor(%(campaign_count)s * (r_campaign - 0.4) / 0.05)::int AS hand_index,
           'lead_' || lpad(to_hex(i), 26, '0') AS lead_id,
           CASE WHEN r_note < 0.25
                THEN 'Asked about ' || (%(words)s::text[])[1 + (i %% cardinality((%(words)s::text[])))] ELSE '' END
               AS note
    FROM g
)
INSERT INTO leads_lead (
    id, organization_id, created_at, updated_at, contact_id, pipeline_id, stage_id, status, source, value, notes,
    utm_source, utm_medium, utm_campaign, utm_term, utm_content, assigned_to_id, campaign_id, social_account_id,
    content_post_id, conversation_id, converted_at, custom_fields, last_activity_at, search_text
)
SELECT lead_id, %(org)s, created, touched, c.id,
       (%(pipelines)s::text[])[p], st.id, st.status, source,
       CASE WHEN r_value < 0.7 THEN round((exp(4 + r_value * 7))::numeric, 2) END,
       note,
       CASE WHEN r_campaign < 0.4 THEN source END,
       CASE WHEN r_campaign >= 0.4 THEN NULL
            WHEN source = 'google_ads' THEN 'cpc' WHEN source = 'email' THEN 'email'
            WHEN source IN ('facebook', 'instagram', 'linkedin', 'tiktok') THEN 'paid_social' ELSE 'organic' END,
       CASE WHEN r_campaign < 0.4 THEN (%(campaign_keys)s::text[])[key_index] END,
       NULL, NULL,
       CASE WHEN r_rep < 0.8 THEN (%(reps)s::text[])[1 + floor(r_rep / 0.8 * cardinality((%(reps)s::text[])))::int] END,
       -- Past the org's campaigns the array gives NULL: a key nobody registered.
       CASE WHEN r_campaign < 0.2 THEN (%(campaigns)s::text[])[key_index]
            WHEN r_campaign >= 0.4 AND r_campaign < 0.45 THEN (%(campaigns)s::text[])[hand_index] END,
       CASE WHEN r_social < 0.05 THEN (%(accounts)s::text[])[1 + (i %% cardinality((%(accounts)s::text[])))] END,
       CASE WHEN r_social < 0.05 THEN (%(posts)s::text[])[1 + (i %% cardinality((%(posts)s::text[])))] END,
       NULL,
       CASE WHEN st.status = 'CONVERTED' THEN touched END,
       '{}'::jsonb, CASE WHEN stage_order > 1 OR called THEN touched ELSE created END,
       leads_search_text(c.name, c.email, c.company, note)
FROM (
    SELECT shaped.*,
           least(created + r_touch * (now() - created), now()) AS touched,
           i %% %(contacts)s AS contact_no,
           (hashtext(lead_id || ':call') & 2147483647) %% 10 < 3 AS called
    FROM shaped
) AS s
JOIN pipelines_stage AS st ON st.pipeline_id = (%(pipelines)s::text[])[p] AND st."order" = s.stage_order
JOIN leads_contact AS c ON c.id = 'contact_' || lpad(to_hex(s.contact_no), 26, '0')
"""

# One visit per stage the lead went through, spaced evenly between creation and the last change; the
# last one still open. The route to its stage (board order: New, Qualified, Contacted, Converted,
# Lost) is picked by a hash of the lead: lost from New, Qualified or Contacted alike, and of the
# leads past Qualified a tenth skipped it and a tenth went back to it once; the rest went straight.
_PATH = """
SELECT l.id AS lead_id, l.pipeline_id, l.created_at, l.updated_at, l.organization_id, step.stage_order, step.j,
       cardinality(r.path) AS m
FROM leads_lead AS l
JOIN pipelines_stage AS cur ON cur.id = l.stage_id
CROSS JOIN LATERAL (SELECT hashtext(l.id) & 2147483647 AS h) AS lead_hash
JOIN (VALUES (1, 0, ARRAY[1]), (2, 0, ARRAY[1, 2]),
             (3, 0, ARRAY[1, 2, 3]), (3, 1, ARRAY[1, 3]), (3, 2, ARRAY[1, 2, 3, 2, 3]),
             (4, 0, ARRAY[1, 2, 3, 4]), (4, 1, ARRAY[1, 3, 4]), (4, 2, ARRAY[1, 2, 3, 2, 3, 4]),
             (5, 0, ARRAY[1, 5]), (5, 1, ARRAY[1, 2, 5]), (5, 2, ARRAY[1, 2, 3, 5])
     ) AS r(last_order, variant, path)
  ON r.last_order = cur."order"
 AND r.variant = CASE WHEN cur."order" = 5 THEN h %% 3
                      WHEN cur."order" >= 3 AND h %% 10 < 2 THEN 1 + h %% 10
                      ELSE 0 END
CROSS JOIN LATERAL unnest(r.path) WITH ORDINALITY AS step(stage_order, j)
WHERE l.organization_id = %(org)s
"""

VISITS_SQL = f"""
INSERT INTO leads_stagevisit (organization_id, lead_id, stage_id, entered_at, left_at)
SELECT v.organization_id, v.lead_id, s.id,
       v.created_at + (v.updated_at - v.created_at) * ((v.j - 1)::float / greatest(v.m - 1, 1)),
       CASE WHEN v.j < v.m THEN v.created_at + (v.updated_at - v.created_at) * (v.j::float / (v.m - 1)) END
FROM ({_PATH}) AS v
JOIN pipelines_stage AS s ON s.pipeline_id = v.pipeline_id AND s."order" = v.stage_order
"""

CREATED_SQL = """
INSERT INTO leads_activity (id, organization_id, created_at, updated_at, lead_id, type, description, metadata, actor_id)
SELECT 'activity_0' || substr(l.id, 7), l.organization_id, l.created_at, l.created_at, l.id, 'CREATED',
       'Lead created', jsonb_build_object('stageId', first_stage.id, 'source', l.source), NULL
FROM leads_lead AS l
JOIN pipelines_stage AS first_stage ON first_stage.pipeline_id = l.pipeline_id AND first_stage."order" = 1
WHERE l.organization_id = %(org)s
"""

MOVES_SQL = """
INSERT INTO leads_activity (id, organization_id, created_at, updated_at, lead_id, type, description, metadata, actor_id)
SELECT 'activity_' || v.j || substr(v.lead_id, 7), v.organization_id, v.entered_at, v.entered_at, v.lead_id,
       'STAGE_CHANGED', 'Moved from ' || prev.name || ' to ' || s.name,
       jsonb_build_object('fromStageId', prev.id, 'toStageId', s.id), NULL
FROM (
    SELECT sv.*, row_number() OVER (PARTITION BY sv.lead_id ORDER BY sv.entered_at, sv.id) AS j,
           lag(sv.stage_id) OVER (PARTITION BY sv.lead_id ORDER BY sv.entered_at, sv.id) AS prev_stage_id
    FROM leads_stagevisit AS sv
    WHERE sv.organization_id = %(org)s
) AS v
JOIN pipelines_stage AS s ON s.id = v.stage_id
JOIN pipelines_stage AS prev ON prev.id = v.prev_stage_id
"""

CONVERTED_SQL = """
INSERT INTO leads_activity (id, organization_id, created_at, updated_at, lead_id, type, description, metadata, actor_id)
SELECT 'activity_c' || substr(l.id, 7), l.organization_id, l.converted_at, l.converted_at, l.id, 'CONVERTED',
       'Lead converted', '{}'::jsonb, NULL
FROM leads_lead AS l
WHERE l.organization_id = %(org)s AND l.status = 'CONVERTED'
"""

CALLS_SQL = """
INSERT INTO leads_activity (id, organization_id, created_at, updated_at, lead_id, type, description, metadata, actor_id)
SELECT 'activity_d' || substr(l.id, 7), l.organization_id, l.updated_at, l.updated_at, l.id,
       CASE WHEN random() < 0.5 THEN 'CALL' ELSE 'NOTE' END,
       'Followed up about ' || (%(words)s::text[])[1 + (hashtext(l.id) & 2147483647) %% 10],
       '{}'::jsonb, l.assigned_to_id
FROM leads_lead AS l
WHERE l.organization_id = %(org)s AND (hashtext(l.id || ':call') & 2147483647) %% 10 < 3
"""

# The touch points that bring the lead to DETAIL_ACTIVITIES activities, spread over its life,
# the last one at its last change.
DETAIL_SQL = """
WITH missing AS (SELECT %(k)s - count(*)::int AS n FROM leads_activity WHERE lead_id = %(lead)s)
INSERT INTO leads_activity (id, organization_id, created_at, updated_at, lead_id, type, description, metadata, actor_id)
SELECT 'activity_e' || lpad(to_hex(k), 25, '0'), l.organization_id,
       l.created_at + (l.updated_at - l.created_at) * (k::float / m.n),
       l.created_at + (l.updated_at - l.created_at) * (k::float / m.n), l.id,
       (ARRAY['CALL', 'NOTE', 'EMAIL_SENT', 'EMAIL_RECEIVED', 'MEETING'])[1 + k %% 5],
       'Touch point ' || k, jsonb_build_object('n', k), l.assigned_to_id
FROM leads_lead AS l, missing AS m, generate_series(1, m.n) AS k
WHERE l.id = %(lead)s
"""
