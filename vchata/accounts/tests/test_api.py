import pytest
from django.test import override_settings

from conftest import client_for
from vchata.accounts.models import Membership, Organization, User
from vchata.accounts.tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "Ana@Example.com", "password": "a-Long-passphrase-42", "name": "Ana", "organizationName": "Ana Co"}


def test_signup_creates_user_owner_org_and_default_pipeline(anon):
    response = anon.post("/auth/signup", SIGNUP, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    assert body["user"]["email"] == "ana@example.com"
    assert body["organization"]["id"].startswith("org_")
    assert body["access"] and body["refresh"]
    org = Organization.objects.get(pk=body["organization"]["id"])
    assert Membership.objects.get(organization=org).role == "OWNER"
    pipeline = org.pipeline_set.get()
    assert pipeline.name == "Sales Pipeline" and pipeline.is_default
    assert [(s.name, s.status, s.order) for s in pipeline.stages.order_by("order")] == [
        ("New", "NEW", 1),
        ("Qualified", "QUALIFIED", 2),
        ("Contacted", "CONTACTED", 3),
        ("Converted", "CONVERTED", 4),
        ("Lost", "LOST", 5),
    ]


def test_signup_stores_a_hashed_password(anon):
    anon.post("/auth/signup", SIGNUP, format="json")
    user = User.objects.get(email="ana@example.com")
    assert user.password != SIGNUP["password"] and user.check_password(SIGNUP["password"])


def test_signup_with_a_taken_email_is_a_conflict_whatever_its_case(anon):
    UserFactory(email="ana@example.com")
    response = anon.post("/auth/signup", SIGNUP, format="json")
    assert response.status_code == 409
    assert response.json()["message"] == "An account with this email already exists"
    assert not Organization.objects.exists()


def test_signup_with_a_weak_password_is_refused_and_creates_nothing(anon):
    response = anon.post("/auth/signup", {**SIGNUP, "password": "123"}, format="json")
    assert response.status_code == 400
    assert not User.objects.exists()


def test_signup_lists_every_missing_field(anon):
    response = anon.post("/auth/signup", {}, format="json")
    assert response.status_code == 400
    assert sorted(response.json()["message"]) == [
        "email is required",
        "name is required",
        "organizationName is required",
        "password is required",
    ]


@override_settings(SIGNUP_ENABLED=False)
def test_signup_is_refused_when_turned_off(anon):
    response = anon.post("/auth/signup", SIGNUP, format="json")
    assert response.status_code == 403
    assert not User.objects.exists()


def test_token_with_good_credentials_returns_a_pair(anon, user):
    response = anon.post("/auth/token", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_token_with_a_wrong_password_is_401_in_the_envelope(anon, user):
    response = anon.post("/auth/token", {"email": user.email, "password": "nope"}, format="json")
    assert response.status_code == 401
    body = response.json()
    assert body["success"] is False and body["statusCode"] == 401 and body["error"] == "Unauthorized"


def test_refresh_rotates_and_the_old_refresh_token_stops_working(anon, user):
    pair = anon.post("/auth/token", {"email": user.email, "password": PASSWORD}, format="json").json()

    rotated = anon.post("/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert rotated.json()["refresh"] != pair["refresh"]

    reused = anon.post("/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    assert reused.status_code == 401


def test_logout_blacklists_the_refresh_token(anon, user):
    pair = anon.post("/auth/token", {"email": user.email, "password": PASSWORD}, format="json").json()
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")

    response = anon.post("/auth/logout", {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 200

    refused = anon.post("/auth/token/refresh", {"refresh": pair["refresh"]}, format="json")
    assert refused.status_code == 401


def test_logout_with_garbage_is_a_400(api):
    response = api.post("/auth/logout", {"refresh": "garbage"}, format="json")
    assert response.status_code == 400


def test_me_lists_the_users_organizations_with_roles(api, user, org):
    second = OrganizationFactory()
    MembershipFactory(organization=second, user=user, role="MEMBER")

    response = api.get("/auth/me")

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["id"] == user.pk
    assert {(o["id"], o["role"]) for o in body["organizations"]} == {(org.pk, "OWNER"), (second.pk, "MEMBER")}


def test_me_answers_the_documented_shape_in_one_query(api, user, org, django_assert_num_queries):
    second = OrganizationFactory(name="Aardvark Ltd")
    MembershipFactory(organization=second, user=user, role="MEMBER")

    with django_assert_num_queries(1):  # the user with their memberships and organizations
        response = api.get("/auth/me")

    assert response.json() == {
        "success": True,
        "message": "User retrieved successfully",
        "user": {"id": user.pk, "email": user.email, "name": user.name},
        "organizations": [
            {"id": o.pk, "name": o.name, "role": role, "currency": o.currency, "leadVisibility": o.lead_visibility}
            for o, role in sorted([(org, "OWNER"), (second, "MEMBER")], key=lambda pair: pair[0].name)
        ],
    }


def test_me_of_a_user_without_organizations_lists_none(db):
    loner = UserFactory()
    response = client_for(loner).get("/auth/me")
    assert response.status_code == 200
    assert response.json()["organizations"] == []
    assert response.json()["user"]["id"] == loner.pk


def test_me_of_a_deleted_user_is_401_with_a_valid_token(api, user):
    user.delete()
    response = api.get("/auth/me")
    assert response.status_code == 401
    assert response.json()["message"] == "User not found"


def test_me_without_a_token_is_401(anon):
    response = anon.get("/auth/me")
    assert response.status_code == 401
    assert response.json()["message"] == "Authentication credentials were not provided."


def test_a_deactivated_user_loses_access_at_once(api, user):
    user.is_active = False
    user.save()
    assert api.get("/auth/me").status_code == 401


def test_creating_an_organization_makes_the_caller_owner(api, user):
    response = api.post("/organizations", {"name": "Second"}, format="json")
    assert response.status_code == 201
    org = Organization.objects.get(pk=response.json()["organization"]["id"])
    assert org.memberships.get().user == user
    assert org.pipeline_set.get().stages.count() == 5


def test_posting_a_members_email_invites_them_instead_of_adding_them(api, org, django_capture_on_commit_callbacks):
    """Finding 1 of issue 14: a registered user was added to any org without consent."""
    victim = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/organizations/{org.pk}/members", {"email": victim.email, "role": "ADMIN"}, format="json")

    assert response.status_code == 201
    assert response.json()["invitation"]["status"] == "PENDING"
    assert not Membership.objects.filter(organization=org, user=victim).exists()
    assert client_for(victim).get(f"/organizations/{org.pk}/members").status_code == 404


def test_known_and_unknown_emails_get_the_same_answer(api, org, django_capture_on_commit_callbacks):
    """Finding 1 of issue 14: 404 "No user with this email" told which emails have accounts."""
    known = UserFactory(email="known@example.com")

    answers = [
        api.post(f"/organizations/{org.pk}/members", {"email": email, "role": "MEMBER"}, format="json")
        for email in (known.email, "nobody@example.com")
    ]

    def without_specifics(body):
        invitation = {k: v for k, v in body["invitation"].items() if k not in {"id", "email", "expiresAt", "createdAt"}}
        return {**body, "invitation": invitation}

    assert [answer.status_code for answer in answers] == [201, 201]
    assert without_specifics(answers[0].json()) == without_specifics(answers[1].json())


def test_a_plain_member_cannot_add_members(org, member):
    response = client_for(member).post(
        f"/organizations/{org.pk}/members", {"email": UserFactory().email, "role": "MEMBER"}, format="json"
    )
    assert response.status_code == 403
    assert org.memberships.count() == 2


def test_adding_an_existing_member_is_409(api, org, member):
    response = api.post(f"/organizations/{org.pk}/members", {"email": member.email, "role": "MEMBER"}, format="json")
    assert response.status_code == 409


def test_adding_an_owner_through_the_api_is_refused(api, org):
    response = api.post(
        f"/organizations/{org.pk}/members", {"email": UserFactory().email, "role": "OWNER"}, format="json"
    )
    assert response.status_code == 400


def test_members_are_listed(api, org, user, member):
    response = api.get(f"/organizations/{org.pk}/members")
    assert response.status_code == 200
    assert [(m["id"], m["role"]) for m in response.json()["members"]] == [(user.pk, "OWNER"), (member.pk, "MEMBER")]


def test_a_non_member_gets_the_same_404_as_for_a_missing_org(api, other_org):
    foreign = api.get(f"/organizations/{other_org.pk}/members")
    missing = api.get("/organizations/org_0000000000000000000000000a/members")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert foreign.json()["message"] == "Organization not found or you don't have access"


def test_a_removed_membership_loses_access_at_once(org, member):
    client = client_for(member)
    assert client.get(f"/organizations/{org.pk}/members").status_code == 200
    Membership.objects.filter(user=member).delete()
    assert client.get(f"/organizations/{org.pk}/members").status_code == 404
