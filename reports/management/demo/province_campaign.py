"""The province's own index in the demo: this year's province campaign under way and last
year's, closed with its items scored (the year-on-year comparison has data).

This year's: every step of the province plan laid around the day seed_demo runs (moved
there again on each run, the departments' deadline 12 days on), the sample criteria of
docs/samples/criteria_province.xlsx with their `responsible` column, some items scored with
an explanation and evidence, Sở Tư pháp's items sent (one accepted, one returned with a
comment), focal officers named by two departments. Cục Thống kê and Cục Thuế answer for
items without being ranked.

Idempotent: the campaigns are found by their kind and year; their contents are made once,
when the campaign is made.
"""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from campaigns import services as campaign_services
from campaigns.focal.services import focal_officers_save
from campaigns.models import Agency, AgencyGroup, Campaign, Role, User
from campaigns.selectors import users_for_agency
from scoring.models import LeadStatus
from scoring.selectors.province import province_assessment
from scoring.services.assessments import campaign_open_with_assessments
from scoring.services.criteria_copy import criteria_import, criteria_set_map_by_code
from scoring.services.province import (
    province_item_accept,
    province_item_contribute,
    province_item_return,
    province_item_update,
    province_items_send,
)
from scoring.services.province_official import official_result_import

from .campaigns import _aware, seed_users
from .evidence import ascii_text, pdf_bytes
from .province import PROVINCE_AGENCIES, province_workbook_bytes

PROVINCE = ("TINH-TQ", "UBND tỉnh Tuyên Quang")
UNRANKED = {"CTK", "CT"}

# (username, full name, role, agency codes) — listed in the README; STP and STC use the
# demo's existing accounts (stp.canbo, stp.lanhdao, stc.canbo, stc.lanhdao).
PROVINCE_USERS = [
    ("snv.cchc", "Lương Thị Hạnh", Role.STAFF, ["SNV"]),
    ("vpubnd.canbo", "Bàn Văn Sơn", Role.STAFF, ["VPUBND"]),
    ("vpubnd.lanhdao", "Nông Thị Xuân", Role.LEADER, ["VPUBND"]),
    ("ctk.canbo", "Hà Thị Thu", Role.STAFF, ["CTK"]),
    ("ctk.lanhdao", "Lý Văn Đức", Role.LEADER, ["CTK"]),
    ("ct.canbo", "Chu Minh Phương", Role.STAFF, ["CT"]),
]

# code → (input, explanation): what the departments scored this year (the rest is still open)
CURRENT_SCORES = {
    "2.1": ({"numerator": "12", "denominator": "12"}, "Ban hành đủ 12/12 văn bản QPPL theo Kế hoạch số 05/KH-UBND."),
    "2.2": ({"level": "Đạt"}, "Đã rà soát, hệ thống hóa kỳ 2019–2023; công bố kết quả tại Quyết định 112/QĐ-UBND."),
    "2.3": ({"numerator": "41", "denominator": "45"}, "Kiểm tra 45 văn bản, đã xử lý 41 văn bản có sai sót."),
    "3.1": ({"numerator": "118", "denominator": "120"}, "Công bố đúng hạn 118/120 TTHC."),
    "3.2": ({"numerator": "9512", "denominator": "9630"}, "Số liệu Hệ thống thông tin giải quyết TTHC của tỉnh."),
    "6.1": ({"numerator": "86", "denominator": "100"}, "Giải ngân 86 % kế hoạch vốn đầu tư công được giao."),
    "8.2": ({"score": "2.5"}, "GRDP tăng 7,2 %, xếp thứ 18/63 tỉnh, thành phố."),
}
# code → the evidence file's (name, issuer, number, summary)
CURRENT_EVIDENCE = {
    "2.1": ("Danh mục VBQPPL ban hành năm {year}.pdf", "Sở Tư pháp", "35/BC-STP",
            "Danh mục văn bản quy phạm pháp luật ban hành năm {year}"),
    "2.2": ("Báo cáo rà soát VBQPPL năm {year}.pdf", "Sở Tư pháp", "41/BC-STP",
            "Báo cáo kết quả rà soát, hệ thống hóa VBQPPL"),
    "2.3": ("Báo cáo kiểm tra văn bản năm {year}.pdf", "Sở Tư pháp", "47/BC-STP",
            "Báo cáo kết quả kiểm tra, xử lý văn bản"),
    "3.1": ("QĐ công bố TTHC năm {year}.pdf", "UBND tỉnh", "1520/QĐ-UBND",
            "Quyết định công bố danh mục thủ tục hành chính"),
    "8.2": ("Số liệu GRDP năm {year}.pdf", "Cục Thống kê tỉnh", "12/BC-CTK", "Báo cáo số liệu tăng trưởng GRDP"),
}
RETURNED = ("2.2", "Quyết định 112/QĐ-UBND chưa đóng dấu; đề nghị bổ sung bản ký số.")
ACCEPTED = "2.1"
SENT_BY = "STP"
# last year's inputs, whole set (the rules are the sample's): a plausible, lower result
PREVIOUS_INPUTS = {
    "bands": {"numerator": "85", "denominator": "100"},
    "ratio": {"numerator": "9", "denominator": "10"}, "manual": {"score": "1"}, "deduction": {"count": "1"},
}
FOCAL = {
    "STP": {"scoring": ("Đỗ Thị Lan", "Chuyên viên Phòng Văn bản", "0915234567", "lan.dt@tuyenquang.gov.vn"),
            "survey": ("Vũ Thị Hằng", "Chánh Văn phòng", "0207381222", "hang.vt@tuyenquang.gov.vn")},
    "VPUBND": {"scoring": ("Bàn Văn Sơn", "Phó Trưởng phòng Kiểm soát TTHC", "0988123456",
                           "son.bv@tuyenquang.gov.vn"),
               "survey": ("Nông Thị Xuân", "Phó Chánh Văn phòng", "0912777888", "xuan.nt@tuyenquang.gov.vn"),
               "it": ("Hoàng Văn Khải", "Kỹ sư CNTT", "0977555666", "khai.hv@tuyenquang.gov.vn")},
}


def plan(today, *, years_back=0):
    """The province plan (every step of PROVINCE_STEPS) around `today`, or as many years before it."""
    def d(n, hour):
        day = today + timedelta(days=n)
        return _aware(day.replace(year=day.year - years_back, day=min(day.day, 28) if day.month == 2 else day.day),
                      hour)

    return [
        ("criteria", d(-40, 8), d(-32, 17)),
        ("focal_officers", d(-30, 8), d(5, 17)),
        ("training", d(-28, 8), d(-26, 17)),
        ("departments", d(-20, 8), d(12, 17)),
        ("province_draft", d(13, 8), d(20, 17)),
        ("province_approval", d(21, 8), d(25, 17)),
        ("ministry_entry", d(26, 8), d(35, 17)),
    ]


def _anchor(campaign, steps, *, officer):
    """Move the plan's steps to `steps`, in plan order (each opens after those before it)."""
    current = {s.kind: s for s in campaign.steps.all()}
    for kind, opens_at, closes_at in steps:
        step = current.get(kind)
        if step is None or (step.opens_at, step.closes_at) != (opens_at, closes_at):
            campaign_services.step_set(campaign=campaign, kind=kind, opens_at=opens_at, closes_at=closes_at,
                                       user=officer)


def seed_agencies():
    group, _ = AgencyGroup.objects.get_or_create(code="province", defaults={"name": "Tỉnh", "order": 9})
    province, _ = Agency.objects.get_or_create(code=PROVINCE[0], defaults={
        "name": PROVINCE[1], "group": group, "email": "ubnd@tuyenquang.gov.vn"})
    departments = AgencyGroup.objects.get(code="department")
    for code, name in PROVINCE_AGENCIES:
        Agency.objects.get_or_create(code=code, defaults={
            "name": name, "group": departments, "ranked": code not in UNRANKED,
            "email": f"{code.lower()}@tuyenquang.gov.vn"})
    return province


def _staff(code, role=Role.STAFF) -> User:
    return users_for_agency(agency=Agency.objects.get(code=code), roles=[role]).order_by("pk").first()


def _campaign(*, year, name, province, steps, officer, previous=None):
    campaign = Campaign.objects.filter(kind=Campaign.Kind.PROVINCE, year=year, owner=None).first()
    if campaign is not None:
        return campaign, False
    campaign = campaign_services.campaign_create(
        user=officer, year=year, name=name, groups=["province"], agencies=[province], previous=previous,
        kind=Campaign.Kind.PROVINCE, steps=[{"kind": k, "opens_at": o, "closes_at": c} for k, o, c in steps])
    report = criteria_import(campaign=campaign, group="province", file=io.BytesIO(province_workbook_bytes()),
                             user=officer)
    assert report.ok, [str(e) for e in report.errors]
    if previous is not None:
        criteria_set_map_by_code(criteria_set=campaign.criteria_sets.get(), user=officer)
    return campaign, True


def _evidence(item, code, year, now):
    name, issuer, number, summary = CURRENT_EVIDENCE[code]
    lead = item.criterion.responsible_agency
    lines = [ascii_text(issuer).upper(), f"So: {ascii_text(number)}", ascii_text(summary.format(year=year))]
    province_item_contribute(item=item, agency=lead, user=_staff(lead.code), now=now,
                             body="Tài liệu kiểm chứng kèm theo.",
                             files=[ContentFile(pdf_bytes(lines), name=name.format(year=year))])


def _score(assessment, code, raw, explanation, now):
    item = assessment.items.select_related("criterion__responsible_agency").get(criterion__code=code)
    lead = item.criterion.responsible_agency
    province_item_update(item=item, input=raw, explanation=explanation, version=item.version,
                         user=_staff(lead.code), now=now)
    item.refresh_from_db()
    return item


def _fill_current(campaign, *, officer, now):
    assessment = province_assessment(campaign=campaign)
    for code, (raw, explanation) in CURRENT_SCORES.items():
        item = _score(assessment, code, raw, explanation, now)
        if code in CURRENT_EVIDENCE:
            _evidence(item, code, campaign.year, now)
    province_items_send(assessment=assessment, agency=Agency.objects.get(code=SENT_BY),
                        user=_staff(SENT_BY, Role.LEADER), now=now)
    items = {i.criterion.code: i for i in assessment.items.select_related("criterion")}
    province_item_accept(item=items[ACCEPTED], user=officer, now=now)
    province_item_return(item=items[RETURNED[0]], user=officer, comment=RETURNED[1], now=now)
    for code, entries in FOCAL.items():
        focal_officers_save(campaign=campaign, agency=Agency.objects.get(code=code), user=None, now=now, entries={
            role: dict(zip(("full_name", "position", "phone", "email"), values, strict=True))
            for role, values in entries.items()})


def _fill_previous(campaign, *, officer, now):
    """Every item the departments score (not the survey's, not the imported one) with its
    evidence; the departments that have a demo leader sent theirs and the Sở accepted them;
    then the campaign closed."""
    assessment = province_assessment(campaign=campaign)
    for item in assessment.items.select_related("criterion").order_by("criterion__order"):
        raw = PREVIOUS_INPUTS.get(item.criterion.rule)
        if item.criterion.rule == "levels":  # the best level of the item's own list
            raw = {"level": item.criterion.params["levels"][0]["label"]}
        if raw is None:  # the survey's and the imported item: the Ministry's points, not the province's
            continue
        item = _score(assessment, item.criterion.code, raw, "Theo báo cáo CCHC năm.", now)
        if item.criterion.evidence_required:
            lead = item.criterion.responsible_agency
            province_item_contribute(item=item, agency=lead, user=_staff(lead.code), now=now, files=[ContentFile(
                pdf_bytes([f"Tai lieu kiem chung tieu chi {item.criterion.code} nam {campaign.year}"]),
                name=f"Tài liệu kiểm chứng {item.criterion.code}.pdf")])
    for lead in Agency.objects.filter(responsible_criteria__criteria_set__campaign=campaign).distinct():
        leader = _staff(lead.code, Role.LEADER)
        if leader is not None:  # the departments with a demo leader sent theirs; the Sở accepted them
            province_items_send(assessment=assessment, agency=lead, user=leader, now=now)
    for item in assessment.items.filter(lead_status=LeadStatus.SENT).select_related("criterion"):
        province_item_accept(item=item, user=officer, now=now)
    campaign_services.campaign_close(campaign=campaign, user=officer)
    _official_result(campaign, assessment, officer=officer, now=now + timedelta(days=120))


# items the Ministry's appraisal marked down last year, and why
MARKED_DOWN = {"1.2": "Chưa hoàn thành 2/20 nhiệm vụ của kế hoạch.",
               "3.2": "Tỷ lệ hồ sơ trễ hạn trên hệ thống cao hơn báo cáo.",
               "7.1": "Số liệu trên hệ thống quản lý văn bản thấp hơn báo cáo."}


def _official_result(campaign, assessment, *, officer, now):
    """Last year's official result, imported through the officer's sheet as the Ministry published it:
    the province's points, three items marked down by half, the survey's items at 78 %."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["code", "points", "note"])
    for item in assessment.items.select_related("criterion").order_by("criterion__order"):
        c = item.criterion
        if c.rule in ("survey", "imported"):
            points = (c.max_points * Decimal("0.78")).quantize(Decimal("0.01"))
        else:
            points = item.self_points or Decimal(0)
        if c.code in MARKED_DOWN:
            points = (points / 2).quantize(Decimal("0.01"))
        sheet.append([c.code, points, MARKED_DOWN.get(c.code, "")])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = f"ket-qua-chinh-thuc-{campaign.year}.xlsx"
    report = official_result_import(campaign=campaign, assessment=assessment, file=out, user=officer, now=now)
    if report.errors:  # the demo's own sheet: an error here is a bug in this builder
        raise RuntimeError(f"official result: {report.errors}")


@transaction.atomic
def seed(*, set_passwords: bool, today=None) -> dict:
    """The province's two campaigns; returns them as {"province": this year's, "province_previous": last year's}."""
    today = today or timezone.localdate()
    province = seed_agencies()
    seed_users(set_passwords=set_passwords, users=PROVINCE_USERS)
    officer = User.objects.get(username="canbo.snv")
    previous_steps = plan(today, years_back=1)
    previous, made = _campaign(year=today.year - 1, name=f"Chỉ số CCHC cấp tỉnh năm {today.year - 1}",
                               province=province, steps=previous_steps, officer=officer)
    if made:
        open_at = {k: o for k, o, _c in previous_steps}["departments"] + timedelta(hours=1)
        campaign_open_with_assessments(campaign=previous, user=officer, now=open_at)
        _fill_previous(previous, officer=officer, now=open_at + timedelta(days=1))
    steps = plan(today)
    current, made = _campaign(year=today.year, name=f"Chỉ số CCHC cấp tỉnh năm {today.year}", province=province,
                              steps=steps, officer=officer, previous=previous)
    if made:
        now = timezone.now() - timedelta(days=(timezone.localdate() - today).days)  # this hour on `today`
        campaign_open_with_assessments(campaign=current, user=officer, now=now)
        _fill_current(current, officer=officer, now=now)
    _anchor(current, steps, officer=officer)
    return {"province": current, "province_previous": previous}
