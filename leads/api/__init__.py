"""The leads API (``/leads/{orgId}…``) and the conversations API (``/conversations/{orgId}…``)."""
