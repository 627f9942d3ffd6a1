import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
application = get_wsgi_application()

from cchc_portal.celery import log_broker  # noqa: E402 - after the settings are loaded

log_broker()
