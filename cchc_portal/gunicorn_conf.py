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
    """What the worker loaded (Django, the apps, their modules: some 200,000 objects) stays
    for its life: frozen out of the garbage collector's generations, a full collection no
    longer walks it, which a request paid for every few thousand requests."""
    gc.freeze()
