"""The province's own index: the campaign kind, its plan, its criteria with `responsible`,
the departments' scoring flow and the Sở's board (services and selectors)."""
import io
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from campaigns.focal.services import focal_officers_save
from campaigns.models import Campaign, Role
from campaigns.services import campaign_create, step_set
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError
from cchc_portal.notifications.models import Outbox
from scoring.models import Assessment, Criterion, ItemNote, LeadStatus
from scoring.selectors.criteria import criteria_set_for
from scoring.selectors.province import province_assessment, province_board, responsibility_map
from scoring.services.criteria_copy import criteria_export, criteria_import
from scoring.services.province import (
    criterion_assign,
    province_item_accept,
    province_item_contribute,
    province_item_return,
    province_item_update,
    province_items_send,
)
from tests.factories import CampaignFactory, group
from tests.scoring.assessment_support import item, pdf_file
from tests.scoring.province_support import SAMPLE, member, province_agencies, province_campaign


@pytest.fixture
def province(officer):
    campaign, province, departments = province_campaign(officer)
    return campaign, province_assessment(campaign=campaign), departments


def test_a_province_campaign_has_one_assessment_the_province(province):
    campaign, assessment, departments = province
    assert campaign.kind == Campaign.Kind.PROVINCE
    assert list(Assessment.objects.filter(campaign=campaign).values_list("agency__code", flat=True)) == ["TINH"]
    assert assessment.items.count() == Criterion.objects.filter(criteria_set=assessment.criteria_set).exclude(
        rule="sum").count()


def test_a_province_campaign_refuses_agencies_steps_and_many_agencies(officer, agency_a, agency_b):
    now = timezone.now()
    with pytest.raises(ApplicationError):  # the department group has two agencies, not one province
        campaign_create(user=officer, year=2025, name="x", groups=["department"], kind="province")
    province, _ = province_agencies()
    campaign = campaign_create(user=officer, year=2025, name="Tỉnh", groups=["province"], kind="province")
    with pytest.raises(ApplicationError):
        step_set(campaign=campaign, kind="self_assessment", opens_at=now, closes_at=now + timedelta(days=1))
    for kind in ("departments", "province_draft", "province_approval", "ministry_entry"):
        step_set(campaign=campaign, kind=kind, opens_at=now, closes_at=now + timedelta(days=1))
    agencies = campaign_create(user=officer, year=2025, name="Sở", groups=["department"])
    with pytest.raises(ApplicationError):
        step_set(campaign=agencies, kind="departments", opens_at=now, closes_at=now + timedelta(days=1))


def test_unranked_agencies_are_left_out_of_the_agencies_campaign(officer):
    province_agencies()
    campaign = campaign_create(user=officer, year=2025, name="Sở", groups=["department"])
    codes = set(campaign.agencies.values_list("code", flat=True))
    assert {"SNV", "STP"} <= codes and not codes & {"CTK", "CT"}


def test_the_sample_imports_with_lead_and_cooperating_and_round_trips(officer):
    province_agencies()
    draft = CampaignFactory(status=Campaign.Status.DRAFT, kind="province")
    draft.groups.set([group("province")])
    with open(SAMPLE, "rb") as fh:
        assert criteria_import(campaign=draft, group="province", file=fh, user=officer).ok
    cs = criteria_set_for(campaign=draft, group="province")
    c = Criterion.objects.get(criteria_set=cs, code="6.2")
    assert c.responsible_agency.code == "CT" and [a.code for a in c.cooperating_agencies.all()] == ["STC"]
    fields = Criterion.objects.filter(criteria_set=cs, parent=None)
    assert fields.count() == 8 and sum(f.max_points for f in fields) == D("100")
    other = CampaignFactory(status=Campaign.Status.DRAFT, kind="province")
    other.groups.set([group("province")])
    again = criteria_import(campaign=other, group="province", file=io.BytesIO(criteria_export(criteria_set=cs)),
                            user=officer)
    assert again.ok
    copy = Criterion.objects.get(criteria_set=criteria_set_for(campaign=other, group="province"), code="6.2")
    assert [a.code for a in copy.cooperating_agencies.all()] == ["STC"]
    # the same file again changes nothing
    same = criteria_import(campaign=other, group="province", file=io.BytesIO(criteria_export(criteria_set=cs)),
                           user=officer)
    assert same.ok and same.updated == 0


def test_an_unknown_cooperating_code_is_a_row_error(officer):
    from scoring.criteria_excel import CriterionRow, write_workbook
    province_agencies()
    draft = CampaignFactory(status=Campaign.Status.DRAFT, kind="province")
    draft.groups.set([group("province")])
    rows = [CriterionRow(row=0, code="1", title="A", max_points=D("2"), rule="manual", params={},
                         responsible_agency="SNV", cooperating=["NOPE"])]
    report = criteria_import(campaign=draft, group="province",
                             file=io.BytesIO(write_workbook(rows, {})), user=officer)
    assert not report.ok and any(e.column == "responsible" for e in report.errors)


def test_responsibility_is_inherited_and_assignable(province, officer):
    campaign, assessment, deps = province
    resp = responsibility_map(criteria_set=assessment.criteria_set)
    assert resp["2.3"].lead.code == "STP" and [a.code for a in resp["2.3"].cooperating] == ["VPUBND"]
    field = Criterion.objects.get(criteria_set=assessment.criteria_set, code="4")
    criterion_assign(criterion=field, lead=deps["STC"], cooperating=[deps["CTK"]], user=officer)
    Criterion.objects.filter(criteria_set=assessment.criteria_set, code="4.1").update(responsible_agency=None)
    resp = responsibility_map(criteria_set=assessment.criteria_set)
    assert resp["4.1"].lead.code == "STC" and [a.code for a in resp["4.1"].cooperating] == ["CTK"]
    assert resp["4.2"].lead.code == "SNV"  # its own assignment wins
    with pytest.raises(ApplicationError) as refused:
        criterion_assign(criterion=field, lead=deps["SNV"], user=member(deps["SNV"]))
    assert refused.value.status == 403


def test_the_lead_scores_sends_is_returned_fixes_and_is_accepted(province, officer):
    campaign, assessment, deps = province
    staff, leader = member(deps["STP"]), member(deps["STP"], Role.LEADER)
    it = item(assessment, "2.2")
    saved = province_item_update(item=it, input={"level": "Đạt"}, explanation="Đã rà soát", version=it.version,
                                 user=staff)
    assert saved.self_points == D("0")  # evidence required, none yet
    province_item_contribute(item=it, agency=deps["STP"], user=staff, body="Báo cáo rà soát",
                             files=[pdf_file("kc.pdf")])
    it.refresh_from_db()
    assert it.self_points == D("2.5") and it.documents.count() == 1
    assert it.history.count() >= 2  # the item's history records the department's writes
    assert province_items_send(assessment=assessment, agency=deps["STP"], user=leader) == 3
    it.refresh_from_db()
    assert it.lead_status == LeadStatus.SENT
    with pytest.raises(ConflictError):  # sent: no more edits
        province_item_update(item=it, input={"level": "Không đạt"}, explanation="", version=it.version, user=staff)
    province_item_return(item=it, user=officer, comment="Thiếu báo cáo năm")
    it.refresh_from_db()
    assert (it.lead_status, it.review_comment) == (LeadStatus.RETURNED, "Thiếu báo cáo năm")
    assert staff.notifications.filter(text__contains="2.2").exists()
    province_item_update(item=it, input={"level": "Đạt"}, explanation="Đã bổ sung", version=it.version, user=staff)
    assert province_items_send(assessment=assessment, agency=deps["STP"], user=leader) == 1
    province_item_accept(item=item(assessment, "2.2"), user=officer)
    assert item(assessment, "2.2").lead_status == LeadStatus.ACCEPTED
    with pytest.raises(ConflictError):
        province_item_accept(item=item(assessment, "2.2"), user=officer)
    assessment.refresh_from_db()
    assert assessment.self_total == D("2.5")


def test_a_returned_item_is_emailed_to_the_lead_and_its_scoring_focal_officer_once_each(province, officer):
    campaign, assessment, deps = province
    staff, leader = member(deps["STP"]), member(deps["STP"], Role.LEADER)
    deps["STP"].email = "stp@tuyenquang.gov.vn"
    deps["STP"].save(update_fields=["email"])
    focal_officers_save(campaign=campaign, agency=deps["STP"], user=None, entries={
        "scoring": {"full_name": "Đỗ Thị Lan", "position": "Chuyên viên", "phone": "0915234567",
                    "email": "lan.dt@tuyenquang.gov.vn"},
        "survey": {"full_name": "Vũ Thị Hằng", "position": "Chánh Văn phòng", "phone": "0207381222",
                   "email": staff.email.upper()}})  # the survey's is not asked, and is staff's address anyway
    member(deps["VPUBND"])  # co-operates on 2.3: not the one asked to fix it
    it = item(assessment, "2.2")
    province_item_update(item=it, input={"level": "Đạt"}, explanation="Đã rà soát", version=it.version, user=staff)
    province_items_send(assessment=assessment, agency=deps["STP"], user=leader)
    province_item_return(item=item(assessment, "2.2"), user=officer, comment="Thiếu quyết định ký số")
    mails = Outbox.objects.filter(template="notice")
    assert sorted(m.to for m in mails) == sorted([staff.email, leader.email, "stp@tuyenquang.gov.vn",
                                                  "lan.dt@tuyenquang.gov.vn"])
    mail = mails.get(to="lan.dt@tuyenquang.gov.vn")
    assert mail.subject == f"Sở Nội vụ trả lại tiêu chí 2.2 – {deps['STP'].name}"
    assert mail.context["full_name"] == "Đỗ Thị Lan"
    assert mail.context["detail"] == "Lý do trả lại: Thiếu quyết định ký số"
    assert "gửi lại trước" in mail.context["text"] and mail.context["names"][0].startswith("2.2. ")
    assert mail.context["url"].endswith(f"/scoring/campaigns/{campaign.pk}/province/agency/STP/")


def test_only_the_lead_scores_and_only_its_leader_sends(province, officer):
    campaign, assessment, deps = province
    it = item(assessment, "2.2")
    for user in (member(deps["SNV"]), member(deps["VPUBND"]), officer):  # another dept, a co-operating one
        with pytest.raises(ApplicationError) as refused:
            province_item_update(item=it, input={"level": "Đạt"}, explanation="", version=it.version, user=user)
        assert refused.value.status == 403
    with pytest.raises(ApplicationError) as refused:
        province_items_send(assessment=assessment, agency=deps["STP"], user=member(deps["STP"]))
    assert refused.value.status == 403


def test_a_cooperating_agency_adds_evidence_and_notes_but_an_outsider_cannot(province):
    campaign, assessment, deps = province
    it = item(assessment, "2.3")  # STP leads, VPUBND co-operates
    note = province_item_contribute(item=it, agency=deps["VPUBND"], user=member(deps["VPUBND"]),
                                    body="Số liệu kiểm tra văn bản", files=[pdf_file("vp.pdf")])
    assert ItemNote.objects.get(pk=note.pk).documents.get().agency == deps["VPUBND"]
    assert it.documents.count() == 1
    with pytest.raises(ApplicationError) as refused:
        province_item_contribute(item=it, agency=deps["SNV"], user=member(deps["SNV"]), body="x")
    assert refused.value.status == 403


def test_the_departments_deadline_locks_with_extensions(province, officer):
    campaign, assessment, deps = province
    staff = member(deps["STP"])
    it = item(assessment, "2.2")
    later = timezone.now() + timedelta(days=6)
    with pytest.raises(DeadlineError):
        province_item_update(item=it, input={"level": "Đạt"}, explanation="", version=it.version, user=staff,
                             now=later)
    from campaigns.services import extension_grant
    step = campaign.steps.get(kind="departments")
    extension_grant(step=step, agency=deps["STP"], closes_at=later + timedelta(days=1), reason="Bổ sung",
                    user=officer)
    province_item_update(item=it, input={"level": "Đạt"}, explanation="", version=it.version, user=staff, now=later)


def test_the_board_shows_every_item_and_a_department_only_its_own(province, officer, django_assert_max_num_queries):
    campaign, assessment, deps = province
    with django_assert_max_num_queries(8):
        board = province_board(assessment=assessment)
    assert len(board.rows) == assessment.items.count()
    row = next(r for r in board.rows if r.code == "6.2")
    assert (row.lead.code, [a.code for a in row.cooperating], row.evidence_count) == ("CT", ["STC"], 0)
    assert board.overdue == 0
    late = province_board(assessment=assessment, now=timezone.now() + timedelta(days=6))
    assert late.overdue == len([r for r in late.rows if r.lead])
    mine = province_board(assessment=assessment, agency=deps["STP"])
    assert {r.code for r in mine.rows} == {"2.1", "2.2", "2.3", "4.3"}
    assert {r.code: r.role for r in mine.rows}["4.3"] == "cooperating"
