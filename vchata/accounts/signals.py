"""What accounts announce, so the apps above it can act without accounts importing them."""

from django.dispatch import Signal

# Sent inside the transaction that creates an organization, with ``organization``
# and ``owner`` (None when a superuser made it in the admin). Receivers' writes
# commit or roll back with it: pipelines gives every new org its default pipeline.
organization_created = Signal()

# Sent inside the transaction that removes a member (or sees them leave), with ``organization``,
# ``user`` (who is no longer a member) and ``actor`` (the user who removed them; None for a
# superuser in the admin). Leads releases the leads assigned to them.
member_removed = Signal()
