"""The first lead rollup's SQL, frozen for migrations 0001 and 0002 (0003 replaces it; see ``analytics.rollup_sql``).

Each change is an additive delta applied with INSERT … ON CONFLICT DO UPDATE,
so concurrent writers to the same group never lose each other's update.
"""

GROUP_COLUMNS = "organization_id, pipeline_id, stage_id, status, source, assignee_id, created_day"

# The live aggregate the rollup must equal, per organization (``%s`` is the org id).
LIVE_GROUPS = """
    SELECT organization_id, pipeline_id, stage_id, status, source, assigned_to_id AS assignee_id,
           (created_at AT TIME ZONE 'UTC')::date AS created_day,
           count(*) AS lead_count, count(value) AS valued_count, coalesce(sum(value), 0) AS value_total
    FROM leads_lead WHERE organization_id = %s
    GROUP BY 1, 2, 3, 4, 5, 6, 7
"""

# An update touches two groups. Two leads moving opposite ways (A→B and B→A) would lock the two
# rollup rows in opposite orders and deadlock, so the rows are always locked in the order of
# their group key, whichever is the old one.
TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION analytics_lead_rollup_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM analytics_lead_rollup_add(NEW, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM analytics_lead_rollup_add(OLD, -1);
    ELSIF analytics_lead_rollup_key(OLD) <= analytics_lead_rollup_key(NEW) THEN
        PERFORM analytics_lead_rollup_add(OLD, -1);
        PERFORM analytics_lead_rollup_add(NEW, 1);
    ELSE
        PERFORM analytics_lead_rollup_add(NEW, 1);
        PERFORM analytics_lead_rollup_add(OLD, -1);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

# The group a lead counts in, as one comparable value.
KEY_FUNCTION = """
CREATE OR REPLACE FUNCTION analytics_lead_rollup_key(r leads_lead) RETURNS text AS $$
    SELECT concat_ws(chr(31), r.organization_id, r.pipeline_id, r.stage_id, r.status,
                     coalesce(r.source, ''), coalesce(r.assigned_to_id, ''),
                     (r.created_at AT TIME ZONE 'UTC')::date)
$$ LANGUAGE sql IMMUTABLE;
"""

CREATE = f"""
CREATE UNIQUE INDEX analytics_leadrollup_group_uniq ON analytics_leadrollup
    ({GROUP_COLUMNS}) NULLS NOT DISTINCT;

CREATE FUNCTION analytics_lead_rollup_add(r leads_lead, sign integer) RETURNS void AS $$
BEGIN
    INSERT INTO analytics_leadrollup ({GROUP_COLUMNS}, lead_count, valued_count, value_total)
    VALUES (r.organization_id, r.pipeline_id, r.stage_id, r.status, r.source, r.assigned_to_id,
            (r.created_at AT TIME ZONE 'UTC')::date,
            sign, CASE WHEN r.value IS NULL THEN 0 ELSE sign END, sign * coalesce(r.value, 0))
    ON CONFLICT ({GROUP_COLUMNS}) DO UPDATE SET
        lead_count = analytics_leadrollup.lead_count + EXCLUDED.lead_count,
        valued_count = analytics_leadrollup.valued_count + EXCLUDED.valued_count,
        value_total = analytics_leadrollup.value_total + EXCLUDED.value_total;
END;
$$ LANGUAGE plpgsql;
{KEY_FUNCTION}{TRIGGER_FUNCTION}
CREATE TRIGGER analytics_lead_rollup_ins_del AFTER INSERT OR DELETE ON leads_lead
    FOR EACH ROW EXECUTE FUNCTION analytics_lead_rollup_trigger();

-- Only updates that move a lead between groups or change its value touch the rollup.
CREATE TRIGGER analytics_lead_rollup_upd AFTER UPDATE ON leads_lead
    FOR EACH ROW WHEN (
        (OLD.organization_id, OLD.pipeline_id, OLD.stage_id, OLD.status, OLD.source, OLD.assigned_to_id,
         OLD.created_at, OLD.value)
        IS DISTINCT FROM
        (NEW.organization_id, NEW.pipeline_id, NEW.stage_id, NEW.status, NEW.source, NEW.assigned_to_id,
         NEW.created_at, NEW.value)
    ) EXECUTE FUNCTION analytics_lead_rollup_trigger();
"""

DROP = """
DROP TRIGGER IF EXISTS analytics_lead_rollup_upd ON leads_lead;
DROP TRIGGER IF EXISTS analytics_lead_rollup_ins_del ON leads_lead;
DROP FUNCTION IF EXISTS analytics_lead_rollup_trigger();
DROP FUNCTION IF EXISTS analytics_lead_rollup_key(leads_lead);
DROP FUNCTION IF EXISTS analytics_lead_rollup_add(leads_lead, integer);
DROP INDEX IF EXISTS analytics_leadrollup_group_uniq;
"""


def rebuild_org(cursor, org_id: str) -> None:
    """Replace one org's rollup rows with the live aggregate, under a lock that holds its lead writers back.

    The SHARE ROW EXCLUSIVE lock lets reads go on while the org is recounted; writes wait, so no
    trigger delta falls between the delete and the insert.
    """
    cursor.execute("LOCK TABLE leads_lead IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute("DELETE FROM analytics_leadrollup WHERE organization_id = %s", [org_id])
    cursor.execute(
        f"INSERT INTO analytics_leadrollup ({GROUP_COLUMNS}, lead_count, valued_count, value_total) {LIVE_GROUPS}",
        [org_id],
    )


DIFFERENCES = f"""
    WITH live AS ({LIVE_GROUPS}),
    rolled AS (
        SELECT {GROUP_COLUMNS}, lead_count, valued_count, value_total FROM analytics_leadrollup
        WHERE organization_id = %s AND (lead_count <> 0 OR valued_count <> 0 OR value_total <> 0)
    )
    SELECT count(*) FROM (
        (SELECT * FROM live EXCEPT ALL SELECT * FROM rolled)
        UNION ALL
        (SELECT * FROM rolled EXCEPT ALL SELECT * FROM live)
    ) AS differences
"""
