"""GET /api/health/: 200 while the database answers, 503 when it does not."""

from django.conf import settings

from blogapi.tests.processes import child_env, health_in_a_fresh_process
from support.ports import free_port


def test_healthy_service_reports_every_part(api):
    response = api.get("/api/health/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    expected_broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": expected_broker}


def test_health_ignores_a_bad_token(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer expired-or-garbage")

    assert api.get("/api/health/").status_code == 200


def test_health_is_never_served_from_the_response_cache(api):
    first, second = api.get("/api/health/"), api.get("/api/health/")

    assert "X-Cache" not in first and "X-Cache" not in second


def test_database_down_is_503_and_says_so():
    env = child_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/blogapi", DB_CONNECT_TIMEOUT="2")

    result = health_in_a_fresh_process(env)

    assert result["status"] == 503
    assert result["cache_control"] == "no-store"
    assert result["body"]["status"] == "unavailable"
    assert result["body"]["database"] == "down"
    assert result["body"]["cache"] == "ok"  # Redis is still there: the report tells the parts apart
