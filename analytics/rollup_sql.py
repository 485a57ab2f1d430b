"""The rollup tables, the PostgreSQL triggers that keep them exact, and the live aggregates they mirror.

A rollup is a table of groups (its ``dims``) holding additive sums (its
``measures``) over the leads, or the stage visits, of each group. Every one
comes twice: without the day of creation (what a report without a date filter
reads: a few thousand rows at most, whatever the number of leads) and with it
(``…_day``: whole UTC days of a date range). Everything here is generated
from those definitions, so the trigger, the rebuild, the check and a report's
live edges compute each figure with the same expression.

Each change is an additive delta applied with INSERT … ON CONFLICT DO UPDATE,
in the writer's transaction, so concurrent writers never lose each other's
update. A write takes a transaction-level advisory lock on its organization
before touching any rollup row: a move updates the visit groups of two stages
in two statements, and two opposite moves would otherwise lock them in
opposite orders and deadlock.

Expressions name the lead ``{l}`` and the stage visit ``{v}``: ``l``/``v`` in
the live SQL and in the functions' parameters, ``OLD``/``NEW`` in triggers.
"""

from dataclasses import dataclass, replace

# pg_advisory_xact_lock(class, org): the class keeps these locks apart from any other use.
LOCK_CLASS = 18_001


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    expression: str


@dataclass(frozen=True)
class Rollup:
    name: str
    over: str  # "lead" or "visit": what one row of the live aggregate is
    dims: tuple[Column, ...]
    measures: tuple[Column, ...]
    # The lead columns the rollup reads: an update that changes none of them leaves it alone.
    reads: tuple[str, ...]
    only: str = ""  # rows that count at all (a condition), or every row

    @property
    def table(self) -> str:
        return f"analytics_{self.name}"

    @property
    def daily(self) -> bool:
        return self.dims[-1].name == "created_day"

    @property
    def day(self) -> str | None:
        """The dim a date range reads whole UTC days of (indexed after the org), if the rollup has one."""
        last = self.dims[-1].name
        return last if last in ("created_day", "converted_day") else None

    @property
    def dim_names(self) -> str:
        return ", ".join(column.name for column in self.dims)

    @property
    def measure_names(self) -> str:
        return ", ".join(column.name for column in self.measures)

    def measure(self, name: str) -> Column:
        return next(column for column in self.measures if column.name == name)

    def dim(self, name: str) -> Column:
        return next(column for column in self.dims if column.name == name)


CREATED_DAY = Column("created_day", "date", "({l}.created_at AT TIME ZONE 'UTC')::date")


def by_day(rollup: Rollup) -> Rollup:
    return replace(rollup, name=f"{rollup.name}_day", dims=(*rollup.dims, CREATED_DAY))


def _micros(interval: str) -> str:
    return f"extract(epoch FROM {interval}) * 1000000"


STATUS_COUNTS = tuple(
    Column(f"{status.lower()}_count", "bigint", f"({{l}}.status = '{status}')::int")
    for status in ("NEW", "QUALIFIED", "CONTACTED", "CONVERTED", "LOST")
)
LEAD_COUNT = Column("lead_count", "bigint", "1")
CONVERTED_COUNT = Column("converted_count", "bigint", "({l}.status = 'CONVERTED')::int")
VALUED_COUNT = Column("valued_count", "bigint", "({l}.value IS NOT NULL)::int")
VALUE_TOTAL = Column("value_total", "numeric(20, 2)", "coalesce({l}.value, 0)")
ORG = Column("organization_id", "varchar(30)", "{l}.organization_id")
PIPELINE = Column("pipeline_id", "varchar(35)", "{l}.pipeline_id")
ASSIGNEE = Column("assignee_id", "varchar(31)", "{l}.assigned_to_id")

# Stats, sources, the pipeline's stage figures, the funnel's open leads and the board's columns.
LEAD_TOTALS = Rollup(
    name="lead_totals",
    over="lead",
    dims=(
        ORG,
        PIPELINE,
        Column("stage_id", "varchar(32)", "{l}.stage_id"),
        Column("source", "varchar(100)", "{l}.source"),
        ASSIGNEE,
    ),
    measures=(
        LEAD_COUNT,
        *STATUS_COUNTS,
        VALUED_COUNT,
        VALUE_TOTAL,
        Column(
            "open_value_total",
            "numeric(20, 2)",
            "CASE WHEN {l}.status IN ('CONVERTED', 'LOST') THEN 0 ELSE coalesce({l}.value, 0) END",
        ),
        # The board's weighted value: value × the lead's own probability where it has one; the value
        # of the leads without one is weighted by their stage's probability when read.
        Column("own_chance_value", "numeric(20, 2)", "coalesce({l}.value * {l}.probability, 0)"),
        Column(
            "stage_chance_value",
            "numeric(20, 2)",
            "CASE WHEN {l}.probability IS NULL THEN coalesce({l}.value, 0) ELSE 0 END",
        ),
        # Time to convert, summed: the pipeline report's mean is this over converted_count.
        Column(
            "convert_micros",
            "numeric",
            f"CASE WHEN {{l}}.status = 'CONVERTED' THEN coalesce({_micros('{l}.converted_at - {l}.created_at')}, 0) "
            "ELSE 0 END",
        ),
    ),
    reads=(
        "organization_id",
        "pipeline_id",
        "stage_id",
        "source",
        "assigned_to_id",
        "created_at",
        "status",
        "value",
        "converted_at",
        "probability",
    ),
)

# Stats and sources read this narrower copy when no date filter is given (a few hundred rows
# where lead_totals has thousands); a date range reads lead_totals_day.
SOURCE_TOTALS = Rollup(
    name="source_totals",
    over="lead",
    dims=(ORG, PIPELINE, Column("source", "varchar(100)", "{l}.source"), ASSIGNEE),
    measures=(LEAD_COUNT, *STATUS_COUNTS, VALUED_COUNT, VALUE_TOTAL),
    reads=("organization_id", "pipeline_id", "source", "assigned_to_id", "status", "value"),
)

# The narrowest copies, for what a dashboard asks most (no pipeline filter, every lead visible; a
# pipeline's stages): tens of rows. A report reads the narrowest rollup that has its columns.
ORG_SOURCE_TOTALS = replace(SOURCE_TOTALS, name="org_source_totals", dims=(ORG, SOURCE_TOTALS.dim("source")))
STAGE_TOTALS = replace(LEAD_TOTALS, name="stage_totals", dims=LEAD_TOTALS.dims[:3])

# A lead's campaign key: its own campaign's utm key, else its utmCampaign. Keys are unique per
# org, so the campaigns report joins these groups to the org's campaigns by key.
CAMPAIGN_KEY = (
    "coalesce((SELECT c.utm_campaign FROM leads_campaign AS c WHERE c.id = {l}.campaign_id), {l}.utm_campaign)"
)
CAMPAIGN_TOTALS = Rollup(
    name="campaign_totals",
    over="lead",
    dims=(ORG, PIPELINE, Column("campaign_key", "varchar(200)", CAMPAIGN_KEY), ASSIGNEE),
    measures=(LEAD_COUNT, CONVERTED_COUNT, VALUED_COUNT, VALUE_TOTAL),
    reads=(
        "organization_id",
        "pipeline_id",
        "assigned_to_id",
        "created_at",
        "status",
        "value",
        "campaign_id",
        "utm_campaign",
    ),
    only="{l}.campaign_id IS NOT NULL OR {l}.utm_campaign IS NOT NULL",
)

# Time in stage: closed visits' summed lengths, and for open ones a count and the sum of their
# entry instants, so "now" is applied when reading (open time = count × now − sum of entries).
# Grouped by the visited stage and by the lead's pipeline, assignee and creation, which the
# pipeline report's filters narrow by.
VISIT_TOTALS = Rollup(
    name="visit_totals",
    over="visit",
    dims=(
        Column("organization_id", "varchar(30)", "{v}.organization_id"),
        PIPELINE,
        Column("stage_id", "varchar(32)", "{v}.stage_id"),
        ASSIGNEE,
    ),
    measures=(
        Column("closed_count", "bigint", "({v}.left_at IS NOT NULL)::int"),
        Column("closed_micros", "numeric", f"coalesce({_micros('{v}.left_at - {v}.entered_at')}, 0)"),
        Column("open_count", "bigint", "({v}.left_at IS NULL)::int"),
        Column(
            "open_entered_micros",
            "numeric",
            f"CASE WHEN {{v}}.left_at IS NULL THEN {_micros('{v}.entered_at')} ELSE 0 END",
        ),
    ),
    reads=("pipeline_id", "assigned_to_id", "created_at"),
)

ORG_CAMPAIGN_TOTALS = replace(
    CAMPAIGN_TOTALS, name="org_campaign_totals", dims=(ORG, CAMPAIGN_TOTALS.dim("campaign_key"))
)
VISIT_STAGE_TOTALS = replace(
    VISIT_TOTALS, name="visit_stage_totals", dims=(VISIT_TOTALS.dims[0], VISIT_TOTALS.dim("stage_id"))
)
NARROW = (ORG_SOURCE_TOTALS, STAGE_TOTALS, ORG_CAMPAIGN_TOTALS, VISIT_STAGE_TOTALS)

# The funnel: leads by the set of stages they ever visited (sorted stage ids; null: none yet). How
# far a set got (its furthest non-exit stage by order) is worked out when reading, so reordering
# stages or changing a stage's status needs no recount. The triggers keep each lead's counted set in
# PATH_TABLE: the row triggers of a multi-row visit statement all see the table after it, so the set
# a lead was counted under cannot be recomputed from the visits.
STAGE_PATH = Column(
    "stage_ids",
    "varchar(32)[]",
    "(SELECT array_agg(DISTINCT pv.stage_id ORDER BY pv.stage_id) "
    "FROM leads_stagevisit AS pv WHERE pv.lead_id = {l}.id)",
)
PATH_TOTALS = Rollup(
    name="path_totals",
    over="path",
    dims=(ORG, PIPELINE, ASSIGNEE, STAGE_PATH),
    measures=(LEAD_COUNT,),
    reads=("organization_id", "pipeline_id", "assigned_to_id", "created_at"),
)
# Every lead of the org, whatever its pipeline: the funnel without a date range or visibility.
ORG_PATH_TOTALS = replace(PATH_TOTALS, name="org_path_totals", dims=(ORG, STAGE_PATH))
PATH_TABLE = "analytics_lead_path"

# The forecast: open leads by month of expected close date (null: unscheduled), with the stage so the
# value of leads without a probability of their own is weighted by their stage's when read.
FORECAST_TOTALS = Rollup(
    name="forecast_totals",
    over="lead",
    dims=(
        ORG,
        PIPELINE,
        LEAD_TOTALS.dim("stage_id"),
        ASSIGNEE,
        Column("close_month", "date", "date_trunc('month', {l}.expected_close_date)::date"),
    ),
    measures=(
        LEAD_COUNT,
        VALUE_TOTAL,
        LEAD_TOTALS.measure("own_chance_value"),
        LEAD_TOTALS.measure("stage_chance_value"),
    ),
    reads=(
        "organization_id",
        "pipeline_id",
        "stage_id",
        "assigned_to_id",
        "created_at",
        "status",
        "value",
        "probability",
        "expected_close_date",
    ),
    only="{l}.status NOT IN ('CONVERTED', 'LOST')",
)

# Win/loss: closed leads by lost reason (won leads carry none).
WIN_LOSS_TOTALS = Rollup(
    name="win_loss_totals",
    over="lead",
    dims=(ORG, PIPELINE, ASSIGNEE, Column("lost_reason_id", "varchar(33)", "{l}.lost_reason_id")),
    measures=(
        Column("won_count", "bigint", "({l}.status = 'CONVERTED')::int"),
        Column(
            "won_value", "numeric(20, 2)", "CASE WHEN {l}.status = 'CONVERTED' THEN coalesce({l}.value, 0) ELSE 0 END"
        ),
        Column("lost_count", "bigint", "({l}.status = 'LOST')::int"),
        Column("lost_value", "numeric(20, 2)", "CASE WHEN {l}.status = 'LOST' THEN coalesce({l}.value, 0) ELSE 0 END"),
    ),
    reads=("organization_id", "pipeline_id", "assigned_to_id", "created_at", "status", "value", "lost_reason_id"),
    only="{l}.status IN ('CONVERTED', 'LOST')",
)
ORG_FORECAST_TOTALS = replace(
    FORECAST_TOTALS, name="org_forecast_totals", dims=(ORG, *FORECAST_TOTALS.dims[2:3], FORECAST_TOTALS.dims[-1])
)
ORG_WIN_LOSS_TOTALS = replace(WIN_LOSS_TOTALS, name="org_win_loss_totals", dims=(ORG, WIN_LOSS_TOTALS.dims[-1]))
SALES = (FORECAST_TOTALS, WIN_LOSS_TOTALS)

# A date range's figures by owner alone (no stage, no source): tens of rows a day where
# lead_totals_day has hundreds (one per stage × source × assignee seen that day). Stats over a
# range and the dashboard's leads created per week read it.
OWNER_TOTALS_DAY = replace(by_day(LEAD_TOTALS), name="owner_totals_day", dims=(ORG, PIPELINE, ASSIGNEE, CREATED_DAY))
# Leads by UTC day of conversion, whenever they were created: the dashboard's converted per week.
CONVERSION_DAYS = Rollup(
    name="conversion_days",
    over="lead",
    dims=(ORG, PIPELINE, ASSIGNEE, Column("converted_day", "date", "({l}.converted_at AT TIME ZONE 'UTC')::date")),
    measures=(LEAD_COUNT,),
    reads=("organization_id", "pipeline_id", "assigned_to_id", "converted_at"),
    only="{l}.converted_at IS NOT NULL",
)
# What migration 0009 added.
DAY_ROLLUPS = (OWNER_TOTALS_DAY, CONVERSION_DAYS)

ROLLUPS = {
    rollup.name: rollup
    for base in (LEAD_TOTALS, CAMPAIGN_TOTALS, VISIT_TOTALS, PATH_TOTALS, *SALES)
    for rollup in (base, by_day(base))
} | {
    rollup.name: rollup
    for rollup in (SOURCE_TOTALS, *NARROW, ORG_PATH_TOTALS, ORG_FORECAST_TOTALS, ORG_WIN_LOSS_TOTALS, *DAY_ROLLUPS)
}
# What migration 0008 added.
SALES_ROLLUPS = [r for r in ROLLUPS.values() if r.name.removeprefix("org_").startswith(("forecast", "win_loss"))]
LEAD_ROLLUPS = [rollup for rollup in ROLLUPS.values() if rollup.over == "lead"]
VISIT_ROLLUPS = [rollup for rollup in ROLLUPS.values() if rollup.over == "visit"]
PATH_ROLLUPS = [rollup for rollup in ROLLUPS.values() if rollup.over == "path"]


def expression(text: str, lead: str = "l", visit: str = "v") -> str:
    return text.replace("{l}", lead).replace("{v}", visit)


# --- the live aggregates ------------------------------------------------------------


def live_from(rollup: Rollup) -> str:
    if rollup.over in ("lead", "path"):
        return "leads_lead AS l"
    return "leads_stagevisit AS v JOIN leads_lead AS l ON l.id = v.lead_id"


def live_rows(rollup: Rollup, where: str) -> str:
    """One row per lead (or visit) with its group and its measures, under their column names."""
    columns = ", ".join(f"{expression(c.expression)} AS {c.name}" for c in (*rollup.dims, *rollup.measures))
    only = f" AND ({expression(rollup.only)})" if rollup.only else ""
    return f"SELECT {columns} FROM {live_from(rollup)} WHERE {where}{only}"


def live_groups(rollup: Rollup) -> str:
    """The live aggregate the rollup must equal, for one organization (``%s``)."""
    org = rollup.dims[0].expression
    sums = ", ".join(f"sum({c.name}) AS {c.name}" for c in rollup.measures)
    return (
        f"SELECT {rollup.dim_names}, {sums} FROM ({live_rows(rollup, expression(org) + ' = %s')}) AS rows "
        f"GROUP BY {rollup.dim_names}"
    )


# --- the triggers ---------------------------------------------------------------------


_ADD_PARAMS = {
    "lead": "leads_lead, integer",
    "visit": "leads_stagevisit, leads_lead, integer",
    "path": "leads_lead, varchar[], integer",
}
_PARAMS = {
    "lead": "l leads_lead, sign integer",
    "visit": "v leads_stagevisit, l leads_lead, sign integer",
    # The set a lead is counted under is given: the stored one, or the one it has now.
    "path": "l leads_lead, path varchar[], sign integer",
}


def _add_function(rollup: Rollup) -> str:
    params = _PARAMS[rollup.over]
    values = ", ".join(
        ["path" if c is STAGE_PATH else expression(c.expression) for c in rollup.dims]
        + [f"sign * ({expression(c.expression)})" for c in rollup.measures]
    )
    updates = ", ".join(f"{c.name} = {rollup.table}.{c.name} + EXCLUDED.{c.name}" for c in rollup.measures)
    guard = f"IF NOT ({expression(rollup.only)}) THEN RETURN; END IF;\n    " if rollup.only else ""
    return f"""
CREATE OR REPLACE FUNCTION {rollup.table}_add({params}) RETURNS void AS $$
BEGIN
    {guard}INSERT INTO {rollup.table} ({rollup.dim_names}, {rollup.measure_names}) VALUES ({values})
    ON CONFLICT ({rollup.dim_names}) DO UPDATE SET {updates};
END;
$$ LANGUAGE plpgsql;
"""


def _changed(columns, old: str = "OLD", new: str = "NEW") -> str:
    return f"({', '.join(f'{old}.{c}' for c in columns)}) IS DISTINCT FROM ({', '.join(f'{new}.{c}' for c in columns)})"


def _lock(org: str) -> str:
    return f"PERFORM pg_advisory_xact_lock({LOCK_CLASS}, hashtext({org}));"


def _lead_trigger_function() -> str:
    updates = "\n".join(
        f"""        IF {_changed(rollup.reads)} THEN
            PERFORM {rollup.table}_add(OLD, -1);
            PERFORM {rollup.table}_add(NEW, 1);
        END IF;"""
        for rollup in LEAD_ROLLUPS
    )
    adds = "\n".join(f"        PERFORM {r.table}_add(NEW, 1);" for r in LEAD_ROLLUPS)
    removes = "\n".join(f"        PERFORM {r.table}_add(OLD, -1);" for r in LEAD_ROLLUPS)
    visit_add = "\n".join(f"            PERFORM {r.table}_add(visit_row, NEW, 1);" for r in VISIT_ROLLUPS)
    visit_remove = "\n".join(f"            PERFORM {r.table}_add(visit_row, OLD, -1);" for r in VISIT_ROLLUPS)
    visit_reads = sorted({column for r in VISIT_ROLLUPS for column in r.reads})
    path_reads = sorted({column for r in PATH_ROLLUPS for column in r.reads})

    def paths(row: str, sign: int) -> str:
        return "\n".join(f"        PERFORM {r.table}_add({row}, visited, {sign});" for r in PATH_ROLLUPS)

    # A lead's visits count under its pipeline, assignee and creation day: when those change, or
    # the lead comes or goes, its visits move with it. (Visits written while the lead row is
    # absent, which deferred foreign keys allow, are counted here instead.)
    return f"""
CREATE OR REPLACE FUNCTION analytics_lead_rollups() RETURNS trigger AS $$
DECLARE
    visit_row leads_stagevisit;
    visited varchar[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_lock("NEW.organization_id")}
{adds}
        FOR visit_row IN SELECT * FROM leads_stagevisit WHERE lead_id = NEW.id LOOP
{visit_add}
        END LOOP;
        visited := {expression(STAGE_PATH.expression, lead="NEW")};
        IF visited IS NOT NULL THEN
            INSERT INTO {PATH_TABLE} (lead_id, organization_id, stage_ids)
            VALUES (NEW.id, NEW.organization_id, visited)
            ON CONFLICT (lead_id) DO UPDATE SET organization_id = EXCLUDED.organization_id, stage_ids = visited;
        END IF;
{paths("NEW", 1)}
    ELSIF TG_OP = 'DELETE' THEN
        {_lock("OLD.organization_id")}
{removes}
        FOR visit_row IN SELECT * FROM leads_stagevisit WHERE lead_id = OLD.id LOOP
{visit_remove}
        END LOOP;
        SELECT stage_ids INTO visited FROM {PATH_TABLE} WHERE lead_id = OLD.id;
{paths("OLD", -1)}
        DELETE FROM {PATH_TABLE} WHERE lead_id = OLD.id;
    ELSE
        {_lock("OLD.organization_id")}
        IF NEW.organization_id IS DISTINCT FROM OLD.organization_id THEN
            {_lock("NEW.organization_id")}
        END IF;
{updates}
        IF {_changed(path_reads)} THEN
            SELECT stage_ids INTO visited FROM {PATH_TABLE} WHERE lead_id = OLD.id;
{paths("OLD", -1)}
{paths("NEW", 1)}
            UPDATE {PATH_TABLE} SET organization_id = NEW.organization_id
            WHERE lead_id = NEW.id AND organization_id <> NEW.organization_id;
        END IF;
        IF {_changed(visit_reads)} THEN
            FOR visit_row IN SELECT * FROM leads_stagevisit WHERE lead_id = NEW.id LOOP
{visit_remove}
{visit_add}
            END LOOP;
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _visit_trigger_function() -> str:
    adds = "\n".join(f"            PERFORM {r.table}_add(NEW, lead_row, 1);" for r in VISIT_ROLLUPS)
    removes = "\n".join(f"            PERFORM {r.table}_add(OLD, lead_row, -1);" for r in VISIT_ROLLUPS)
    # A visit whose lead row is gone (or not there yet) was (or will be) counted by the lead's trigger.
    return f"""
CREATE OR REPLACE FUNCTION analytics_visit_rollups() RETURNS trigger AS $$
DECLARE
    lead_row leads_lead;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_lock("OLD.organization_id")}
        SELECT * INTO lead_row FROM leads_lead WHERE id = OLD.lead_id;
        IF FOUND THEN
{removes}
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_lock("NEW.organization_id")}
        SELECT * INTO lead_row FROM leads_lead WHERE id = NEW.lead_id;
        IF FOUND THEN
{adds}
        END IF;
    END IF;
    -- A lead's set of visited stages changes only with a visit's lead or stage (not its times).
    IF TG_OP = 'DELETE' THEN
        PERFORM analytics_lead_path_sync(OLD.lead_id);
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM analytics_lead_path_sync(NEW.lead_id);
    ELSIF (OLD.lead_id, OLD.stage_id) IS DISTINCT FROM (NEW.lead_id, NEW.stage_id) THEN
        PERFORM analytics_lead_path_sync(OLD.lead_id);
        IF NEW.lead_id IS DISTINCT FROM OLD.lead_id THEN
            PERFORM analytics_lead_path_sync(NEW.lead_id);
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _path_sync_function() -> str:
    removes = "\n".join(f"    PERFORM {r.table}_add(lead_row, counted, -1);" for r in PATH_ROLLUPS)
    adds = "\n".join(f"    PERFORM {r.table}_add(lead_row, visited, 1);" for r in PATH_ROLLUPS)
    # Called under the org's lock, after the visit changed: the lead moves from the set it was
    # counted under to the one its visits make now. A lead not there (yet) is counted by its trigger.
    return f"""
CREATE OR REPLACE FUNCTION analytics_lead_path_sync(lead_key varchar) RETURNS void AS $$
DECLARE
    lead_row leads_lead;
    counted varchar[];
    visited varchar[];
BEGIN
    SELECT * INTO lead_row FROM leads_lead WHERE id = lead_key;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    visited := {expression(STAGE_PATH.expression, lead="lead_row")};
    SELECT stage_ids INTO counted FROM {PATH_TABLE} WHERE lead_id = lead_key;
    IF counted IS NOT DISTINCT FROM visited THEN
        RETURN;
    END IF;
{removes}
{adds}
    IF visited IS NULL THEN
        DELETE FROM {PATH_TABLE} WHERE lead_id = lead_key;
    ELSE
        INSERT INTO {PATH_TABLE} (lead_id, organization_id, stage_ids)
        VALUES (lead_key, lead_row.organization_id, visited) ON CONFLICT (lead_id) DO UPDATE SET stage_ids = visited;
    END IF;
END;
$$ LANGUAGE plpgsql;
"""


def _campaign_trigger_function() -> str:
    # A campaign's new utm key moves its leads' campaign groups: taken out before the row
    # changes (the key lookup still sees the old key), put back after.
    tables = [r for r in LEAD_ROLLUPS if "campaign_id" in r.reads]
    before = "\n".join(f"            PERFORM {r.table}_add(lead_row, -1);" for r in tables)
    after = "\n".join(f"            PERFORM {r.table}_add(lead_row, 1);" for r in tables)
    return f"""
CREATE OR REPLACE FUNCTION analytics_campaign_rollups() RETURNS trigger AS $$
DECLARE
    lead_row leads_lead;
BEGIN
    {_lock("OLD.organization_id")}
    IF TG_WHEN = 'BEFORE' THEN
        FOR lead_row IN SELECT * FROM leads_lead WHERE campaign_id = OLD.id LOOP
{before}
        END LOOP;
        RETURN NEW;
    END IF;
    FOR lead_row IN SELECT * FROM leads_lead WHERE campaign_id = NEW.id LOOP
{after}
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _table(rollup: Rollup) -> str:
    columns = ",\n    ".join(
        [f"{c.name} {c.type}" + (" NOT NULL" if i == 0 else "") for i, c in enumerate(rollup.dims)]
        + [f"{c.name} {c.type} NOT NULL DEFAULT 0" for c in rollup.measures]
    )
    day_index = (
        f"\nCREATE INDEX IF NOT EXISTS {rollup.table}_org_day ON {rollup.table} (organization_id, {rollup.day});"
        if rollup.day
        else ""
    )
    return f"""
CREATE TABLE IF NOT EXISTS {rollup.table} (
    {columns}
);
CREATE UNIQUE INDEX IF NOT EXISTS {rollup.table}_group
    ON {rollup.table} ({rollup.dim_names}) NULLS NOT DISTINCT;{day_index}
"""


def _triggers() -> str:
    lead_reads = sorted({column for r in ROLLUPS.values() for column in r.reads})
    return (
        "".join(f"DROP TRIGGER IF EXISTS {name} ON {table};\n" for name, table in TRIGGERS)
        + f"""
CREATE TRIGGER analytics_lead_rollups_ins_del AFTER INSERT OR DELETE ON leads_lead
    FOR EACH ROW EXECUTE FUNCTION analytics_lead_rollups();
CREATE TRIGGER analytics_lead_rollups_upd AFTER UPDATE ON leads_lead
    FOR EACH ROW WHEN ({_changed(lead_reads)}) EXECUTE FUNCTION analytics_lead_rollups();
CREATE TRIGGER analytics_visit_rollups AFTER INSERT OR DELETE ON leads_stagevisit
    FOR EACH ROW EXECUTE FUNCTION analytics_visit_rollups();
CREATE TRIGGER analytics_visit_rollups_upd AFTER UPDATE ON leads_stagevisit
    FOR EACH ROW WHEN ({_changed(("organization_id", "lead_id", "stage_id", "entered_at", "left_at"))})
    EXECUTE FUNCTION analytics_visit_rollups();
CREATE TRIGGER analytics_campaign_rollups_before BEFORE UPDATE ON leads_campaign
    FOR EACH ROW WHEN (OLD.utm_campaign IS DISTINCT FROM NEW.utm_campaign)
    EXECUTE FUNCTION analytics_campaign_rollups();
CREATE TRIGGER analytics_campaign_rollups_after AFTER UPDATE ON leads_campaign
    FOR EACH ROW WHEN (OLD.utm_campaign IS DISTINCT FROM NEW.utm_campaign)
    EXECUTE FUNCTION analytics_campaign_rollups();
"""
    )


_PATH_TABLE_SQL = f"""
CREATE TABLE IF NOT EXISTS {PATH_TABLE} (
    lead_id varchar(31) PRIMARY KEY,
    organization_id varchar(30) NOT NULL,
    stage_ids varchar(32)[] NOT NULL
);
CREATE INDEX IF NOT EXISTS {PATH_TABLE}_org ON {PATH_TABLE} (organization_id);
"""


def create() -> str:
    """Every table, function and trigger; safe to run again (a later migration adds a rollup this way)."""
    return (
        "".join(_table(r) for r in ROLLUPS.values())
        + _PATH_TABLE_SQL
        + "".join(_add_function(r) for r in ROLLUPS.values())
        + _path_sync_function()
        + _lead_trigger_function()
        + _visit_trigger_function()
        + _campaign_trigger_function()
        + _triggers()
    )


TRIGGERS = (
    ("analytics_lead_rollups_ins_del", "leads_lead"),
    ("analytics_lead_rollups_upd", "leads_lead"),
    ("analytics_visit_rollups", "leads_stagevisit"),
    ("analytics_visit_rollups_upd", "leads_stagevisit"),
    ("analytics_campaign_rollups_before", "leads_campaign"),
    ("analytics_campaign_rollups_after", "leads_campaign"),
)


def drop() -> str:
    statements = [f"DROP TRIGGER IF EXISTS {name} ON {table};" for name, table in TRIGGERS]
    statements += [
        f"DROP FUNCTION IF EXISTS {name}();"
        for name in ("analytics_lead_rollups", "analytics_visit_rollups", "analytics_campaign_rollups")
    ]
    statements.append("DROP FUNCTION IF EXISTS analytics_lead_path_sync(varchar);")
    statements.append(f"DROP TABLE IF EXISTS {PATH_TABLE};")
    statements += [f"DROP TABLE IF EXISTS {r.table} CASCADE;" for r in ROLLUPS.values()]
    statements += [f"DROP FUNCTION IF EXISTS {r.table}_add({_ADD_PARAMS[r.over]});" for r in ROLLUPS.values()]
    return "\n".join(statements)


# --- rebuild and check -----------------------------------------------------------------


def rebuild_org(cursor, org_id: str, rollups=None) -> None:
    """Replace one org's rollup rows with the live aggregates, under locks that hold its writers back.

    SHARE ROW EXCLUSIVE lets reads go on while the org is recounted; writes wait, so no trigger
    delta falls between the delete and the insert.
    """
    cursor.execute("LOCK TABLE leads_lead, leads_stagevisit, leads_campaign IN SHARE ROW EXCLUSIVE MODE")
    rollups = rollups or ROLLUPS.values()
    if any(rollup.over == "path" for rollup in rollups):
        cursor.execute(f"DELETE FROM {PATH_TABLE} WHERE organization_id = %s", [org_id])
        cursor.execute(live_paths(), [org_id])
    for rollup in rollups:
        cursor.execute(f"DELETE FROM {rollup.table} WHERE organization_id = %s", [org_id])
        cursor.execute(
            f"INSERT INTO {rollup.table} ({rollup.dim_names}, {rollup.measure_names}) {live_groups(rollup)}", [org_id]
        )


def live_paths() -> str:
    """Insert one org's (``%s``) leads' sets of visited stages into PATH_TABLE, from their visits."""
    return (
        f"INSERT INTO {PATH_TABLE} (lead_id, organization_id, stage_ids) "
        f"SELECT lead_id, organization_id, stage_ids FROM ("
        f"SELECT l.id AS lead_id, l.organization_id, {expression(STAGE_PATH.expression)} AS stage_ids "
        f"FROM leads_lead AS l WHERE l.organization_id = %s) AS paths WHERE stage_ids IS NOT NULL"
    )


def path_differences() -> str:
    """How many of one org's (``%s`` twice) leads are counted under another set than their visits make."""
    return f"""
    SELECT count(*) FROM {PATH_TABLE} AS p FULL JOIN (
        SELECT l.id, {expression(STAGE_PATH.expression)} AS stage_ids FROM leads_lead AS l WHERE l.organization_id = %s
    ) AS live ON live.id = p.lead_id
    WHERE (p.lead_id IS NULL OR p.organization_id = %s) AND p.stage_ids IS DISTINCT FROM live.stage_ids
    """


def differences(rollup: Rollup) -> str:
    """How many groups of one org (``%s`` twice) differ between the rollup and the live aggregate."""
    nonzero = " OR ".join(f"{c.name} <> 0" for c in rollup.measures)
    columns = f"{rollup.dim_names}, {rollup.measure_names}"
    return f"""
    WITH live AS ({live_groups(rollup)}),
    rolled AS (SELECT {columns} FROM {rollup.table} WHERE organization_id = %s AND ({nonzero}))
    SELECT count(*) FROM (
        (SELECT {columns} FROM live EXCEPT ALL SELECT {columns} FROM rolled)
        UNION ALL
        (SELECT {columns} FROM rolled EXCEPT ALL SELECT {columns} FROM live)
    ) AS differences
    """
