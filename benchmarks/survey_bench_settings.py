"""Settings of the survey load benchmark only: the portal's own settings, plus a bare POST
view as the yardstick (benchmarks/survey_bench_urls.py, never in production URLs), and
rate limits raised because every simulated respondent comes from 127.0.0.1."""
from cchc_portal.settings import *  # noqa: F401,F403
from cchc_portal.settings import LOGGING

ROOT_URLCONF = "benchmarks.survey_bench_urls"
SURVEY_RATE_TOKEN = (10_000, 60)
SURVEY_RATE_IP = (10_000_000, 60)
SURVEY_RATE_BAD_TOKEN_IP = (10_000_000, 600)
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
