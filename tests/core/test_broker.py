"""Issue #14.1: an empty CELERY_BROKER_URL means REDIS_URL; the broker is logged and checked."""
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from celery import signals
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from cchc_portal.celery import broker_display
from cchc_portal.core.checks import broker_resolves

ROOT = Path(__file__).resolve().parents[2]


def celery_in_a_fresh_process(env):
    """What the Celery app of a fresh interpreter reads, with `env` as its only variables."""
    code = ("from cchc_portal.celery import app; from django.conf import settings; "
            "print(app.conf.broker_url, settings.CELERY_TASK_ALWAYS_EAGER)")
    clean = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_DEBUG": "1"}
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_empty_celery_broker_url_as_env_example_ships_it_means_redis_url():
    assert celery_in_a_fresh_process({"REDIS_URL": "redis://redis:6379/0", "CELERY_BROKER_URL": ""}) \
        == "redis://redis:6379/0 False"
    # another broker, when one is named; none at all: tasks run inline
    assert celery_in_a_fresh_process({"REDIS_URL": "redis://redis:6379/0", "CELERY_BROKER_URL": "redis://q:6379/1"}) \
        == "redis://q:6379/1 False"
    assert celery_in_a_fresh_process({"REDIS_URL": "", "CELERY_BROKER_URL": ""}) == "memory:// True"


def test_the_broker_is_shown_without_its_password():
    assert broker_display("redis://:s3cret@redis:6379/0") == "redis://redis:6379/0"
    assert broker_display("amqp://guest:guest@localhost:5672//") == "amqp://localhost:5672//"
    assert broker_display("memory://") == "none (tasks run inline)"


def test_worker_and_beat_log_their_broker_at_start(caplog):
    caplog.set_level(logging.INFO, logger="cchc_portal.celery")
    signals.celeryd_after_setup.send(sender="worker@test", instance=None, conf=None)
    signals.beat_init.send(sender=None)
    assert [r.getMessage().startswith("Celery broker: ") for r in caplog.records] == [True, True]


def test_check_fails_when_the_broker_host_does_not_resolve(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    with override_settings(REDIS_URL="redis://redis.invalid:6379/0", CELERY_BROKER_URL="redis://redis.invalid:6379/0"):
        errors = broker_resolves()
        assert [e.id for e in errors] == ["core.E001"]
        assert "redis://redis.invalid:6379/0" in errors[0].msg
        with pytest.raises(SystemCheckError, match="core.E001"):
            call_command("check")


def test_check_passes_for_a_resolvable_broker_and_without_redis(monkeypatch):
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    with override_settings(REDIS_URL="redis://:pw@localhost:6379/0", CELERY_BROKER_URL="redis://:pw@localhost:6379/0"):
        assert broker_resolves() == []
    with override_settings(REDIS_URL="", CELERY_BROKER_URL="memory://"):
        assert broker_resolves() == []


def test_the_web_process_logs_its_broker_at_start():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DJANGO_DEBUG": "1", "REDIS_URL": "redis://:s3cret@redis:6379/0",
           "CELERY_BROKER_URL": ""}
    r = subprocess.run([sys.executable, "-c", "import cchc_portal.wsgi"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Celery broker: redis://redis:6379/0" in r.stderr and "s3cret" not in r.stderr
