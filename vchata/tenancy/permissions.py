"""Who may do what in an organization: the one place roles and lead visibility are decided.

API views (``OrgScopedMixin.require``), pages (``OrgPageMixin.require``), the
admin (``OrgScopedAdmin``'s permission hooks) and its bulk actions all ask
this module; nothing else compares roles. The table (API.md, "Roles"):

=====================================================  =====  =====  =======  ======
may                                                    OWNER  ADMIN  MANAGER  MEMBER
=====================================================  =====  =====  =======  ======
read and work leads (create, edit, move, log, convert)  all    all    all     visible
delete leads, bulk actions, import                      yes    yes    yes     no
pipelines, stages, custom fields, campaigns, rules,     yes    yes    no      no
lost reasons, webhooks, API keys; org settings
invite and remove members, change roles                 yes    yes*   no      no
make someone OWNER, transfer ownership                  yes    no     no      no
=====================================================  =====  =====  =======  ======

\\* an ADMIN never grants, changes or removes an OWNER.

Refusals are ``Forbidden`` (403) and only ever concern something the caller
can see; what they can't see is a ``NotFound`` (404) before any of this is
asked. Keeping at least one OWNER is a rule of the membership services (409),
whoever asks.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q

from vchata.accounts.models import Membership, Organization
from vchata.exceptions import Forbidden

Role = Membership.Role


class Action(StrEnum):
    WORK_LEADS = "work_leads"
    MANAGE_LEADS = "manage_leads"
    CONFIGURE = "configure"
    CHANGE_SETTINGS = "change_settings"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_OWNERS = "manage_owners"


ROLES_ALLOWED: dict[Action, frozenset[str]] = {
    Action.WORK_LEADS: frozenset(Role.values),
    Action.MANAGE_LEADS: frozenset({Role.OWNER, Role.ADMIN, Role.MANAGER}),
    Action.CONFIGURE: frozenset({Role.OWNER, Role.ADMIN}),
    Action.CHANGE_SETTINGS: frozenset({Role.OWNER, Role.ADMIN}),
    Action.MANAGE_MEMBERS: frozenset({Role.OWNER, Role.ADMIN}),
    Action.MANAGE_OWNERS: frozenset({Role.OWNER}),
}

REFUSALS: dict[Action, str] = {
    Action.WORK_LEADS: "Only members of this organization can do that",
    Action.MANAGE_LEADS: "Only owners, admins and managers can delete leads, run bulk actions or import",
    Action.CONFIGURE: (
        "Only owners and admins can change pipelines, stages, custom fields, campaigns, rules, webhooks or API keys"
    ),
    Action.CHANGE_SETTINGS: "Only owners and admins can change the organization's settings",
    Action.MANAGE_MEMBERS: "Only owners and admins can invite, remove or change members",
    Action.MANAGE_OWNERS: "Only an owner can grant, change or remove the OWNER role",
}


def may(membership: Membership | None, action: Action) -> bool:
    """Whether ``membership`` (None: not a member) may do ``action`` in its organization."""
    return membership is not None and membership.role in ROLES_ALLOWED[action]


def require(membership: Membership | None, action: Action) -> None:
    """``Forbidden`` (403) unless ``membership`` may do ``action``."""
    if not may(membership, action):
        raise Forbidden(REFUSALS[action])


# --- members ------------------------------------------------------------------------


def grantable_roles(actor: Membership) -> list[str]:
    """The roles ``actor`` may give someone (by invitation or a role change), highest first."""
    if not may(actor, Action.MANAGE_MEMBERS):
        return []
    return [role for role in Role.values if role != Role.OWNER or may(actor, Action.MANAGE_OWNERS)]


def check_role_change(actor: Membership, target: Membership, role: str) -> None:
    """``Forbidden`` unless ``actor`` may turn ``target``'s role into ``role``."""
    require(actor, Action.MANAGE_MEMBERS)
    if Role.OWNER in (target.role, role):
        require(actor, Action.MANAGE_OWNERS)


def check_removal(actor: Membership, target: Membership) -> None:
    """``Forbidden`` unless ``actor`` may remove ``target``; anyone may remove themselves (leave)."""
    if actor.user_id == target.user_id and actor.organization_id == target.organization_id:
        return
    require(actor, Action.MANAGE_MEMBERS)
    if target.role == Role.OWNER:
        require(actor, Action.MANAGE_OWNERS)


def may_change_member(actor: Membership, target: Membership) -> bool:
    """Whether ``actor`` may change anything about ``target`` (its role, or remove it); for pages and the admin."""
    if not may(actor, Action.MANAGE_MEMBERS):
        return False
    return target.role != Role.OWNER or may(actor, Action.MANAGE_OWNERS)


# --- lead visibility ----------------------------------------------------------------


@dataclass(frozen=True)
class LeadScope:
    """Which of an organization's leads someone sees: every one, or those assigned to them plus unassigned ones."""

    assignee_id: str | None = None

    @property
    def restricted(self) -> bool:
        return self.assignee_id is not None

    @property
    def key(self) -> str:
        """Names the scope in cache keys: totals of different scopes are different numbers."""
        return f"assigned:{self.assignee_id}" if self.restricted else "all"

    def q(self, prefix: str = "") -> Q:
        """The scope as a condition on leads, reached through ``prefix`` (``"lead__"`` from an activity)."""
        if not self.restricted:
            return Q()
        return Q(**{f"{prefix}assigned_to_id": self.assignee_id}) | Q(**{f"{prefix}assigned_to__isnull": True})


ALL_LEADS = LeadScope()


def lead_scope(membership: Membership) -> LeadScope:
    """The leads ``membership`` sees: a MEMBER of an organization with ``leadVisibility`` ASSIGNED sees only theirs.

    Reads ``membership.organization``: fetch it with the membership (``membership_of`` does).
    """
    restricted = (
        membership.role == Role.MEMBER
        and membership.organization.lead_visibility == Organization.LeadVisibility.ASSIGNED
    )
    return LeadScope(assignee_id=membership.user_id) if restricted else ALL_LEADS


def lead_scope_across(memberships: Iterable[Membership], *, org_field: str, prefix: str = "") -> Q:
    """Leads seen through any of ``memberships`` (one per organization): the admin's lists span orgs.

    ``org_field`` is the path to the row's organization, ``prefix`` the path to its lead.
    """
    memberships = list(memberships)
    open_orgs = [m.organization_id for m in memberships if not lead_scope(m).restricted]
    condition = Q(**{f"{org_field}__in": open_orgs})
    for membership in memberships:
        scope = lead_scope(membership)
        if scope.restricted:
            condition |= Q(**{org_field: membership.organization_id}) & scope.q(prefix)
    return condition
