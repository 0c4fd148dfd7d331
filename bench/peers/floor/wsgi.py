"""WSGI entry of the floor project: `gunicorn bench.peers.floor.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peers.floor.settings")

application = get_wsgi_application()
