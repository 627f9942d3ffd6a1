"""Celery tasks of the reports app: thin, take ids, acks_late, idempotent."""
from celery import shared_task
from django.core.files import File
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cchc_portal.notifications import services as jobs
from cchc_portal.notifications.tasks import LONG_JOB


def export_path(job_id: int) -> str:
    """Where a full-campaign export job leaves its workbook (default storage)."""
    return f"reports/exports/job-{job_id}.xlsx"


@shared_task(**LONG_JOB)
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
        jobs.job_progress(job_id=job_id, done=0, total=total, message=_("Đang ghi tệp Excel…"))
        workbook = exports.campaign_workbook(
            campaign=campaign, on_progress=lambda done: jobs.job_progress(job_id=job_id, done=done))
        with exports.save_to_temp(workbook) as handle:
            if default_storage.exists(export_path(job_id)):  # a redelivery: write it afresh
                default_storage.delete(export_path(job_id))
            default_storage.save(export_path(job_id), File(handle))
        done = ngettext("Đã xuất %(count)s dòng tiêu chí.", "Đã xuất %(count)s dòng tiêu chí.", total)
        jobs.job_finish(job_id=job_id, message=done % {"count": total},
                        result_url=reverse("reports-export-download", args=[job_id]))
        return "done"
    return "failed"


@shared_task(**LONG_JOB)
def publication_job(job_id: int, campaign_id: int, decision_number: str, note: str, number: int) -> str:
    """Publish the campaign's results as publication `number` (services.publication_enqueue).
    Idempotent: when that publication exists (a redelivery, a second job of a double click)
    the job finishes pointing at it."""
    from campaigns.models import Campaign
    from cchc_portal.core.exceptions import ConflictError
    from scoring.models import Assessment

    from .models import Publication
    from .services import publication_create

    with jobs.job_running(job_id) as job:
        if job is None:
            return "skipped"
        campaign = Campaign.objects.get(pk=campaign_id)
        if not Publication.objects.filter(campaign=campaign, number=number).exists():
            total = Assessment.objects.filter(campaign=campaign).count()
            working = ngettext("Đang tính và đóng băng kết quả của %(count)s đơn vị…",
                               "Đang tính và đóng băng kết quả của %(count)s đơn vị…", total)
            jobs.job_progress(job_id=job_id, done=0, total=total, message=working % {"count": total})
            try:
                publication_create(campaign=campaign, user=job.created_by, decision_number=decision_number,
                                   note=note, number=number)
            except ConflictError:
                if not Publication.objects.filter(campaign=campaign, number=number).exists():
                    raise
        jobs.job_finish(job_id=job_id, message=_("Đã công bố kết quả (lần %(n)s).") % {"n": number},
                        result_url=reverse("reports-results", args=[campaign_id]))
        return "done"
    return "failed"
