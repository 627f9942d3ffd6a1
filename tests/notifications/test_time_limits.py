"""Every Celery task has a soft and a hard time limit; long jobs have longer ones, and a job
stopped by its soft limit is failed with a clear message instead of staying "running"."""
import importlib

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from cchc_portal.celery import app
from cchc_portal.notifications.models import Job
from cchc_portal.notifications.services import job_running

LONG_JOBS = ["reports.tasks.campaign_export_job", "reports.tasks.publication_job",
             "campaigns.tasks.agency_import_job", "cchc_portal.notifications.tasks.outbox_send_all_job"]


def test_the_app_has_default_limits_from_the_settings(settings):
    assert app.conf.task_soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT == 300
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT == 360
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit


@pytest.mark.parametrize("name", LONG_JOBS)
def test_long_jobs_have_their_own_longer_limits(name, settings):
    module, _dot, attr = name.rpartition(".")
    task = getattr(importlib.import_module(module), attr)
    assert task.soft_time_limit == settings.CELERY_LONG_TASK_SOFT_TIME_LIMIT
    assert task.time_limit == settings.CELERY_LONG_TASK_TIME_LIMIT
    assert app.conf.task_time_limit < task.soft_time_limit < task.time_limit


def test_a_job_stopped_by_its_soft_limit_is_failed_with_a_message(officer):
    job = Job.objects.create(kind="campaign_export", created_by=officer)
    with job_running(job.pk):
        raise SoftTimeLimitExceeded()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "quá thời gian cho phép" in job.message


def test_a_jobs_stop_is_told_in_the_workers_language(officer):
    from django.utils import translation

    job = Job.objects.create(kind="campaign_export", created_by=officer)
    with translation.override("en"), job_running(job.pk):
        raise SoftTimeLimitExceeded()
    job.refresh_from_db()
    assert job.message == "The job ran past its time limit and was stopped; there is no result."
