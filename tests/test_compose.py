"""docker-compose.yml cannot run here (no Docker engine): read it and check its shape."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def load():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_with_shared_anchor():
    compose = load()
    services = compose["services"]
    assert set(services) >= {"db", "redis", "web", "worker", "beat", "mailpit"}
    # web, worker and beat share one anchor: the same image, environment and volumes
    for name in ("web", "worker", "beat"):
        assert services[name]["image"] == "cchc-portal:latest"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://")
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "gunicorn -c python:cchc_portal.gunicorn_conf" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A cchc_portal worker")
    assert services["beat"]["command"].startswith("celery -A cchc_portal beat")


def test_db_has_healthcheck_and_mail_goes_to_mailpit():
    services = load()["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["web"]["environment"]["EMAIL_URL"] == "smtp://mailpit:1025"


def test_env_example_lists_every_variable_the_settings_read():
    import re

    settings_text = (ROOT / "cchc_portal" / "settings.py").read_text()
    read = set(re.findall(r'env(?:\.\w+)?\("([A-Z_]+)"', settings_text))
    listed = {line.split("=", 1)[0].lstrip("# ").strip()
              for line in (ROOT / ".env.example").read_text().splitlines() if "=" in line}
    assert read, "settings.py reads no variable?"
    assert read <= listed, f"missing from .env.example: {sorted(read - listed)}"


def test_gunicorns_settings_read_the_worker_count_and_freeze_what_the_worker_loaded(monkeypatch):
    import gc
    import importlib

    from django.urls import clear_url_caches, get_resolver

    from cchc_portal import gunicorn_conf

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    conf = importlib.reload(gunicorn_conf)
    assert conf.workers == 3 and conf.wsgi_app == "cchc_portal.wsgi:application"
    monkeypatch.setenv("WEB_CONCURRENCY", "")  # as an empty line of .env leaves it
    assert importlib.reload(gunicorn_conf).workers >= 3  # 2 × cores + 1
    gc.unfreeze()
    before = gc.get_freeze_count()
    clear_url_caches()  # as in a new worker: the URLconf not loaded yet
    conf.post_worker_init(worker=None)
    try:
        assert gc.get_freeze_count() > before  # the loaded objects left the collector's generations
        resolver = get_resolver()
        assert "url_patterns" in resolver.__dict__ and resolver._populated  # loaded before the first request
    finally:
        gc.unfreeze()
