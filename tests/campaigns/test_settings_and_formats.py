import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.utils import formats, translation

ROOT = Path(__file__).resolve().parents[2]


def settings_value(env, expr):
    """Import the production settings module in a fresh interpreter with `env`."""
    code = f"import cchc_portal.settings as s; print({expr})"
    clean = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=60)


def test_secret_key_required_unless_debug():
    r = settings_value({"DJANGO_DEBUG": "0"}, "s.SECRET_KEY")
    assert r.returncode != 0 and "DJANGO_SECRET_KEY" in r.stderr
    r = settings_value({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50}, "s.SECRET_KEY")
    assert r.stdout.strip() == "x" * 50


def test_database_url_default_sqlite_and_postgres_from_env():
    r = settings_value({"DJANGO_DEBUG": "1"}, "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']")
    assert "sqlite3" in r.stdout and "db.sqlite3" in r.stdout
    r = settings_value({"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://u@db:5432/cchc"},
                       "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']")
    assert "postgresql" in r.stdout and "cchc" in r.stdout


def test_tasks_inline_without_redis_and_queued_with_it():
    r = settings_value({"DJANGO_DEBUG": "1"}, "s.CELERY_TASK_ALWAYS_EAGER")
    assert r.stdout.strip() == "True"
    r = settings_value({"DJANGO_DEBUG": "1", "REDIS_URL": "redis://h:6379/0"},
                       "s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL")
    assert r.stdout.strip() == "False redis://h:6379/0"


def test_email_and_hosts_from_env():
    r = settings_value({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 50, "EMAIL_URL": "smtp://mail:1025",
                        "DJANGO_ALLOWED_HOSTS": "cchc.example.gov.vn"},
                       "s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.ALLOWED_HOSTS")
    assert "smtp.EmailBackend mail 1025" in r.stdout and "cchc.example.gov.vn" in r.stdout


def test_stateless_web_process_and_locale():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]


class DateForm(forms.Form):
    day = forms.DateField()
    amount = forms.DecimalField(localize=True)


def test_vi_date_input_is_day_first():
    with translation.override("vi"):
        form = DateForm({"day": "05/11/2026", "amount": "1.234,5"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == date(2026, 11, 5)
        assert form.cleaned_data["amount"] == Decimal("1234.5")


def test_vi_output_formats():
    with translation.override("vi"):
        assert formats.date_format(date(2026, 11, 5), "SHORT_DATE_FORMAT") == "05/11/2026"
        assert formats.number_format(Decimal("1234567.5"), 2, use_l10n=True, force_grouping=True) == "1.234.567,50"


@pytest.mark.django_db
def test_language_switch_to_english(client, staff_a):
    client.force_login(staff_a, backend="django.contrib.auth.backends.ModelBackend")
    r = client.get("/")
    assert "Trang chủ" in r.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    r = client.get("/")
    assert 'lang="en"' in r.content.decode()
