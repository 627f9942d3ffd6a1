"""Celery tasks of campaigns: thin, take ids, load, call a service."""
from celery import shared_task
from django.utils.translation import gettext as _

from cchc_portal.core.excel import read_sheet
from cchc_portal.notifications import services as jobs
from cchc_portal.notifications.tasks import LONG_JOB

from .services import AGENCY_ALIASES, AGENCY_COLUMNS, agency_import


# The name it had in cchc_portal.notifications.tasks: jobs queued by a running deployment
# before the move still reach it.
@shared_task(name="cchc_portal.notifications.tasks.agency_import_job", **LONG_JOB)
def agency_import_job(job_id: int, dry_run: bool = False) -> str:
    """The officers' agency import (services.agency_import) as a job: the rows are counted
    first, then imported all at once (nothing is written if any row is wrong)."""
    with jobs.job_running(job_id) as job:
        if job is None:
            return "skipped"
        with job.input_file.open("rb") as f:
            rows, _errors = read_sheet(f, AGENCY_COLUMNS, aliases=AGENCY_ALIASES)
        jobs.job_progress(job_id=job_id, done=0, total=len(rows),
                          message=_("Đã đọc %(n)s dòng; đang kiểm tra và nhập…") % {"n": len(rows)})
        with job.input_file.open("rb") as f:
            report = agency_import(file=f, dry_run=dry_run)
        errors = report.as_dict()["errors"]
        if not report.ok:
            jobs.job_fail(job_id=job_id, message=_("Tệp có %(n)s lỗi; chưa nhập dữ liệu nào.") % {"n": len(errors)},
                          errors=errors)
            return "failed"
        counts = {"created": report.created, "updated": report.updated}
        if dry_run:
            message = _("Kiểm tra xong (chạy thử, chưa ghi): %(created)s đơn vị mới, "
                        "%(updated)s đơn vị cập nhật.") % counts
        else:
            message = _("Đã nhập: %(created)s đơn vị mới, %(updated)s đơn vị cập nhật.") % counts
        jobs.job_finish(job_id=job_id, message=message)
        return "done"
    return "failed"
