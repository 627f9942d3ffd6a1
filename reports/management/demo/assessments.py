"""Demo self-assessments of the current campaign (after the criteria demo has made the criteria sets).

Sở Tài chính still entering its scores (nearly done), Phường Minh Xuân waiting for its leader,
Sở Tư pháp submitted to the Sở Nội vụ (the appraisal demo then asks it to explain), a few
communes in progress, Xã Thái Bình untouched, every other agency not started. Evidence
comes from the evidence demo (plans and reports uploaded through document_upload).

Idempotent: an assessment that already has a scored item or has left draft is left alone.
"""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.db import transaction
from django.utils import timezone

from campaigns.models import Membership, Role, User
from campaigns.selectors import users_for_agency
from evidence.models import Document
from evidence.services import document_upload
from scoring.models import Assessment, Criterion, Item
from scoring.rules.kinds import RuleParamsError, bands_of, levels_of
from scoring.selectors.criteria import not_applicable_codes
from scoring.services.assessments import (
    assessment_approve,
    assessment_send_to_leader,
    assessments_ensure,
    item_link_documents,
    item_update,
)

from .evidence import ascii_text, pdf_bytes
from .evidence import seed as seed_evidence

# Explanations a department would write, by criterion code of the department set; others get a generic one.
EXPLANATIONS = {
    "1.1.1": "Kế hoạch CCHC năm ban hành ngày 10/01, đúng thời hạn theo Kế hoạch của UBND tỉnh.",
    "1.1.2": "Kế hoạch xác định đủ 7 nhóm nhiệm vụ; kinh phí bố trí tại dự toán được giao đầu năm.",
    "1.1.3": "Mỗi nhiệm vụ có sản phẩm, thời hạn và phòng chủ trì rõ ràng (Phụ lục kèm Kế hoạch).",
    "1.1.4": "Hoàn thành 28/30 nhiệm vụ; 2 nhiệm vụ đang triển khai theo lộ trình.",
    "1.2.1": "Gửi đủ báo cáo quý I, 6 tháng, quý III đúng hạn qua hệ thống quản lý văn bản.",
    "1.2.2": "Báo cáo theo đúng đề cương hướng dẫn, có đủ số liệu thống kê.",
    "1.3": "Kiểm tra 5/5 phòng, đơn vị trực thuộc theo Kế hoạch kiểm tra.",
    "3.2": "Có 2 hồ sơ quá hạn trong năm do bổ sung hồ sơ đất đai.",
    "5.3": "Không có cán bộ, công chức bị xử lý kỷ luật trong năm.",
    "7.1": "Tỷ lệ văn bản điện tử có ký số theo số liệu của hệ thống quản lý văn bản.",
}
GENERIC = "Đơn vị đã thực hiện theo hướng dẫn; chi tiết tại tài liệu kiểm chứng kèm theo."
# Documents of the evidence demo (by number) and the items they support.
EVIDENCE = {
    "STC": {"15/KH-STC": ["1.1.1", "1.1.2", "1.1.3", "1.1.4"], "268/BC-STC": ["1.2.1", "1.2.2"],
            "45/QĐ-STC": ["6.1"], "03/BB-KT": ["1.3"]},
    "STP": {"22/KH-STP": ["1.1.1", "1.1.2", "1.1.3", "2.2"], "190/BC-STP": ["1.2.1", "1.2.2", "3.1"]},
}
# agency code → (share of leaves scored, then what happens)
PLAN = {
    "STC": (0.92, ""),
    "STP": (1.0, "submitted"),
    "P-MINHXUAN": (1.0, "with_leader"),
    "X-YENSON": (0.4, ""),
    "P-NONGTIEN": (0.25, ""),
    "X-THAIBINH": (0.0, ""),
}
# A penalty the agency declares (points taken off), so the page shows one: agency code → points.
PENALTIES = {"P-MINHXUAN": Decimal("1.5")}
PENALTY_EXPLANATION = "Thanh tra tỉnh kết luận 1 hồ sơ đất đai giải quyết sai quy trình (Kết luận số 12/KL-TTr)."
COMMUNE_STAFF = {"X-YENSON": ("yenson.canbo", "Hà Thị Huyền"), "P-NONGTIEN": ("nongtien.canbo", "Lý Văn Khánh")}


def demo_input(criterion, position: int) -> dict | None:
    """A realistic, valid input for a leaf (None for leaves the agency does not type)."""
    rule, params, top = criterion.rule, criterion.params or {}, criterion.max_points
    try:
        if rule == "levels":
            levels = levels_of(params)
            return {"level": levels[1 if position % 5 == 4 and len(levels) > 1 else 0].label}
        if rule == "bands":
            bands_of(params)
            return {"numerator": [19, 9, 27, 45][position % 4], "denominator": [20, 10, 30, 50][position % 4]}
    except RuleParamsError:
        return None
    if rule == "ratio":
        return {"numerator": [95, 18, 7][position % 3], "denominator": [100, 20, 8][position % 3]}
    if rule == "deduction":
        return {"count": position % 2}
    if rule in ("manual", "bonus"):
        step = params.get("step") or "0.5"
        score = top - Decimal(step) if position % 3 == 2 and top >= Decimal(step) else top
        return {"score": str(score)}
    return None  # survey and imported come from elsewhere; penalty: no violation recorded


def _staff(agency):
    user = users_for_agency(agency=agency, roles=[Role.STAFF]).order_by("pk").first()
    if user is None and agency.code in COMMUNE_STAFF:
        username, full_name = COMMUNE_STAFF[agency.code]
        user, created = User.objects.get_or_create(username=username, defaults={
            "full_name": full_name, "email": f"{username}@tuyenquang.gov.vn"})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, agency=agency, role=Role.STAFF)
    return user


def _fill(assessment, user, share) -> int:
    na = not_applicable_codes(criteria_set=assessment.criteria_set, agency=assessment.agency)
    items = sorted(Item.objects.filter(assessment=assessment).select_related("criterion"),
                   key=lambda i: tuple(int(p) for p in i.criterion.code.split(".")))
    typed = [i for i in items if i.criterion.code not in na and demo_input(i.criterion, 0) is not None]
    count = round(len(typed) * share)
    explanations = EXPLANATIONS if assessment.agency.group.code == "department" else {}
    for position, item in enumerate(typed[:count]):
        code = item.criterion.code
        item_update(assessment=assessment, code=code, input=demo_input(item.criterion, position),
                    explanation=explanations.get(code, GENERIC), version=item.version, user=user)
    declared = []
    if assessment.agency.code in PENALTIES:
        for item in items:
            if item.criterion.rule == "penalty" and item.criterion.code not in na:
                item_update(assessment=assessment, code=item.criterion.code,
                            input={"score": str(PENALTIES[assessment.agency.code])}, explanation=PENALTY_EXPLANATION,
                            version=item.version, user=user)
                declared.append(item)
    docs = {d.number: d for d in Document.objects.filter(agency=assessment.agency, campaign=assessment.campaign)}
    leaves = {i.criterion.code for i in typed[:count]}
    for number, codes in EVIDENCE.get(assessment.agency.code, {}).items():
        codes = [c for c in codes if c in leaves]
        if number in docs and codes:
            item_link_documents(assessment=assessment, codes=codes, documents=[docs[number]], user=user)
    _field_reports(assessment, user, declared + [i for i in typed[:count] if i.criterion.evidence_required], share)
    return count


def _field_reports(assessment, user, items, share):
    """One generated report per field (a small PDF through document_upload) for the scored,
    evidence-required items still without evidence; an agency not yet done leaves the last
    such item without, so the page shows it will score 0."""
    linked = set(Item.documents.through.objects.filter(item__assessment=assessment).values_list("item_id", flat=True))
    waiting = [i for i in items if i.pk not in linked]
    if share < 1 and waiting:
        waiting = waiting[:-1]
    fields: dict[str, list[str]] = {}
    for item in waiting:
        fields.setdefault(item.criterion.code.split(".")[0], []).append(item.criterion.code)
    titles = dict(Criterion.objects.filter(criteria_set=assessment.criteria_set, code__in=fields)
                  .values_list("code", "title"))
    agency, today = assessment.agency, timezone.localdate()
    for number, (field, codes) in enumerate(sorted(fields.items(), key=lambda kv: int(kv[0])), start=101):
        summary = f"Báo cáo kết quả thực hiện: {titles.get(field, field)} năm {assessment.campaign.year}"
        lines = [ascii_text(agency.name).upper(), f"So: {number}/BC-{agency.code}",
                 ascii_text(summary), f"Ngay {today:%d/%m/%Y}"]
        document, _created = document_upload(
            agency=agency, campaign=assessment.campaign, user=user, file=BytesIO(pdf_bytes(lines)),
            name=f"Báo cáo lĩnh vực {field} – {agency.code}.pdf", number=f"{number}/BC-{agency.code}",
            issued_on=today, issuer=agency.name, summary=summary)
        item_link_documents(assessment=assessment, codes=codes, documents=[document], user=user)


@transaction.atomic
def seed(*, campaigns) -> dict:
    """Open the current campaign's assessments and fill some of them. Returns {agency code: status}."""
    current = campaigns["current"]
    assessments_ensure(campaign=current)
    seed_evidence(campaign=current)  # idempotent; the documents linked below
    out = {}
    by_agency = {a.agency.code: a for a in Assessment.objects.filter(campaign=current, agency__code__in=PLAN)
                 .select_related("agency", "agency__group", "campaign", "criteria_set")}
    for code, (share, then) in PLAN.items():
        assessment = by_agency.get(code)
        if assessment is None:
            continue
        started = assessment.status != Assessment.Status.DRAFT or assessment.items.exclude(input={}).exists()
        user = _staff(assessment.agency)
        if not started and share and user is not None:
            _fill(assessment, user, share)
            if then in ("with_leader", "submitted"):
                assessment = assessment_send_to_leader(assessment=assessment, user=user)
            if then == "submitted":
                leader = users_for_agency(agency=assessment.agency, roles=[Role.LEADER]).order_by("pk").first()
                if leader is not None:
                    assessment = assessment_approve(assessment=assessment, user=leader)
        out[code] = assessment.status
    return out
