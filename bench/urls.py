"""The app's routes plus ``GET /bench/ceiling``: a bare Django view with a fixed JSON body.

It goes through the same middleware as every API route but does no
authentication, no database query and no serialization: the most requests
per second this framework and server setup can answer. ``GET /bench/floor/leads/<orgId>``
answers the list's first page as its floor does (hand-written SQL, orjson), through the same
middleware: what the list's share of the ceiling could be at best.
"""

from django.http import HttpResponse
from django.urls import include, path

from bench import floors

CEILING_BODY = b'{"success":true,"message":"ok"}'


def ceiling(request):
    return HttpResponse(CEILING_BODY, content_type="application/json")


def list_floor(request, org_id: str):
    return HttpResponse(floors.lead_list(org_id, limit=50), content_type="application/json")


urlpatterns = [
    path("bench/ceiling", ceiling),
    path("bench/floor/leads/<str:org_id>", list_floor),
    path("", include("vchata.urls")),
]
