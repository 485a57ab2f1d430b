"""``GET /health``: is this process up and can it reach its database?"""

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import JsonResponse


def health(request):
    using = getattr(settings, "HEALTH_DATABASE_ALIAS", "default")
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
