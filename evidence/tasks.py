"""Celery tasks of the evidence app: thin, take ids, acks_late, idempotent."""
from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _

from . import checks

CHECK_LIMITS = {"acks_late": True,
                "soft_time_limit": getattr(settings, "EVIDENCE_CHECK_SOFT_TIME_LIMIT", 600),
                "time_limit": getattr(settings, "EVIDENCE_CHECK_TIME_LIMIT", 660)}


@shared_task(**CHECK_LIMITS)
def document_check_job(document_id: int) -> str:
    """Text, signatures and proposed metadata of one uploaded document (evidence.checks)."""
    try:
        return checks.document_check_run(document_id=document_id)
    except SoftTimeLimitExceeded:
        checks.document_check_failed(document_id=document_id, message=_("Quá thời gian kiểm tra tài liệu."))
        return "failed"
