"""Who may manage an organization's integrations (webhooks, lead forms): configuration, OWNERs and ADMINs.

Decided by the organization-wide permission module (``vchata.tenancy.permissions``), like every other route.
"""

from vchata.tenancy.permissions import Action, require


def require_integration_manager(view) -> None:
    """Raise 403 unless the caller (``view.membership``, set by the org-scoped base) may configure the org."""
    require(view.membership, Action.CONFIGURE)
