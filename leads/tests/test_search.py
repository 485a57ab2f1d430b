"""``leads.search``: what a search finds, in which order, and that it follows every edit at once.

These run on both databases: on PostgreSQL through the ``search_text`` column
its triggers keep (migration 0007), on SQLite through the plain join. The
edits are made the ways the product makes them (services, model saves) and
the ways that skip every Python hook (queryset ``update``), which only the
triggers can follow.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from leads import search
from leads.models import Contact, Lead
from leads.services import update_lead
from leads.tests.factories import ContactFactory, LeadFactory
from tests.support.api import leads_url, problems
from vchata.ids import new_id
from vchata.pagination import CURSOR_NEEDS_ORDERING

pytestmark = pytest.mark.django_db


def found(org, text: str) -> set[str]:
    return set(search.matching_leads(Lead.objects.for_org(org), text).values_list("pk", flat=True))


def lead_for(org, *, name="Someone Else", email="", company="", notes="") -> Lead:
    contact = ContactFactory(organization=org, name=name, email=email, company=company)
    return LeadFactory(organization=org, contact=contact, notes=notes)


@pytest.fixture
def ada(org):
    return lead_for(
        org, name="Ada Holberg", email="ada.holberg12345@example.com", company="Blue Labs Inc", notes="Wants a demo"
    )


@pytest.fixture
def bystander(org):
    return lead_for(org, name="Carl Vik", email="carl@corp.test", company="Iron Works", notes="Called twice")


@pytest.mark.parametrize(
    "text",
    [
        "Holberg",  # a whole word
        "olber",  # inside a word
        "ADA HOL",  # across words, any case
        "12345@exa",  # an email fragment
        "ada.holberg12345@example.com",  # the whole email
        "blue lab",  # the company
        "a dem",  # the notes
    ],
)
def test_a_search_finds_any_part_of_the_name_email_company_or_notes(org, ada, bystander, text):
    assert found(org, text) == {ada.pk}


def test_a_search_matches_no_text_across_two_fields(org, ada):
    # The name ends "…Holberg", the email starts "ada.": joined they would read "holbergada.".
    assert found(org, "holbergada") == set()
    assert found(org, "holberg ada") == set()
    assert found(org, f"holberg{search.SEPARATOR}ada") == set()


def test_wildcards_and_the_escape_character_are_plain_text(org):
    percent = lead_for(org, notes="100% sure")
    underscore = lead_for(org, email="first_last@example.com")
    backslash = lead_for(org, company=r"Back\Slash Ltd")
    lead_for(org, notes="1000 sure, firstXlast")

    assert found(org, "0%") == {percent.pk}
    assert found(org, "t_l") == {underscore.pk}
    assert found(org, "k\\s") == {backslash.pk}


def test_another_organizations_leads_are_never_found(org, other_org, ada):
    twin = lead_for(other_org, name="Ada Holberg", email="ada.holberg12345@example.com", notes="Wants a demo")

    assert found(org, "holberg") == {ada.pk}
    assert found(other_org, "holberg") == {twin.pk}
    # Nor through an unscoped queryset of one org's leads filtered again by another search.
    assert set(search.matching_leads(Lead.objects.filter(pk=twin.pk), "holberg").values_list("pk", flat=True)) == {
        twin.pk
    }


def test_a_search_combines_with_an_exact_id_as_the_admins_search_does(org, ada, bystander):
    leads = Lead.objects.for_org(org)

    either = search.matching_leads(leads, bystander.pk) | leads.filter(pk=bystander.pk)
    text_or_id = search.matching_leads(leads, "holberg") | leads.filter(pk="holberg")

    assert set(either.values_list("pk", flat=True)) == {bystander.pk}
    assert set(text_or_id.values_list("pk", flat=True)) == {ada.pk}


def test_an_empty_search_keeps_the_queryset(org, ada, bystander):
    assert found(org, "") == {ada.pk, bystander.pk}


# --- edits are followed at once ----------------------------------------------------


def test_a_renamed_contact_is_found_by_its_new_name_only(org, ada):
    contact = ada.contact
    contact.name = "Ada Zebediah"
    contact.save()

    assert found(org, "ada zebediah") == {ada.pk}
    assert found(org, "ada holberg") == set()


@pytest.mark.parametrize(
    ("field", "value", "new_text"),
    [("name", "Ada Quimby", "quimby"), ("email", "ada@quimby.test", "@quimby"), ("company", "Quimby Co", "quimby co")],
)
def test_a_contact_edit_without_any_signal_is_followed_too(org, ada, field, value, new_text):
    # queryset.update() sends no signal and runs no save(): only the database sees it.
    Contact.objects.filter(pk=ada.contact_id).update(**{field: value})

    assert found(org, new_text) == {ada.pk}


def test_every_lead_of_a_contact_follows_its_rename(org, ada):
    other_pipeline_lead = LeadFactory(
        organization=org, contact=ada.contact, pipeline=_second_pipeline(org), notes="Second deal"
    )
    Contact.objects.filter(pk=ada.contact_id).update(name="Ada Quimby")

    assert found(org, "quimby") == {ada.pk, other_pipeline_lead.pk}


def _second_pipeline(org):
    from pipelines.services import create_pipeline

    return create_pipeline(org=org, name="Second")


def test_new_notes_are_found_and_the_old_ones_no_longer(org, ada):
    update_lead(org=org, actor=None, lead_id=ada.pk, changes={"notes": "Budget approved"})

    assert found(org, "budget approved") == {ada.pk}
    assert found(org, "demo") == set()


def test_notes_written_by_a_queryset_update_are_found(org, ada):
    Lead.objects.filter(pk=ada.pk).update(notes="Signed the contract")

    assert found(org, "contract") == {ada.pk}


def test_a_lead_given_another_contact_is_found_by_that_contact(org, ada):
    newcomer = ContactFactory(organization=org, name="Bea Quimby", email="", company="")
    update_lead(org=org, actor=None, lead_id=ada.pk, changes={"contact": newcomer})

    assert found(org, "quimby") == {ada.pk}
    assert found(org, "ada holberg") == set()


def test_saving_a_lead_loaded_before_its_contact_was_renamed_keeps_the_new_name(org, ada):
    loaded = Lead.objects.get(pk=ada.pk)
    Contact.objects.filter(pk=ada.contact_id).update(name="Ada Quimby")
    loaded.value = 5
    loaded.save()  # every column of the model, none of them the search text

    assert found(org, "quimby") == {ada.pk}


@pytest.mark.django_db(transaction=True)
def test_a_lead_written_before_its_contact_in_one_transaction_is_found(org):
    # The foreign keys are checked at commit: a lead may reach the table before its contact.
    with transaction.atomic():
        lead = LeadFactory(organization=org)
        contact = Contact(id=new_id("contact"), organization=org, name="Late Arrival", email="late@example.com")
        Lead.objects.filter(pk=lead.pk).update(contact_id=contact.pk)
        contact.save(force_insert=True)

    assert found(org, "late arrival") == {lead.pk}


# --- ranking -----------------------------------------------------------------------


def test_ranked_leads_put_a_name_word_first_then_name_email_company_notes(org):
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    # Created newest first in the reverse of the expected order, so the rank (not the date) decides.
    by_notes = lead_for(org, notes="ask Moss about pricing")
    by_company = lead_for(org, company="Moss Gardens")
    by_email = lead_for(org, email="amoss@example.com")
    in_name = lead_for(org, name="Ada Kimoss")
    name_word = lead_for(org, name="Ada Mossberg")
    name_start = lead_for(org, name="Moss Ada")
    for days, lead in enumerate([name_start, name_word, in_name, by_email, by_company, by_notes]):
        Lead.objects.filter(pk=lead.pk).update(created_at=moment + timedelta(days=days))

    ranked = list(search.ranked_leads(Lead.objects.for_org(org), "moss"))

    assert [lead.pk for lead in ranked] == [
        # Both start a word of the name: the newer first.
        name_word.pk,
        name_start.pk,
        in_name.pk,
        by_email.pk,
        by_company.pk,
        by_notes.pk,
    ]
    assert [lead.search_rank for lead in ranked] == [
        search.RANK_NAME_WORD,
        search.RANK_NAME_WORD,
        search.RANK_NAME,
        search.RANK_EMAIL,
        search.RANK_COMPANY,
        search.RANK_NOTES,
    ]


def test_the_list_orders_by_relevance_on_request_and_newest_first_by_default(api, org):
    name_word = lead_for(org, name="Ada Moss")
    by_notes = lead_for(org, notes="call Moss")  # the newer
    lead_for(org, name="Nobody")

    ranked = api.get(leads_url(org) + "?search=moss&ordering=relevance&limit=1")
    newest = api.get(leads_url(org) + "?search=moss")

    assert ranked.status_code == 200
    assert [lead["id"] for lead in ranked.json()["leads"]] == [name_word.pk]
    assert ranked.json()["pagination"] | {"nextCursor": None} == {
        "total": 2,
        "page": 1,
        "limit": 1,
        "hasMore": True,
        "nextCursor": None,
    }
    assert ranked.json()["pagination"]["nextCursor"] is None  # no keyset for a rank
    second = api.get(leads_url(org) + "?search=moss&ordering=relevance&limit=1&page=2").json()["leads"]
    assert [lead["id"] for lead in second] == [by_notes.pk]
    assert [lead["id"] for lead in newest.json()["leads"]] == [by_notes.pk, name_word.pk]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("ordering=relevance", "ordering=relevance ranks the matches of search: send search too"),
        ("search=moss&ordering=-createdAt,relevance", "ordering=relevance must come first"),
        (
            "search=moss&ordering=-relevance",
            "ordering must be one of createdAt, -createdAt, updatedAt, -updatedAt, value, -value, expectedCloseDate, "
            "-expectedCloseDate, relevance",
        ),
    ],
)
def test_relevance_without_a_search_or_not_first_is_a_400(api, org, query, message):
    lead_for(org, name="Ada Moss")

    response = api.get(f"{leads_url(org)}?{query}")

    assert response.status_code == 400
    assert problems(response) == [message]


def test_relevance_takes_no_cursor(api, org):
    lead_for(org, name="Ada Moss")

    response = api.get(f"{leads_url(org)}?search=moss&ordering=relevance&cursor=anything")

    assert response.status_code == 400
    assert problems(response) == [CURSOR_NEEDS_ORDERING]


def test_a_ranked_search_costs_the_same_queries_as_any_list(api, org, django_assert_num_queries):
    for n in range(30):
        lead_for(org, name=f"Ada Moss {n}", notes="moss" if n % 2 else "")

    # membership (+org, user), COUNT, the page with its relations and the rank
    with django_assert_num_queries(3):
        response = api.get(leads_url(org) + "?search=moss&ordering=relevance&limit=100")

    assert response.json()["pagination"]["total"] == 30


@pytest.mark.parametrize("matches", [5, 40])
def test_a_search_costs_the_same_three_queries_however_many_leads_match(api, org, matches, django_assert_num_queries):
    for n in range(matches):
        lead_for(org, name=f"Ada Moss {n}")
    lead_for(org, name="Nobody")

    # membership (+org, user); the matches numbered and counted (the page's ids); the page's rows
    with django_assert_num_queries(3):
        response = api.get(leads_url(org) + "?search=moss&limit=20")

    assert response.json()["pagination"] | {"nextCursor": None} == {
        "total": matches,
        "page": 1,
        "limit": 20,
        "hasMore": matches > 20,
        "nextCursor": None,
    }
    assert len(response.json()["leads"]) == min(matches, 20)


def test_the_pages_of_a_search_split_its_matches_and_past_the_end_is_empty(api, org):
    wanted = {lead_for(org, name=f"Ada Moss {n}").pk for n in range(5)}
    lead_for(org, name="Nobody")

    pages = [api.get(leads_url(org) + f"?search=moss&limit=2&page={page}").json() for page in (1, 2, 3, 4)]

    assert [len(page["leads"]) for page in pages] == [2, 2, 1, 0]
    assert {lead["id"] for page in pages for lead in page["leads"]} == wanted
    assert {page["pagination"]["total"] for page in pages} == {5}


def test_sqlite_searches_the_fields_themselves(org, ada):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite path")
    sql = str(search.matching_leads(Lead.objects.for_org(org), "holberg").query)

    assert "search_text" not in sql
    assert "LIKE" in sql
    assert found(org, "HOLBERG") == {ada.pk}
