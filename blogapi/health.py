"""GET /api/health/: is the database up (200/503), and how are the cache and the broker."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from kombu import Connection
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:
        return "down"


def cache_state() -> str:
    try:
        cache.set("health:probe", 1, 5)
        return "ok" if cache.get("health:probe") == 1 else "down"
    except Exception:
        return "down"


def broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"  # no broker configured: tasks run in-process
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,  # a Sentinel broker's master_name
        ) as conn:
            conn.ensure_connection(max_retries=1)
        return "ok"
    except Exception:
        return "down"


HEALTH_REPORT = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
        # Plain strings: two enums with one choice set would be a schema warning.
        "database": serializers.CharField(help_text='"ok" or "down"'),
        "cache": serializers.CharField(help_text='"ok" or "down"'),
        "broker": serializers.ChoiceField(choices=["ok", "down", "eager"]),
    },
)


class HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    versioning_class = None  # outside /api/v1|v2/: listed in every version's schema

    @extend_schema(
        tags=["health"],
        responses={
            (200, "application/json"): HEALTH_REPORT,
            (503, "application/json"): OpenApiResponse(HEALTH_REPORT, description="The database does not answer."),
        },
    )
    def get(self, request):
        report = {"database": database_state(), "cache": cache_state(), "broker": broker_state()}
        healthy = report["database"] == "ok"
        report = {"status": "ok" if healthy else "unavailable", **report}
        return Response(report, status=200 if healthy else 503, headers={"Cache-Control": "no-store"})
