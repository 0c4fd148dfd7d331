"""The Celery app, configured from Django settings (namespace CELERY_) as Celery's Django guide does.

celery -A blogapi worker -l info    # runs the tasks (as many as you like)
celery -A blogapi beat -l info      # schedules the periodic ones (exactly one per deployment)
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogapi.settings.local")

app = Celery("blogapi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
