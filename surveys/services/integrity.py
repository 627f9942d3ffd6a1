"""Integrity: flags raised by the periodic scan, voids of a response or an agency's result, reviews."""
import hashlib
from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc_portal.core.exceptions import ApplicationError, ConflictError
from surveys.models import (
    Flag,
    Invitation,
    LinkPrint,
    Response,
    SurveyVoid,
)
from surveys.services.common import notify_officers, require_officer, setting


def survey_flags_scan(*, now=None, since=None) -> int:
    """Due work of the tick: raise flags for officers (agencies never see them) over the
    responses submitted since `since` (default: the last two device windows):

    - too fast: fewer than SURVEY_FLAG_SECONDS_PER_ROW (2) seconds per matrix row between
      opening and sending (noted on the response when it was sent);
    - one device: SURVEY_FLAG_DEVICE_COUNT (3) or more responses with the same IP
      fingerprint and user agent within SURVEY_FLAG_DEVICE_MINUTES (60) minutes;
    - identical: SURVEY_FLAG_IDENTICAL_MIN (3) or more responses of one agency's
      respondents with the same rating pattern;
    - printed link: responses whose link was printed on a QR sheet (one flag per sheet).

    Idempotent: a flag is unique by its key, a response joins it once. Returns the number
    of flags created."""
    now = now or timezone.now()
    minutes = setting("SURVEY_FLAG_DEVICE_MINUTES", 60)
    since = since or now - timedelta(minutes=2 * minutes)
    recent = list(Response.objects.filter(submitted_at__gte=since, submitted_at__lte=now).values(
        "pk", "ip_hash", "user_agent", "started_at", "submitted_at", "rating_rows", "answers_digest", "flags",
        "invitation__respondent__campaign_id", "invitation__respondent__respondent_list__agency_id",
        "invitation__printed_in_id"))
    if not recent:
        return 0
    wanted: dict[str, dict] = {}

    def want(key, *, campaign_id, agency_id, kind, detail, ids, at):
        entry = wanted.setdefault(key, {"campaign_id": campaign_id, "agency_id": agency_id, "kind": kind,
                                        "detail": detail, "ids": set(), "at": at})
        entry["ids"].update(ids)

    for r in recent:
        if Flag.Kind.TOO_FAST.value in (r["flags"] or []):
            want(f"too_fast:{r['pk']}", campaign_id=r["invitation__respondent__campaign_id"],
                 agency_id=r["invitation__respondent__respondent_list__agency_id"], kind=Flag.Kind.TOO_FAST,
                 detail={"seconds": round((r["submitted_at"] - r["started_at"]).total_seconds(), 1),
                         "rows": r["rating_rows"]}, ids=[r["pk"]], at=r["submitted_at"])
    sheets = {p.pk: p for p in LinkPrint.objects.filter(
        pk__in={r["invitation__printed_in_id"] for r in recent if r["invitation__printed_in_id"]}).select_related(
        "printed_by")}
    for r in recent:
        sheet = sheets.get(r["invitation__printed_in_id"])
        if sheet is not None:
            want(f"printed_link:{sheet.pk}", campaign_id=sheet.campaign_id, agency_id=sheet.agency_id,
                 kind=Flag.Kind.PRINTED_LINK, ids=[r["pk"]], at=r["submitted_at"],
                 detail={"printed_by": sheet.printed_by.display_name,
                         "printed_at": timezone.localtime(sheet.printed_at).strftime("%H:%M %d/%m/%Y")})
    device_count = setting("SURVEY_FLAG_DEVICE_COUNT", 3)
    if device_count:
        devices = {(r["invitation__respondent__campaign_id"], r["ip_hash"], r["user_agent"]) for r in recent
                   if r["ip_hash"]}
        earlier = Response.objects.filter(submitted_at__gte=since - timedelta(minutes=minutes), submitted_at__lte=now,
                                          ip_hash__in={d[1] for d in devices})
        by_device = defaultdict(list)
        for row in earlier.values("pk", "ip_hash", "user_agent", "submitted_at", "invitation__respondent__campaign_id",
                                  "invitation__respondent__respondent_list__agency_id"):
            key = (row["invitation__respondent__campaign_id"], row["ip_hash"], row["user_agent"])
            if key in devices:
                by_device[key].append(row)
        for (campaign_id, ip_hash, agent), rows in by_device.items():
            rows.sort(key=lambda x: x["submitted_at"])
            first = 0
            for last, row in enumerate(rows):
                while rows[first]["submitted_at"] < row["submitted_at"] - timedelta(minutes=minutes):
                    first += 1
                if last - first + 1 >= device_count and row["submitted_at"] >= since:
                    device = hashlib.sha256(f"{ip_hash}|{agent}".encode()).hexdigest()[:16]
                    hour = timezone.localtime(row["submitted_at"]).strftime("%Y%m%d%H")
                    want(f"same_device:{campaign_id}:{device}:{hour}", campaign_id=campaign_id,
                         agency_id=row["invitation__respondent__respondent_list__agency_id"],
                         kind=Flag.Kind.SAME_DEVICE, detail={"device": ip_hash[:10], "user_agent": agent},
                         ids=[x["pk"] for x in rows[first:last + 1]], at=row["submitted_at"])
    identical_min = setting("SURVEY_FLAG_IDENTICAL_MIN", 3)
    digests = {r["answers_digest"] for r in recent if r["answers_digest"] and r["rating_rows"] >= 2}
    if identical_min and digests:
        same = defaultdict(list)
        for row in Response.objects.filter(answers_digest__in=digests, submitted_at__isnull=False).values(
                "pk", "answers_digest", "rating_rows", "submitted_at", "invitation__respondent__campaign_id",
                "invitation__respondent__respondent_list__agency_id"):
            same[(row["invitation__respondent__campaign_id"], row["invitation__respondent__respondent_list__agency_id"],
                  row["answers_digest"])].append(row)
        for (campaign_id, agency_id, digest), rows in same.items():
            if len(rows) >= identical_min:
                want(f"identical:{campaign_id}:{agency_id}:{digest[:16]}", campaign_id=campaign_id,
                     agency_id=agency_id, kind=Flag.Kind.IDENTICAL, detail={"rows": rows[0]["rating_rows"]},
                     ids=[x["pk"] for x in rows], at=max(x["submitted_at"] for x in rows))
    created = 0
    existing = {f.key: f for f in Flag.objects.filter(key__in=list(wanted))}
    for key, entry in wanted.items():
        flag = existing.get(key)
        if flag is None:
            with transaction.atomic():
                flag, made = Flag.objects.get_or_create(key=key, defaults={
                    "campaign_id": entry["campaign_id"], "agency_id": entry["agency_id"], "kind": entry["kind"],
                    "detail": entry["detail"], "created_at": entry["at"]})
            created += made
        flag.responses.add(*entry["ids"])
    return created


def _reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Cần nêu lý do hủy."), extra={"errors": {"reason": [_("Bắt buộc.")]}})
    return reason


@transaction.atomic
def response_void(*, response, reason, user, now=None, flag=None) -> SurveyVoid:
    """One response no longer counts (recorded: who, when, why)."""
    require_officer(user)
    now = now or timezone.now()
    reason = _reason(reason)
    if not Response.objects.filter(pk=response.pk, voided=False).update(voided=True, void_reason=reason):
        raise ConflictError(_("Phiếu này đã bị hủy."))
    campaign_id = Invitation.objects.filter(pk=response.invitation_id).values_list(
        "respondent__campaign_id", flat=True).get()
    return SurveyVoid.objects.create(campaign_id=campaign_id, response=response, flag=flag, reason=reason,
                                     made_by=user, made_at=now, responses_voided=1)


@transaction.atomic
def agency_survey_void(*, campaign, agency, reason, user, now=None, flag=None) -> SurveyVoid:
    """The whole survey result of an agency — every response of its respondents, and any
    that come later — no longer counts (seed 003: interference voids the agency's result)."""
    require_officer(user)
    now = now or timezone.now()
    reason = _reason(reason)
    if SurveyVoid.objects.filter(campaign=campaign, agency=agency).exists():
        raise ConflictError(_("Kết quả khảo sát của đơn vị này đã bị hủy."))
    count = Response.objects.filter(invitation__respondent__campaign=campaign,
                                    invitation__respondent__respondent_list__agency=agency, voided=False).update(
        voided=True, void_reason=reason)
    record = SurveyVoid.objects.create(campaign=campaign, agency=agency, flag=flag, reason=reason, made_by=user,
                                       made_at=now, responses_voided=count)
    notify_officers(text=f"Đã hủy kết quả khảo sát của {agency.name}: {reason}",
                     url=reverse("surveys:flags", kwargs={"pk": campaign.pk}), key=f"survey-void:{record.pk}")
    return record


@transaction.atomic
def flag_review(*, flag, user, decision, note, now=None) -> int:
    """An officer closes a flag: `dismissed` (no interference) or `voided` (its responses no
    longer count). Returns the number of responses voided."""
    require_officer(user)
    now = now or timezone.now()
    note = _reason(note)
    if decision not in (Flag.Status.DISMISSED, Flag.Status.VOIDED):
        raise ApplicationError(_("Quyết định không hợp lệ."))
    if not Flag.objects.filter(pk=flag.pk, status=Flag.Status.OPEN).update(
            status=decision, reviewed_by=user, reviewed_at=now, review_note=note):
        raise ConflictError(_("Dấu hiệu này đã được xử lý."))
    voided = 0
    if decision == Flag.Status.VOIDED:
        for response in flag.responses.filter(voided=False):
            response_void(response=response, reason=note, user=user, now=now, flag=flag)
            voided += 1
    return voided
