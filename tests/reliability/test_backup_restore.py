"""A backup restores: ``scripts/backup.py`` (``make backup`` / ``make restore``) dumps a populated database,
restores it into a fresh one, and the app serves the same answers from both."""

import os
import subprocess
import sys

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection
from psycopg import sql
from rest_framework_simplejwt.tokens import RefreshToken

from leads import services as lead_services
from leads.tests.factories import CampaignFactory, CustomFieldFactory, LeadFactory

from .conftest import ROOT, database_url, gunicorn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def backup_script(*args: str, database: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(database)}
    subprocess.run([sys.executable, "scripts/backup.py", *args], cwd=ROOT, env=env, check=True, timeout=120)


@pytest.fixture
def restored_database(db):
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def populated(org, user, member, stages):
    """Leads with history (moves, activities), a campaign and a custom field: rows of most tables."""
    campaign = CampaignFactory(organization=org)
    CustomFieldFactory(organization=org)
    leads = [LeadFactory(organization=org, stage=stages[0], campaign=campaign) for _ in range(6)]
    for n, lead in enumerate(leads):
        lead_services.move_lead_to_stage(org=org, actor=member, lead_id=lead.pk, stage_id=stages[n % 4 + 1].pk)
        lead_services.add_activity(org=org, actor=user, lead_id=lead.pk, type="CALL", description=f"Call {n}")
    return leads


def routes(org, leads) -> list[str]:
    lead = leads[0].pk
    return [
        "/auth/me",
        f"/organizations/{org.pk}/members",
        f"/pipelines/{org.pk}",
        f"/leads/{org.pk}?limit=100",
        f"/leads/{org.pk}?search={leads[1].contact.name}",
        f"/leads/{org.pk}/{lead}",
        f"/leads/{org.pk}/{lead}/activities",
        f"/leads/{org.pk}/{lead}/history",
        f"/leads/{org.pk}/campaigns",
        f"/leads/{org.pk}/custom-fields",
        f"/leads/{org.pk}/stats",
        f"/leads/{org.pk}/analytics/sources",
        f"/leads/{org.pk}/analytics/funnel",
    ]


def answers(url: str, token: str, paths: list[str]) -> dict[str, tuple[int, object]]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return {path: (r.status_code, r.json()) for path in paths for r in [session.get(url + path, timeout=30)]}


def test_a_restored_backup_serves_the_same_answers(populated, org, user, restored_database, tmp_path):
    original = connection.settings_dict["NAME"]
    backup = tmp_path / "vchata.dump"

    backup_script("dump", str(backup), database=original)
    backup_script("restore", str(backup), database=restored_database)

    env = {"SECRET_KEY": settings.SECRET_KEY, "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"]}
    token = str(RefreshToken.for_user(user).access_token)
    paths = routes(org, populated)
    with gunicorn({**env, "DATABASE_URL": database_url(original)}, workers=1) as served_original:
        before = answers(served_original, token, paths)
    with gunicorn({**env, "DATABASE_URL": database_url(restored_database)}, workers=1) as served_restored:
        after = answers(served_restored, token, paths)

    assert {path: status for path, (status, _) in before.items() if status != 200} == {}
    assert after == before
    assert len(before[f"/leads/{org.pk}?limit=100"][1]["leads"]) == 6


def test_a_restore_into_a_database_that_holds_data_is_refused(restored_database, tmp_path):
    backup = tmp_path / "vchata.dump"
    backup_script("dump", str(backup), database=connection.settings_dict["NAME"])
    backup_script("restore", str(backup), database=restored_database)

    with pytest.raises(subprocess.CalledProcessError):
        backup_script("restore", str(backup), database=restored_database)  # again: it is not empty now
    backup_script("restore", "--clean", str(backup), database=restored_database)
