"""Celery tasks of the reports app: thin, take ids, acks_late, idempotent."""
from celery import shared_task
from django.core.files import File
from django.core.files.storage import default_storage
from django.urls import reverse

from cchc_portal.notifications import services as jobs


def export_path(job_id: int) -> str:
    """Where a full-campaign export job leaves its workbook (default storage)."""
    return f"reports/exports/job-{job_id}.xlsx"


@shared_task(acks_late=True)
def campaign_export_job(job_id: int, campaign_id: int) -> str:
    """The full-campaign Excel export of a large campaign, written in the background
    (minutes for 400,000 items) and downloaded from the job's page."""
    from campaigns.models import Campaign
    from scoring.models import Item

    from . import exports

    with jobs.job_running(job_id) as job:
        if job is None:
            return "skipped"
        campaign = Campaign.objects.get(pk=campaign_id)
        total = Item.objects.filter(assessment__campaign=campaign).count()
        jobs.job_progress(job_id=job_id, done=0, total=total, message="Đang ghi tệp Excel…")
        workbook = exports.campaign_workbook(
            campaign=campaign, on_progress=lambda done: jobs.job_progress(job_id=job_id, done=done))
        with exports.save_to_temp(workbook) as handle:
            if default_storage.exists(export_path(job_id)):  # a redelivery: write it afresh
                default_storage.delete(export_path(job_id))
            default_storage.save(export_path(job_id), File(handle))
        jobs.job_finish(job_id=job_id, message=f"Đã xuất {total} dòng tiêu chí.",
                        result_url=reverse("reports-export-download", args=[job_id]))
        return "done"
    return "failed"
