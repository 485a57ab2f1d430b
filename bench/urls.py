"""The app's routes plus ``GET /bench/ceiling``: a bare Django view with a fixed JSON body.

It goes through the same middleware as every API route but does no
authentication, no database query and no serialization: the most requests
per second this framework and server setup can answer.
"""

from django.http import HttpResponse
from django.urls import include, path

CEILING_BODY = b'{"success":true,"message":"ok"}'


def ceiling(request):
    return HttpResponse(CEILING_BODY, content_type="application/json")


urlpatterns = [
    path("bench/ceiling", ceiling),
    path("", include("vchata.urls")),
]
