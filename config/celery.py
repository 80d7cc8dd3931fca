"""The Celery app. Without CELERY_BROKER_URL tasks run in-process (eagerly), so the embedded
default needs no broker; with it, real workers consume them and beat reads its schedule from the
database (django-celery-beat)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("costing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
