"""The project's routes plus the floor, mounted only by blogapi.settings.bench.

Besides the floor, two probes split what a cache hit pays on top of it: one Redis round
trip of the shape a hit makes (`floor/redis/`), and DRF's request handling around a
view that returns ready bytes (`floor/drf/`).
"""

from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.urls import path
from rest_framework.views import APIView

from blogapi.urls import urlpatterns as project_urlpatterns

PROBE_KEYS = ["bench:probe:entry", "gen:*", "gen:posts", "gen:authors"]


def floor(request):
    """The cheapest JSON answer Django gives through the project's middleware: the
    ceiling a cache hit is compared with."""
    return JsonResponse({"status": "ok"})


def floor_with_redis(request):
    """The floor plus one get_many of an entry and three generation tokens."""
    cache.get_many(PROBE_KEYS)
    return JsonResponse({"status": "ok"})


class FloorThroughDrf(APIView):
    """The floor's bytes behind DRF's authentication, permissions, throttles and negotiation."""

    def get(self, request):
        return HttpResponse(b'{"status":"ok"}', content_type="application/json")


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/floor/redis/", floor_with_redis, name="bench-floor-redis"),
    path("bench/floor/drf/", FloorThroughDrf.as_view(), name="bench-floor-drf"),
    *project_urlpatterns,
]
