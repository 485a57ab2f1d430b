"""Saved views on the lead list: save the current filters under a name, list them as tabs, delete one's own."""

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from leads.tests.factories import LeadFactory
from vchata.accounts.members import remove_member
from vchata.accounts.models import SavedView
from vchata.accounts.saved_views import MAX_VIEWS, save_view
from vchata.accounts.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def list_url(org, query: str = "") -> str:
    url = reverse("lead-list", kwargs={"org_id": org.pk})
    return f"{url}?{query}" if query else url


def save(client, org, name, query):
    return client.post(reverse("lead-view-save", kwargs={"org_id": org.pk}), {"name": name, "query": query})


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_saving_stores_the_cleaned_query_and_returns_to_it(browser, org, user):
    response = save(browser, org, "  Hot   referrals ", "status=&source=referral&page=3&junk=1&ordering=-value")

    view = SavedView.objects.get()
    assert (view.user, view.organization, view.name) == (user, org, "Hot referrals")
    assert view.query == "source=referral&ordering=-value"
    assert response["Location"] == list_url(org, view.query)
    assert flashed(response) == ["Saved the view “Hot referrals”."]


def test_the_list_shows_ones_own_views_as_tabs_and_marks_the_open_one(browser, org, user):
    LeadFactory(organization=org, source="referral")
    mine = save_view(user=user, org=org, name="Referrals", query="source=referral")
    save_view(user=user, org=org, name="Big", query="minValue=1000")
    colleague = MembershipFactory(organization=org).user
    save_view(user=colleague, org=org, name="Theirs", query="status=LOST")

    response = browser.get(list_url(org, "source=referral"))

    assert [view.name for view in response.context["saved_views"]] == ["Big", "Referrals"]
    assert response.context["active_view"] == mine
    html = response.content.decode()
    assert "Theirs" not in html
    assert f'href="{list_url(org, "source=referral")}" data-view-query="source=referral">Referrals</a>' in html


def test_saving_under_a_used_name_replaces_its_query(browser, org, user):
    save(browser, org, "Mine", "status=NEW")
    save(browser, org, "Mine", "status=LOST")

    assert list(SavedView.objects.values_list("name", "query")) == [("Mine", "status=LOST")]


def test_the_same_name_may_be_used_by_someone_else_or_in_another_org(org, user, other_org):
    colleague = MembershipFactory(organization=org).user
    MembershipFactory(organization=other_org, user=user)

    save_view(user=user, org=org, name="Mine", query="status=NEW")
    save_view(user=colleague, org=org, name="Mine", query="status=LOST")
    save_view(user=user, org=other_org, name="Mine", query="")

    assert SavedView.objects.count() == 3


def test_the_database_keeps_names_unique_per_person_and_org(org, user):
    SavedView.objects.create(user=user, organization=org, name="Mine")

    with pytest.raises(IntegrityError):
        SavedView.objects.create(user=user, organization=org, name="Mine")


@pytest.mark.parametrize(("name", "message"), [("   ", "Give the view a name."), ("x" * 61, "at most 60 characters")])
def test_a_bad_name_is_a_message_and_saves_nothing(browser, org, name, message):
    response = save(browser, org, name, "status=NEW")

    assert response.status_code == 302
    assert not SavedView.objects.exists()
    assert any(message in text for text in flashed(response))


def test_a_person_keeps_a_bounded_number_of_views(browser, org, user):
    for n in range(MAX_VIEWS):
        save_view(user=user, org=org, name=f"View {n}", query="")

    response = save(browser, org, "One more", "")

    assert SavedView.objects.count() == MAX_VIEWS
    assert flashed(response) == [f"You can keep at most {MAX_VIEWS} saved views: delete one first."]


def test_deleting_ones_own_view(browser, org, user):
    view = save_view(user=user, org=org, name="Mine", query="status=NEW")

    response = browser.post(
        reverse("lead-view-delete", kwargs={"org_id": org.pk, "view_id": view.pk}), {"query": "status=NEW"}
    )

    assert response["Location"] == list_url(org, "status=NEW")
    assert not SavedView.objects.exists()


def test_someone_elses_view_is_a_404_and_stays(org, user):
    view = save_view(user=user, org=org, name="Mine", query="status=NEW")
    colleague = Client()
    colleague.force_login(MembershipFactory(organization=org).user)

    response = colleague.post(reverse("lead-view-delete", kwargs={"org_id": org.pk, "view_id": view.pk}))

    assert response.status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_a_view_saved_in_another_org_is_not_deleted_through_this_one(browser, org, user, other_org):
    MembershipFactory(organization=other_org, user=user)
    view = save_view(user=user, org=other_org, name="There", query="")

    response = browser.post(reverse("lead-view-delete", kwargs={"org_id": org.pk, "view_id": view.pk}))

    assert response.status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_a_saved_view_with_a_filter_that_no_longer_holds_opens_as_a_400_page_not_a_500(browser, org, user):
    view = save_view(user=user, org=org, name="Old", query="stageId=stage_00000000000000000000000000")

    response = browser.get(list_url(org, view.query))

    assert response.status_code == 400
    assert "stageId does not match any stage" in response.content.decode()


def test_leaving_the_org_drops_ones_views_there_only(org, user, other_org):
    rep = MembershipFactory(organization=org).user
    MembershipFactory(organization=other_org, user=rep)
    save_view(user=rep, org=org, name="Here", query="")
    kept = save_view(user=rep, org=other_org, name="There", query="")
    save_view(user=user, org=org, name="The owner's", query="")

    remove_member(org=org, actor=org.memberships.get(user=user), user_id=rep.pk)

    assert set(SavedView.objects.values_list("name", flat=True)) == {kept.name, "The owner's"}
