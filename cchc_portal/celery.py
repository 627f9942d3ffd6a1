"""Celery application. Without REDIS_URL (the demo, the tests) tasks run inline.

The beat schedule lives here, in code: one periodic tick every TICK_SECONDS (default
180 s) that runs every registered piece of due work (cchc_portal.automation.tick).
`python manage.py run_due_tasks` runs the same tick by hand.

    celery -A cchc_portal worker --loglevel=info
    celery -A cchc_portal beat --loglevel=info
"""
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
# This module is imported before the settings: read .env here too for the two variables below.
environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env", overwrite=False)

TICK_SECONDS = float(os.environ.get("TICK_SECONDS", "180"))

logger = logging.getLogger(__name__)

app = Celery("cchc_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# One queue name per deployment (or per test run: the worker tests use their own).
app.conf.task_default_queue = os.environ.get("CELERY_QUEUE", "celery")
app.conf.beat_schedule = {
    "tick": {
        "task": "cchc_portal.notifications.tasks.tick",
        "schedule": TICK_SECONDS,
        # A tick that waited longer than one period is superseded by the next one.
        "options": {"expires": TICK_SECONDS},
    },
}


def broker_display(url) -> str:
    """The broker's address without its user name and password: what the logs may show."""
    if not url or url.startswith("memory://"):
        return "none (tasks run inline)"
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a port that is not a number: shown as written, to be seen and fixed
        port = ":" + parts.netloc.rsplit(":", 1)[-1]
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def log_broker(**_kwargs):
    """One line at start-up (web, worker, beat): which broker this process sends to or reads."""
    logger.info("Celery broker: %s", broker_display(app.conf.broker_url))


signals.celeryd_after_setup.connect(log_broker, weak=False)
signals.beat_init.connect(log_broker, weak=False)
