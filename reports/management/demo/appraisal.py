"""Demo appraisal (after the criteria sets and the current campaign's self-assessments).

- Both campaigns: the appraisal team split by field (seed 004): thamdinh.1 (Trần Văn Bình)
  fields 1–4, thamdinh.2 (Lê Thị Mai) fields 5–8, for every agency group.
- Current campaign: Sở Tư pháp (submitted) is being appraised: field 2 accepted, one score
  adjusted with a comment, and an explanation request on a field-1 item waiting for its answer.
- 2024 campaign: every agency's self-assessment as it was submitted in March 2025 (history:
  written directly, points by scoring.compute), its survey results and the portal's service
  index (imported figures), then appraised in April 2025 (adjustments with comments, one
  explanation answered by Sở Tài chính, a second round) and finalised by canbo.snv: ready to
  be published.

Idempotent: assignments are found before they are made; a 2024 assessment already final is
left alone; the current campaign's request is made once.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from campaigns.models import Role, StepKind, User
from campaigns.selectors import step_window_for, users_for_agency
from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.core.utils import q2
from evidence.models import Document
from scoring.compute import item_points
from scoring.imported_figures import figures_import_rows
from scoring.models import Assessment, Assignment, CriteriaSet, ExplanationRequest, Item
from scoring.rules.kinds import levels_of
from scoring.selectors.appraisal import FINALISABLE
from scoring.selectors.assessments import assessment_score
from scoring.selectors.criteria import not_applicable_codes
from scoring.services import appraisal as svc
from scoring.services import explanations as explain_svc
from scoring.services.assessments import assessments_ensure

from .assessments import EXPLANATIONS, GENERIC, demo_input
from .evidence import ascii_text, pdf_bytes

TEAM = {"thamdinh.1": ["1", "2", "3", "4"], "thamdinh.2": ["5", "6", "7", "8"]}
SURVEY_SHARE = ["0.91", "0.84", "0.78", "0.88", "0.73", "0.95", "0.81", "0.86", "0.69", "0.9"]
PORTAL_INDEX = ["0.96", "0.88", "0.81", "0.92", "0.75", "0.99", "0.85"]


def _aware(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime.combine(date(year, month, day), time(hour, minute)))


def _team():
    return {name: User.objects.filter(username=name).first() for name in TEAM}


def seed_assignments(*, campaign, officer) -> None:
    for name, user in _team().items():
        if user is not None and not Assignment.objects.filter(campaign=campaign, appraiser=user).exists():
            svc.assignment_create(campaign=campaign, appraiser=user, codes=TEAM[name], group=None, user=officer)


def _appraiser_for(code, team):
    field = code.split(".")[0]
    return next((team[name] for name, fields in TEAM.items() if field in fields), None)


def _lower_level(criterion, current):
    """A level below the agency's (the appraiser found the plan late, the report incomplete...)."""
    levels = levels_of(criterion.params or {})
    labels = [lv.label for lv in levels]
    if current not in labels:
        return None
    below = [lv for lv in levels if lv.points < next(lv.points for lv in levels if lv.label == current)]
    return below[0].label if below else None


ADJUST_COMMENTS = [
    "Kế hoạch ban hành sau thời hạn quy định; tài liệu kiểm chứng chưa thể hiện đúng hạn.",
    "Báo cáo gửi chậm so với thời hạn của UBND tỉnh (theo sổ văn bản đến của Sở Nội vụ).",
    "Tài liệu kiểm chứng chưa đầy đủ theo hướng dẫn chấm điểm; giảm một mức.",
]


def _adjust_one(assessment, items, team, now, position) -> Item | None:
    """One score lowered with a comment: the first field 1–4 `levels` item above its lowest level."""
    for item in items:
        if item.criterion.rule != "levels" or item.criterion.code.split(".")[0] not in TEAM["thamdinh.1"]:
            continue
        lower = _lower_level(item.criterion, (item.input or {}).get("level"))
        if lower and item.appraisal_state == Item.AppraisalState.PENDING:
            return svc.item_appraise(item=item, input={"level": lower}, comment=ADJUST_COMMENTS[position % 3],
                                     user=_appraiser_for(item.criterion.code, team), now=now)
    return None


# ---------------------------------------------------------------- the current campaign


def seed_current(*, campaign, officer, now=None) -> None:
    """Sở Tư pháp, submitted, under appraisal with an explanation request waiting."""
    now = now or timezone.now()
    team = _team()
    assessment = (Assessment.objects.filter(campaign=campaign, agency__code="STP")
                  .select_related("agency", "campaign", "criteria_set").first())
    if assessment is None:
        return
    window = step_window_for(agency=assessment.agency, campaign=campaign, kind=StepKind.EXPLANATION)
    if window is not None:  # the plan moved to today (campaigns demo): the waiting request's deadline with it
        ExplanationRequest.objects.filter(assessment=assessment, status=ExplanationRequest.Status.OPEN).exclude(
            due_at=window.closes_at).update(due_at=window.closes_at)
    if assessment.status not in (Assessment.Status.SUBMITTED, Assessment.Status.IN_APPRAISAL):
        return
    if ExplanationRequest.objects.filter(assessment=assessment).exists() or team["thamdinh.1"] is None:
        return
    items = sorted(Item.objects.filter(assessment=assessment).select_related("criterion", "assessment"),
                   key=lambda i: tuple(int(p) for p in i.criterion.code.split(".")))
    svc.field_accept_self_scores(assessment=assessment, field_code="2", user=team["thamdinh.1"], now=now)
    adjusted = _adjust_one(assessment, items, team, now, 1)
    due = window.closes_at if window is not None else now + timedelta(days=7)
    asked = next((i for i in items if i.criterion.code.startswith("1.") and i.criterion.evidence_required
                  and i.input and (adjusted is None or i.pk != adjusted.pk)), None)
    if asked is not None and due > now:
        explain_svc.explanation_request_create(
            assessment=assessment, codes=[asked.criterion.code], due_at=due, user=team["thamdinh.1"], now=now,
            question="Đề nghị Sở Tư pháp giải trình thời điểm ban hành và bổ sung bản ký số của văn bản "
                     "làm tài liệu kiểm chứng (văn bản đính kèm là bản dự thảo).")


# ---------------------------------------------------------------- 2024: history, then appraisal


def _history_document(assessment, user, when) -> Document:
    agency = assessment.agency
    number = f"01/HS-{agency.code}"
    found = Document.objects.filter(agency=agency, campaign=assessment.campaign, number=number).first()
    if found is not None:
        return found
    summary = f"Hồ sơ tài liệu kiểm chứng Chỉ số CCHC năm {assessment.campaign.year} của {agency.name}"
    content = pdf_bytes([ascii_text(agency.name).upper(), f"So: {number}",
                                  ascii_text(summary), f"Ngay {when:%d/%m/%Y}"])
    sha = hashlib.sha256(content).hexdigest()
    found = Document.objects.filter(agency=agency, campaign=assessment.campaign, sha256=sha).first()
    if found is not None:
        return found
    document = Document(agency=agency, campaign=assessment.campaign, extension=".pdf",
                        original_name=f"Hồ sơ minh chứng – {agency.code}.pdf", size=len(content), sha256=sha,
                        content_type="application/pdf",
                        number=number, issued_on=when.date(), issuer=agency.name, summary=summary,
                        uploaded_by=user, uploaded_at=when)
    document.file.save(document.original_name, ContentFile(content), save=False)
    document.save()
    return document


def _history_submit(assessment, position, officer) -> None:
    """The 2024 self-assessment as submitted in March 2025 (the campaign is closed, so the
    agency's services no longer write: inputs are restored directly, points by compute)."""
    when = _aware(2025, 3, 26, 10)
    staff = users_for_agency(agency=assessment.agency, roles=[Role.STAFF]).order_by("pk").first()
    leader = users_for_agency(agency=assessment.agency, roles=[Role.LEADER]).order_by("pk").first()
    na = not_applicable_codes(criteria_set=assessment.criteria_set, agency=assessment.agency)
    document = _history_document(assessment, staff or officer, when)
    items = list(Item.objects.filter(assessment=assessment).select_related("criterion"))
    for offset, item in enumerate(sorted(items, key=lambda i: tuple(int(p) for p in i.criterion.code.split(".")))):
        code, rule = item.criterion.code, item.criterion.rule
        if any(code == c or code.startswith(c + ".") for c in na):
            continue
        if rule == "survey":
            share = Decimal(SURVEY_SHARE[(position + offset) % len(SURVEY_SHARE)])
            item.external_points = q2(item.criterion.max_points * share)
        raw = demo_input(item.criterion, position + offset)
        if raw is not None:
            item.input = raw
            item.explanation = EXPLANATIONS.get(code, GENERIC)
        # one agency in four forgot the evidence of its last evidence-required item: it scores 0
        skip = position % 4 == 3 and code == max((i.criterion.code for i in items if i.criterion.evidence_required),
                                                 default="")
        if item.criterion.evidence_required and raw is not None and not skip:
            item.documents.add(document)
        points = item_points(item)
        item.self_points, item.self_reason = points.value, points.reason[:255]
        item.updated_by, item.updated_at = staff, when
        item.save(update_fields=["input", "explanation", "external_points", "self_points", "self_reason",
                                 "updated_by", "updated_at"])
    total = assessment_score(assessment=assessment).total
    Assessment.objects.filter(pk=assessment.pk).update(
        self_total=total, status=Assessment.Status.SUBMITTED, sent_to_leader_at=when,
        submitted_at=when + timedelta(days=2), submitted_by=leader or staff)
    assessment.refresh_from_db()


def _portal_figures(campaign, assessments, officer, now) -> None:
    rows, number = [], 1
    for position, assessment in enumerate(assessments):
        for item in Item.objects.filter(assessment=assessment, criterion__rule="imported",
                                        external_points__isnull=True).select_related("criterion"):
            na = not_applicable_codes(criteria_set=assessment.criteria_set, agency=assessment.agency)
            if item.criterion.code in na:
                continue
            number += 1
            value = q2(item.criterion.max_points * Decimal(PORTAL_INDEX[position % len(PORTAL_INDEX)]))
            rows.append((number, {"agency_code": assessment.agency.code, "criterion_code": item.criterion.code,
                                  "value": str(value), "source": "Cổng Dịch vụ công quốc gia – Bộ chỉ số 766",
                                  "note": "Số liệu năm 2024"}))
    if rows:
        report = figures_import_rows(campaign=campaign, rows=rows, user=officer, now=now)
        if report.errors:
            raise RuntimeError("; ".join(str(e) for e in report.errors))


def _appraise(assessment, position, team, officer, start) -> None:
    items = sorted(Item.objects.filter(assessment=assessment).select_related("criterion", "assessment"),
                   key=lambda i: tuple(int(p) for p in i.criterion.code.split(".")))
    if assessment.agency.code == "STC" and not ExplanationRequest.objects.filter(assessment=assessment).exists():
        asked = next((i for i in items if i.criterion.rule == "bands" and i.input), None)
        if asked is not None:
            request = explain_svc.explanation_request_create(
                assessment=assessment, codes=[asked.criterion.code], due_at=start + timedelta(days=4),
                user=_appraiser_for(asked.criterion.code, team), now=start,
                question="Đề nghị giải trình số nhiệm vụ đã hoàn thành (báo cáo năm ghi 26/30, bảng kèm theo ghi "
                         "27/30).")
            staff = users_for_agency(agency=assessment.agency, roles=[Role.STAFF]).order_by("pk").first()
            if staff is not None:
                explain_svc.explanation_answer(request=request, user=staff, now=start + timedelta(days=1), documents=[],
                                       body="Số đúng là 27/30: nhiệm vụ số 12 hoàn thành ngày 28/12, sau ngày lập "
                                            "báo cáo năm; đã gửi kèm biên bản nghiệm thu.")
                svc.item_appraise(item=asked, input=None, comment="Chấp nhận giải trình.",
                                  user=_appraiser_for(asked.criterion.code, team), now=start + timedelta(days=2))
    _adjust_one(assessment, items, team, start, position)
    later = start + timedelta(days=2, hours=position % 5)
    fields = sorted({i.criterion.code.split(".")[0] for i in items}, key=int)
    for field in fields:
        appraiser = _appraiser_for(field, team) or officer
        try:
            svc.field_accept_self_scores(assessment=assessment, field_code=field, user=appraiser, now=later)
        except ApplicationError:
            pass  # nothing left to accept in this field


def seed_2024(*, campaign, officer) -> None:
    if not CriteriaSet.objects.filter(campaign=campaign).exists():
        return
    team = _team()
    if any(user is None for user in team.values()):
        return
    assessments_ensure(campaign=campaign)
    assessments = list(Assessment.objects.filter(campaign=campaign).select_related("agency", "campaign",
                                                                                  "criteria_set")
                       .order_by("agency__group__order", "agency__code"))
    start = _aware(2025, 4, 7, 9)
    for position, assessment in enumerate(assessments):
        if assessment.status == Assessment.Status.DRAFT and not assessment.items.exclude(input={}).exists():
            _history_submit(assessment, position, officer)
    pending = [a for a in assessments if a.status != Assessment.Status.FINAL]
    _portal_figures(campaign, pending, officer, start)
    for position, assessment in enumerate(assessments):
        if assessment.status in (Assessment.Status.SUBMITTED, Assessment.Status.IN_APPRAISAL):
            assessment.refresh_from_db()
            _appraise(assessment, position, team, officer, start)
        assessment.refresh_from_db()
        if assessment.status in FINALISABLE:
            svc.assessment_finalize(assessment=assessment, user=officer, now=_aware(2025, 4, 24, 15))


@transaction.atomic
def seed(*, campaigns) -> None:
    officer = User.objects.get(username="canbo.snv")
    for campaign in (campaigns["previous"], campaigns["current"]):
        if CriteriaSet.objects.filter(campaign=campaign).exists():
            seed_assignments(campaign=campaign, officer=officer)
    seed_2024(campaign=campaigns["previous"], officer=officer)
    seed_current(campaign=campaigns["current"], officer=officer)
