"""Every page under ``/app/<org_id>/``, as each role and as a non-member, against one table.

The routes come from the URL resolver, so a new page fails here until the
table says who may open it. Allowed: the page's own answer (200, or the
redirect of a successful form post); forbidden: the 403 page, nothing
changed; a non-member: the 404 page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.permissions.test_api_matrix import ADMINS, EVERYONE, MANAGERS, OWNERS, snapshot
from tests.support.teams import CALLERS, OUTSIDER, Team, build_team

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Page:
    method: str
    roles: frozenset[str]
    success: int
    kwargs: Callable[[Team], dict] = field(default=lambda team: {})
    data: Callable[[Team], dict] | None = None


def lead(team: Team) -> dict:
    return {"lead_id": team.lead.pk}


def board(team: Team) -> dict:
    return {"pipeline_id": team.pipeline.pk}


def contact(team: Team) -> dict:
    return {"contact_id": team.lead.contact_id}


def member(team: Team) -> dict:
    return {"user_id": team.colleague.user_id}


# The one table of the pages: (route name, method) -> who may, and what a good request sends.
TABLE: dict[tuple[str, str], Page] = {
    ("org-home", "get"): Page("get", EVERYONE, 302),
    ("board", "get"): Page("get", EVERYONE, 200, board),
    ("board-changes", "get"): Page("get", EVERYONE, 204, board),
    ("board-column-cards", "get"): Page(
        "get", EVERYONE, 200, lambda t: {"pipeline_id": t.pipeline.pk, "stage_id": t.stages[0].pk}
    ),
    ("board-move", "get"): Page("get", EVERYONE, 200, lambda t: {**board(t), **lead(t)}),
    ("board-move", "post"): Page(
        "post", EVERYONE, 302, lambda t: {**board(t), **lead(t)}, lambda t: {"stage": t.stages[1].pk}
    ),
    ("lead-new", "get"): Page("get", EVERYONE, 200),
    ("lead-new", "post"): Page(
        "post", EVERYONE, 302, data=lambda t: {"contact_name": "Neo", "pipeline": t.pipeline.pk}
    ),
    ("lead-detail", "get"): Page("get", EVERYONE, 200, lead),
    ("lead-timeline", "get"): Page("get", EVERYONE, 200, lead),
    ("lead-list", "get"): Page("get", EVERYONE, 200),
    ("lead-export", "get"): Page("get", EVERYONE, 200),
    ("global-search", "get"): Page("get", EVERYONE, 302),
    ("contact-detail", "get"): Page("get", EVERYONE, 200, contact),
    ("contact-edit", "post"): Page("post", EVERYONE, 302, contact, lambda t: {"name": "Renamed Contact"}),
    ("lead-view-save", "post"): Page("post", EVERYONE, 302, data=lambda t: {"name": "Mine", "query": "status=NEW"}),
    ("lead-bulk", "post"): Page(
        "post", MANAGERS, 302, data=lambda t: {"lead": [t.lead.pk], "action": "status", "status": "CONTACTED"}
    ),
    ("lead-log-activity", "post"): Page("post", EVERYONE, 302, lead, lambda t: {"type": "CALL", "description": "Hi"}),
    ("lead-edit", "post"): Page("post", EVERYONE, 302, lead, lambda t: {"notes": "Warm", "value": "10"}),
    ("lead-work", "post"): Page(
        "post", EVERYONE, 302, lead, lambda t: {"stage": t.stages[2].pk, "assigned_to": t.users["MEMBER"].pk}
    ),
    ("lead-contact", "post"): Page("post", EVERYONE, 302, lead, lambda t: {"name": "Renamed Contact"}),
    ("lead-status", "post"): Page("post", EVERYONE, 302, lead, lambda t: {"status": "LOST"}),
    ("lead-task-add", "post"): Page(
        "post", EVERYONE, 302, lead, lambda t: {"type": "CALL", "title": "Ring back", "due_at": "2031-05-04T10:00"}
    ),
    ("task-done", "post"): Page("post", EVERYONE, 302, lambda t: {"task_id": t.task.pk}, lambda t: {"done": "1"}),
    ("my-work", "get"): Page("get", EVERYONE, 200),
    ("analytics-dashboard", "get"): Page("get", EVERYONE, 200),
    ("org-leave", "get"): Page("get", EVERYONE, 200),
    ("org-settings", "get"): Page("get", ADMINS, 200),
    ("org-settings", "post"): Page(
        "post",
        ADMINS,
        302,
        data=lambda t: {"name": "Renamed", "currency": "EUR", "time_zone": "UTC", "lead_visibility": "ASSIGNED"},
    ),
    ("org-members", "get"): Page("get", ADMINS, 200),
    ("org-invite", "post"): Page("post", ADMINS, 302, data=lambda t: {"email": "new@example.com", "role": "MEMBER"}),
    ("org-member-role", "post"): Page("post", ADMINS, 302, member, lambda t: {"role": "MANAGER"}),
    ("org-member-remove", "post"): Page("post", ADMINS, 302, member, lambda t: {}),
    ("org-invitation-revoke", "post"): Page(
        "post", ADMINS, 302, lambda t: {"invitation_id": t.invitation.pk}, lambda t: {}
    ),
    ("settings-forms", "get"): Page("get", EVERYONE, 200),
    ("settings-forms", "post"): Page("post", ADMINS, 302, data=lambda t: {"name": "Newsletter"}),
    ("settings-api-keys", "get"): Page("get", ADMINS, 200),
    ("settings-api-keys", "post"): Page("post", ADMINS, 200, data=lambda t: {"name": "Sync", "scopes": ["leads:read"]}),
    ("settings-api-key-revoke", "post"): Page("post", ADMINS, 302, lambda t: {"key_id": t.api_key.pk}, lambda t: {}),
    ("org-transfer", "post"): Page("post", OWNERS, 302, data=lambda t: {"user": t.colleague.user_id}),
}
# Leaving is tried in vchata/accounts/tests/test_settings_pages.py: it changes the caller’s own membership.
# Deleting a saved view is each person's own (any other's is a 404): leads/tests/test_saved_views_page.py.
POST_ONLY_ELSEWHERE = {("org-leave", "post"), ("lead-view-delete", "post")}


def app_routes(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += app_routes(entry, route)
        elif route.startswith("app/<org_id:org_id>"):
            found.append((route, entry))
    return found


def methods_of(pattern: URLPattern) -> set[str]:
    view = pattern.callback.view_class
    return {m for m in ("get", "post") if hasattr(view, m) and m in getattr(view, "http_method_names", ["get", "post"])}


def test_the_table_names_every_page_and_form_of_the_app():
    served = {(pattern.name, method) for _, pattern in app_routes() for method in methods_of(pattern)}

    assert len(served) > 20
    assert served - POST_ONLY_ELSEWHERE == set(TABLE)


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("entry", sorted(TABLE), ids=lambda entry: f"{entry[1].upper()} {entry[0]}")
def test_every_page_answers_each_role_as_the_table_says(entry, caller):
    name, _ = entry
    page = TABLE[entry]
    team = build_team()
    url = reverse(name, kwargs={"org_id": team.org.pk, **page.kwargs(team)})
    data = page.data(team) if page.data else {}
    client = Client()
    client.force_login(team.users[caller])
    before = snapshot()

    response = client.get(url) if page.method == "get" else client.post(url, data)

    if caller in page.roles:
        assert response.status_code == page.success, response.content[:500]
        return
    assert response.status_code == (404 if caller == OUTSIDER else 403)
    assert snapshot() == before
