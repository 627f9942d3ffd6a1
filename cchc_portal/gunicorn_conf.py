"""gunicorn's settings for the portal: docker-compose's web service and the survey load
benchmark run with them (`gunicorn -c python:cchc_portal.gunicorn_conf cchc_portal.wsgi`).
WEB_CONCURRENCY sets the number of sync workers (default 2 × cores + 1)."""
import gc
import multiprocessing
import os

wsgi_app = "cchc_portal.wsgi:application"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)  # empty: the default
timeout = 120


def post_worker_init(worker):
    """Once the worker has loaded the application, before its first request:

    - what the first requests would otherwise load, loaded now: every app's URLs (the API's
      and its schema views import DRF's renderers and serializers: seconds on a busy
      machine) and the default language's translations, so that no early visitor waits;
    - what the worker loaded (Django, the apps, their modules: some 200,000 objects) kept
      for its life: frozen out of the garbage collector's generations, a full collection
      no longer walks it, which a request paid for every few thousand requests."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URLconf's modules
    resolver.reverse_dict  # noqa: B018 - and builds the reverse lookups
    translation.activate(settings.LANGUAGE_CODE)  # loads its catalogue, kept by the process
    translation.deactivate()
    gc.freeze()
