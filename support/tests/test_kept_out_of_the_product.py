"""The product never imports this package: what gunicorn (blogapi.wsgi:application, with the
production settings) and `celery -A blogapi` worker and beat load, every URL's view and
every task included, loads in a process where `import support` fails."""

import subprocess
import sys

from blogapi.tests.processes import ROOT, child_env

THE_PRODUCT_WITHOUT_SUPPORT = """
import sys

class NoSupport:
    def find_spec(self, name, path=None, target=None):
        if name == "support" or name.startswith("support."):
            raise ImportError(f"the product imported {name}")

sys.meta_path.insert(0, NoSupport())

from blogapi.wsgi import application
from django.urls import get_resolver
from blogapi import celery_app

get_resolver().url_patterns  # blogapi.urls, and with it every URLconf and view
celery_app.loader.import_default_modules()  # every app's tasks, as a worker does
print(len(get_resolver().url_patterns), len([name for name in celery_app.tasks if not name.startswith("celery.")]))
"""


def test_the_deployed_processes_load_without_support():
    env = child_env(
        DJANGO_SETTINGS_MODULE="blogapi.settings.production",
        SECRET_KEY="a-deployment-secret-for-this-test-only-0123456789abcdef-0123",
    )

    command = [sys.executable, "-c", THE_PRODUCT_WITHOUT_SUPPORT]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    routes, tasks = map(int, done.stdout.split())
    assert routes > 0
    assert tasks > 0
