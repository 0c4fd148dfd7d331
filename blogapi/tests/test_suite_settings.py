"""The suite runs on blogapi.settings.test even where the environment exports a
deployment's DJANGO_SETTINGS_MODULE (pytest-django lets that variable win over the ini
file). Otherwise the suite's own process would hash passwords and key the cache one
way and the gunicorn children it starts (on the test settings) another: logins in a
child fail and invalidations never reach it."""

import subprocess
import sys

from django.conf import settings

from blogapi.tests.processes import child_env

THIS_TEST = "blogapi/tests/test_suite_settings.py::test_the_suite_runs_on_the_test_settings"


def test_the_suite_runs_on_the_test_settings():
    assert settings.SETTINGS_MODULE == "blogapi.settings.test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_an_exported_production_settings_module_does_not_change_that(tmp_path):
    env = child_env(
        DJANGO_SETTINGS_MODULE="blogapi.settings.production",
        SECRET_KEY="a-deployment-secret-that-the-suite-must-not-use-0123456789",
        # A database and cache of its own: this run must not touch the outer run's.
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL="",
    )

    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", THIS_TEST],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "1 passed" in completed.stdout
