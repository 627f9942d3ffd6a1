"""System checks of the deployment (run by `manage.py check` and before `migrate`)."""
import os
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register


def celery_broker_url() -> str:
    """The broker Celery uses: its CELERY_BROKER_URL variable wins over the settings, as in Celery."""
    return os.environ.get("CELERY_BROKER_URL") or settings.CELERY_BROKER_URL


@register()
def broker_resolves(app_configs=None, **kwargs):
    """With REDIS_URL set, tasks (mail, reminders, locks) go through a broker: its host name must
    resolve. Only the name is looked up, nothing connects, so a check costs no request anything."""
    if not settings.REDIS_URL:
        return []
    from cchc_portal.celery import broker_display

    errors = []
    for url in celery_broker_url().split(";"):  # Celery's fail-over form: several URLs
        url = url.strip()
        if not url or url.startswith("memory://"):
            continue
        parts = urlsplit(url)
        try:
            socket.getaddrinfo(parts.hostname or "localhost", parts.port or None)
        except (socket.gaierror, ValueError, UnicodeError) as exc:
            errors.append(Error(
                f"Celery broker {broker_display(url)}: its host cannot be resolved ({exc}).",
                hint="Check REDIS_URL / CELERY_BROKER_URL: e-mails, reminders and locks would never run.",
                id="core.E001",
            ))
    return errors
