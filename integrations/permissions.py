"""Who may manage an organization's integrations: its OWNERs and ADMINs.

One function, so the organization-wide permission module can replace it in one place.
"""

from vchata.exceptions import Forbidden


def require_integration_manager(view) -> None:
    """Raise 403 unless the caller (``view.membership``, set by the org-scoped base) is OWNER or ADMIN."""
    if not view.membership.can_manage:
        raise Forbidden("Only an owner or admin of the organization can manage its integrations")
