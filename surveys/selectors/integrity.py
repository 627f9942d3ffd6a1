"""Flags and voids, for officers: response ids and aggregates, never names."""

from django.db.models import Count, QuerySet

from surveys.models import (
    Flag,
    SurveyVoid,
)


def flag_list(*, campaign, status=None) -> QuerySet[Flag]:
    qs = (Flag.objects.filter(campaign=campaign).select_related("agency", "reviewed_by")
          .annotate(response_count=Count("responses")).order_by("-created_at", "-id"))
    if status:
        qs = qs.filter(status=status)
    return qs


def flag_responses(*, flag) -> list[dict]:
    """What an officer needs to judge a flag, without names or answers: the response id,
    the respondent's agency and group, timing and the device fingerprint."""
    rows = []
    for r in flag.responses.select_related("invitation__respondent__respondent_list__agency",
                                           "invitation__respondent__group").order_by("submitted_at"):
        respondent = r.invitation.respondent
        seconds = (r.submitted_at - r.started_at).total_seconds() if r.submitted_at else None
        rows.append({"id": r.pk, "agency": respondent.respondent_list.agency, "group": respondent.group,
                     "started_at": r.started_at, "submitted_at": r.submitted_at, "seconds": seconds,
                     "rows": r.rating_rows, "device": r.ip_hash[:10], "user_agent": r.user_agent,
                     "voided": r.voided})
    return rows


def void_list(*, campaign) -> QuerySet[SurveyVoid]:
    return SurveyVoid.objects.filter(campaign=campaign).select_related("agency", "made_by", "response")
