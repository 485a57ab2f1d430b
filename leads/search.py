"""Text search over leads: case-insensitive text in the contact's name, email or company, or in the notes.

One place for it, so the lead list, the global search box and the admin find
the same leads the same way:

- ``matching_leads(queryset, text)``: the leads of ``queryset`` whose contact
  name, email, company or notes contain ``text`` (any substring: "olber",
  "12345@exa", "Blue Labs"), ``%`` and ``_`` as plain characters;
- ``ranked_leads(queryset, text)``: the same leads, best match first
  (``search_rank``: a word of the name starting with the text, then the name,
  the email, the company, the notes; newest first within a rank).

PostgreSQL: every lead carries ``search_text``, its contact's name, email and
company and its own notes, lowercased and joined by ``SEPARATOR``; one trigram
index ``(organization_id, search_text gin_trgm_ops)`` answers a search with
one bitmap scan of one table, so the exact total and the first page cost a
few milliseconds at a million leads (migration 0007 explains the triggers
that keep the column current). The column exists in the database only, not
on the model: the ORM never writes it, so no stale copy of it in a loaded
instance can be saved back over the triggers' value.

SQLite (development, the suite's fast run): the plain ``icontains`` of the
four fields across the contact join, which scans; same leads, no index.
"""

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from .models import Contact

# Joins the four fields in ``search_text``: never inside a field (the database function replaces it
# there), so a text containing it matches nothing, and no other text can match across two fields.
SEPARATOR = "\x1f"

# ``search_rank``, lowest best; ties newest first.
RANK_NAME_WORD, RANK_NAME, RANK_EMAIL, RANK_COMPANY, RANK_NOTES = range(5)
WITHIN_A_RANK = (F("created_at").desc(), F("id").desc())


def matching_leads(queryset: QuerySet, text: str) -> QuerySet:
    """The leads of ``queryset`` whose contact's name, email or company, or whose notes, contain ``text``."""
    if not text:
        return queryset
    if SEPARATOR in text:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        return queryset.filter(_SearchTextContains(text))
    return queryset.filter(
        Q(contact__name__icontains=text)
        | Q(contact__email__icontains=text)
        | Q(contact__company__icontains=text)
        | Q(notes__icontains=text)
    )


def ranked_leads(queryset: QuerySet, text: str) -> QuerySet:
    """``matching_leads``, annotated with ``search_rank`` and ordered best first, then newest first."""
    return matching_leads(queryset, text).annotate(search_rank=rank(text)).order_by("search_rank", *WITHIN_A_RANK)


def rank(text: str) -> Subquery:
    """Where ``text`` is found in a matching lead, as a ``RANK_…`` number (lowest best).

    A subquery on the lead's contact rather than a join, so a COUNT of the
    ranked queryset drops it (Django strips unused annotations) and stays one
    table; the page evaluates it on its matches only.
    """
    contact = Contact.objects.filter(pk=OuterRef("contact_id")).order_by()
    ranked = contact.annotate(
        rank=Case(
            When(Q(name__istartswith=text) | Q(name__icontains=f" {text}"), then=Value(RANK_NAME_WORD)),
            When(name__icontains=text, then=Value(RANK_NAME)),
            When(email__icontains=text, then=Value(RANK_EMAIL)),
            When(company__icontains=text, then=Value(RANK_COMPANY)),
            default=Value(RANK_NOTES),
            output_field=IntegerField(),
        )
    )
    return Subquery(ranked.values("rank")[:1], output_field=IntegerField())


def like_pattern(text: str) -> str:
    """``%text%`` for LIKE with ``\\`` as the escape character, ``%``/``_``/``\\`` in ``text`` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class _SearchTextContains(Expression):
    """``<lead>.search_text LIKE lower('%text%')``: the condition the trigram index answers.

    ``search_text`` is not a model field, so it is named on the alias of the
    queryset's own lead table (``leads_lead``, or ``U0`` inside a subquery).
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, text: str):
        super().__init__()
        self.pattern = like_pattern(text)

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.search_text LIKE lower(%s)", [self.pattern]

    def get_group_by_cols(self):
        return []
