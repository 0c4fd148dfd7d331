"""The tutorial's run.py, for gunicorn: `gunicorn bench.peers.flask_tutorial.wsgi:app`."""

from . import create_app

app = create_app()
