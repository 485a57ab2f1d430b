# The lead search index (leads/search.py), PostgreSQL only; SQLite searches without it.
#
# Every lead gets ``search_text``: its contact's name, email and company and its
# own notes, lowercased, joined by U+001F. One trigram index on
# (organization_id, search_text) then answers a search with one bitmap scan of
# leads_lead: the total and the page no longer join contacts to leads
# (migration 0003's UNION of per-table trigram scans, which PostgreSQL
# hash-joined against every lead of the org, twice a request: ~2 s at 1,000,000).
#
# Kept current by triggers rather than by the services, because contacts and
# notes are written from the API, the pages, the admin, imports and raw
# queryset updates, and a trigger sees every one of them, in the same
# transaction:
#
# - a lead inserted, or updated with other notes or another contact: a BEFORE
#   trigger composes its text (``leads_search_text``) from its contact's row;
# - a contact inserted, or updated with another name, email or company: an
#   AFTER trigger sets ``search_text`` NULL on its leads, which the lead trigger
#   reads as "compose again" (one place composes; the column is NOT NULL, checked
#   after the trigger). The insert case covers a lead written before its contact
#   in one transaction (the foreign keys are deferred).
#
# Races (READ COMMITTED): a lead inserted (or moved to another contact) while
# its contact is renamed by another transaction would be composed from the old
# name, and the rename's UPDATE of the contact's leads cannot see the
# uncommitted lead. So that path reads the contact FOR SHARE: the rename waits
# for the lead's commit (and then sees it), or the lead waits for the rename's
# (and reads the new name). A notes edit needs no lock: the rename's UPDATE of
# that lead waits for the edit's row lock, then composes again from the new row.
#
# Every step can run again (a non-atomic migration stopped half-way is simply run again).
# Built online on a large live table: the column is added without a rewrite,
# the triggers go in first (new writes are then kept current), the existing
# leads are composed in batches of their own transactions, and the index is
# built CONCURRENTLY. The notes trigram index of 0003 is dropped: search_text
# covers the notes. The contacts' own trigram indexes stay (a contact search).

from django.db import migrations

BATCH = 5000

SEARCH_TEXT_FUNCTION = r"""
CREATE OR REPLACE FUNCTION leads_search_text(name text, email text, company text, notes text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(concat_ws(E'\x1f', replace(name, E'\x1f', ' '), replace(email, E'\x1f', ' '),
                           replace(company, E'\x1f', ' '), replace(notes, E'\x1f', ' ')))
$$
"""

LEAD_TRIGGER = """
CREATE OR REPLACE FUNCTION leads_lead_compose_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    contact record;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.search_text IS NOT NULL AND NEW.notes IS NOT DISTINCT FROM OLD.notes
       AND NEW.contact_id IS NOT DISTINCT FROM OLD.contact_id THEN
        RETURN NEW;  -- a save that changed neither (Django lists every column)
    END IF;
    IF TG_OP = 'INSERT' OR NEW.contact_id IS DISTINCT FROM OLD.contact_id THEN
        SELECT c.name, c.email, c.company INTO contact FROM leads_contact AS c WHERE c.id = NEW.contact_id FOR SHARE;
    ELSE
        SELECT c.name, c.email, c.company INTO contact FROM leads_contact AS c WHERE c.id = NEW.contact_id;
    END IF;
    -- No such contact yet (deferred foreign key): its insert composes the text again.
    NEW.search_text := leads_search_text(coalesce(contact.name, ''), coalesce(contact.email, ''),
                                         coalesce(contact.company, ''), NEW.notes);
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS lead_search_text ON leads_lead;
CREATE TRIGGER lead_search_text BEFORE INSERT OR UPDATE OF notes, contact_id, search_text ON leads_lead
    FOR EACH ROW EXECUTE FUNCTION leads_lead_compose_search_text();
"""

CONTACT_TRIGGER = """
CREATE OR REPLACE FUNCTION leads_contact_recompose_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.name IS DISTINCT FROM OLD.name OR NEW.email IS DISTINCT FROM OLD.email
       OR NEW.company IS DISTINCT FROM OLD.company THEN
        UPDATE leads_lead SET search_text = NULL WHERE contact_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS contact_search_text ON leads_contact;
CREATE TRIGGER contact_search_text AFTER INSERT OR UPDATE OF name, email, company ON leads_contact
    FOR EACH ROW EXECUTE FUNCTION leads_contact_recompose_search_text();
"""

# The ids ending each batch of existing leads, then the batch itself (NULL: the lead trigger composes).
NEXT_BATCH_END = "SELECT id FROM leads_lead WHERE id > %s ORDER BY id OFFSET %s LIMIT 1"
COMPOSE_BATCH = "UPDATE leads_lead SET search_text = NULL WHERE id > %s AND id <= %s"
COMPOSE_REST = "UPDATE leads_lead SET search_text = NULL WHERE id > %s"

INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS lead_search_trgm_idx ON leads_lead "
    "USING gin (organization_id, search_text gin_trgm_ops)"
)
NOTES_INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS lead_notes_trgm_idx ON leads_lead "
    "USING gin (organization_id, (UPPER(notes::text)) gin_trgm_ops)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(SEARCH_TEXT_FUNCTION)
    execute("ALTER TABLE leads_lead ADD COLUMN IF NOT EXISTS search_text text NOT NULL DEFAULT ''")
    execute(LEAD_TRIGGER)
    execute(CONTACT_TRIGGER)
    _compose_existing_leads(schema_editor.connection)
    execute(INDEX)
    execute("DROP INDEX CONCURRENTLY IF EXISTS lead_notes_trgm_idx")


def _compose_existing_leads(connection) -> None:
    """Each batch commits on its own (the migration is not atomic): no long lock on a big table."""
    last = ""
    with connection.cursor() as cursor:
        while True:
            cursor.execute(NEXT_BATCH_END, [last, BATCH - 1])
            row = cursor.fetchone()
            if row is None:
                cursor.execute(COMPOSE_REST, [last])
                return
            cursor.execute(COMPOSE_BATCH, [last, row[0]])
            last = row[0]


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(NOTES_INDEX)
    execute("DROP INDEX CONCURRENTLY IF EXISTS lead_search_trgm_idx")
    execute("DROP TRIGGER IF EXISTS contact_search_text ON leads_contact")
    execute("DROP TRIGGER IF EXISTS lead_search_text ON leads_lead")
    execute("DROP FUNCTION IF EXISTS leads_contact_recompose_search_text()")
    execute("DROP FUNCTION IF EXISTS leads_lead_compose_search_text()")
    execute("ALTER TABLE leads_lead DROP COLUMN IF EXISTS search_text")
    execute("DROP FUNCTION IF EXISTS leads_search_text(text, text, text, text)")


class Migration(migrations.Migration):
    atomic = False  # batches commit one by one; CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("leads", "0006_lead_attribution"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
