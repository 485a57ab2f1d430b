"""The lead-side admin, one module per sub-domain (as ``leads.api``), each scoped by ``vchata.tenancy.admin``.

Importing the package registers every admin (Django's autodiscovery imports ``leads.admin``).
"""

from . import campaigns, contacts, custom_fields, inbox, leads, sales_work

__all__ = ["campaigns", "contacts", "custom_fields", "inbox", "leads", "sales_work"]
