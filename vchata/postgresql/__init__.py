"""Django's PostgreSQL backend with a health check that costs no round trip on a busy connection (``base.py``)."""
