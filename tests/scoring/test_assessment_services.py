"""Services of the self-assessment: opening, items by rule kind, the evidence-zero rule,
totals equal to the engine, optimistic concurrency, history, the agency's flow, the cutoff,
extensions and the overdue lock."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Step
from campaigns.services import extension_grant
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError, StaleVersionError
from evidence.services import document_upload
from scoring import engine
from scoring.compute import node_for
from scoring.models import Assessment, CriteriaSet, Criterion, ExplanationRequest, Item
from scoring.selectors.assessments import assessment_score, item_history
from scoring.services.assessments import (
    assessment_approve,
    assessment_evidence_upload,
    assessment_lock_overdue,
    assessment_return,
    assessment_send_to_leader,
    assessments_ensure,
    campaign_open_with_assessments,
    item_editable_by_agency,
    item_link_documents,
    item_unlink_document,
    item_update,
)
from tests.factories import AgencyFactory, CampaignFactory, StepFactory, group
from tests.scoring.factories import build_tree, criteria_set_with_tree

from .assessment_support import close_self_assessment, item, pdf_file

pytest_plugins = ["tests.scoring.assessment_fixtures"]  # its fixtures: sa_set, assessments, assessment_a/b
pytestmark = pytest.mark.django_db


def save(assessment, code, raw, user, explanation="", version=None):
    current = item(assessment, code)
    return item_update(assessment=assessment, code=code, input=raw, explanation=explanation,
                       version=current.version if version is None else version, user=user)


def upload(assessment, user, name="ke-hoach.pdf", text="Ke hoach CCHC"):
    doc, _created = document_upload(agency=assessment.agency, campaign=assessment.campaign, file=pdf_file(name, text),
                                    user=user, number="01/KH-STC")
    return doc


# ---------------------------------------------------------------- opening


def test_ensure_creates_one_assessment_per_agency_with_items_and_reports_groups_without_set(sa_set, campaign):
    report = assessments_ensure(campaign=campaign)
    assert report.created == 2 and report.missing_codes == ["XA"]
    leaves = Criterion.objects.filter(criteria_set=sa_set).exclude(rule="sum").count()
    assert report.items_created == 2 * leaves
    for a in Assessment.objects.filter(campaign=campaign):
        assert a.criteria_set == sa_set and a.items.count() == leaves
        assert a.status == Assessment.Status.DRAFT and a.self_total == 0
    again = assessments_ensure(campaign=campaign)
    assert (again.created, again.items_created) == (0, 0)
    # a leaf added later gets its items on the next run, nothing else is duplicated
    build_tree(sa_set, [("2.4", "1", "manual")])
    assert assessments_ensure(campaign=campaign).items_created == 2


def test_open_campaign_opens_locks_sets_and_creates_assessments(officer, agency_a, agency_b, commune):
    draft = CampaignFactory(status=Campaign.Status.DRAFT)
    draft.groups.set([group("department"), group("commune")])
    draft.agencies.set([agency_a, agency_b, commune])
    StepFactory(campaign=draft)
    criteria_set = criteria_set_with_tree(campaign=draft, group=group("department"))
    result = campaign_open_with_assessments(campaign=draft, user=officer)
    draft.refresh_from_db()
    criteria_set.refresh_from_db()
    assert draft.status == Campaign.Status.OPEN and criteria_set.locked_at is not None
    assert result.created == 2 and result.missing_codes == ["XA"]
    with pytest.raises(ConflictError):
        campaign_open_with_assessments(campaign=draft, user=officer)


# ---------------------------------------------------------------- each rule kind


@pytest.mark.parametrize("code, raw, points", [
    ("1.1.2", {"numerator": 95, "denominator": 100}, "2.00"),   # bands >90 → 2
    ("1.1.2", {"numerator": 8, "denominator": 10}, "1.00"),     # bands 70–90 → 1
    ("1.1.3", {"score": "0.75"}, "0.75"),                       # manual on its step
    ("1.2", {"numerator": 2, "denominator": 3}, "2.00"),        # ratio 3 × 2/3
    ("1.3", {"count": 3}, "1.50"),                              # deduction 3 − 3 × 0.5
    ("1.4", {"score": "1.5"}, "1.50"),                          # bonus
    ("2.1", {"score": "4.5"}, "4.50"),                          # imported, typed fallback
    ("2.3", {"score": "1"}, "1.00"),                            # penalty (points taken off)
])
def test_each_rule_kind_is_scored_through_the_engine(assessment_a, staff_a, code, raw, points):
    saved = save(assessment_a, code, raw, staff_a, explanation="Có báo cáo")
    assert saved.self_points == Decimal(points) and saved.version == 2
    stored = item(assessment_a, code)
    assert stored.self_points == Decimal(points) and stored.explanation == "Có báo cáo"
    assert assessment_score(assessment=assessment_a).points[code].value == Decimal(points)


def test_levels_input_and_invalid_inputs_are_refused_with_the_rule_message(assessment_a, staff_a):
    with pytest.raises(ApplicationError) as exc:
        save(assessment_a, "1.1.1", {"level": "Rất tốt"}, staff_a)
    assert exc.value.status == 400 and "không có trong danh sách các mức" in exc.value.message
    for code, raw, words in [("1.1.3", {"score": "0.3"}, "bước chấm"), ("1.2", {"numerator": 5, "denominator": 0},
                             "Mẫu số bằng 0"), ("1.3", {"count": -1}, "số nguyên không âm"),
                             ("2.2", {"score": "1"}, "khảo sát")]:
        with pytest.raises(ApplicationError) as exc:
            save(assessment_a, code, raw, staff_a)
        assert exc.value.status == 400 and words in exc.value.message
    assert item(assessment_a, "1.1.3").version == 1  # nothing was written


# ---------------------------------------------------------------- evidence


def test_evidence_required_item_scores_zero_without_evidence(assessment_a, staff_a):
    saved = save(assessment_a, "1.1.1", {"level": "Đúng hạn"}, staff_a)
    assert saved.self_points == 0 and saved.self_reason == engine.NO_EVIDENCE
    doc = upload(assessment_a, staff_a)
    [linked] = item_link_documents(assessment=assessment_a, codes=["1.1.1"], documents=[doc], user=staff_a)
    assert linked.self_points == Decimal("1") and linked.version == 3
    assert Assessment.objects.get(pk=assessment_a.pk).self_total == Decimal("1")
    unlinked = item_unlink_document(assessment=assessment_a, code="1.1.1", document=doc, user=staff_a)
    assert unlinked.self_points == 0 and unlinked.version == 4
    assert Assessment.objects.get(pk=assessment_a.pk).self_total == 0


def test_upload_links_to_several_items_and_refuses_another_agencys_document(assessment_a, assessment_b, staff_a,
                                                                             staff_b):
    results = assessment_evidence_upload(assessment=assessment_a, files=[pdf_file("a.pdf", "A"),
                                                                         pdf_file("b.pdf", "B")],
                                         codes=["1.1.1", "1.2"], user=staff_a, number="12/BC")
    assert [created for _d, created in results] == [True, True]
    assert item(assessment_a, "1.1.1").documents.count() == 2 and item(assessment_a, "1.2").documents.count() == 2
    other = upload(assessment_b, staff_b, "b.pdf", "other")
    with pytest.raises(ApplicationError) as exc:
        item_link_documents(assessment=assessment_a, codes=["1.2"], documents=[other], user=staff_a)
    assert exc.value.status == 404


def test_a_refused_file_links_nothing(assessment_a, staff_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("x.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    with pytest.raises(ApplicationError) as exc:
        assessment_evidence_upload(assessment=assessment_a, files=[pdf_file(), exe], codes=["1.1.1"], user=staff_a)
    assert exc.value.status == 400 and "x.pdf" in exc.value.message
    assert item(assessment_a, "1.1.1").documents.count() == 0
    assert assessment_a.agency.documents.count() == 0


# ---------------------------------------------------------------- totals equal the engine


def test_total_matches_the_engine_with_caps_not_applicable_bonus_and_penalty(campaign, agency_a, staff_a):
    cs = CriteriaSet.objects.create(campaign=campaign, group=group("department"), bonus_cap=Decimal("1"),
                                    penalty_cap=Decimal("1.5"))
    nodes = build_tree(cs, [
        ("1", "5", "sum", "", {"capped": True}),
        ("1.1", "3", "ratio", ""), ("1.2", "3", "manual", "step=0.01"), ("1.3", "3", "levels", "Có=3; Không=0"),
        ("2", "4"), ("2.1", "2", "bands", "=100:2; 80-<100:1; <80:0"), ("2.2", "2", "manual", "step=0.5"),
        ("3", "2", "bonus", "step=0.25"), ("4", "3"), ("4.1", "3", "penalty", "step=0.5"),
        ("5", "2"), ("5.1", "2", "deduction", "per=0.25"),
    ])
    nodes["2.2"].not_applicable_to.add(agency_a)
    nodes["5"].not_applicable_to.add(agency_a)
    assessments_ensure(campaign=campaign)
    a = Assessment.objects.select_related("agency", "campaign", "criteria_set").get(campaign=campaign,
                                                                                    agency=agency_a)
    inputs = {"1.1": {"numerator": 2, "denominator": 3}, "1.2": {"score": "2.99"}, "1.3": {"level": "Có"},
              "2.1": {"numerator": 9, "denominator": 10}, "3": {"score": "1.75"}, "4.1": {"score": "2"}}
    for code, raw in inputs.items():
        save(a, code, raw, staff_a)
    with pytest.raises(ApplicationError):
        save(a, "2.2", {"score": "1"}, staff_a)  # not applicable to the agency: no score taken
    expected = engine.score([node_for(c) for c in Criterion.objects.filter(criteria_set=cs)], inputs=inputs,
                            not_applicable={"2.2", "5"}, bonus_cap=Decimal("1"), penalty_cap=Decimal("1.5"))
    # 1: 2 + 2.99 + 3 capped at 5; 2: 1 (2.2 N/A, max 2); bonus 1.75 capped at 1; penalty 2 capped at 1.5
    assert expected.total == Decimal("5.50")
    a.refresh_from_db()
    assert a.self_total == expected.total
    for code in inputs:
        assert item(a, code).self_points == expected.points[code].value


# ---------------------------------------------------------------- concurrency and history


def test_a_stale_save_is_refused_with_the_current_value(assessment_a, staff_a):
    from tests.factories import MembershipFactory, UserFactory

    other = MembershipFactory(user=UserFactory(username="staff_a2", full_name="Trần Thị Hai"),
                              agency=assessment_a.agency).user
    save(assessment_a, "1.1.3", {"score": "0.5"}, staff_a, version=1)
    with pytest.raises(StaleVersionError) as exc:
        save(assessment_a, "1.1.3", {"score": "1"}, other, explanation="Ghi đè", version=1)
    assert exc.value.status == 409 and staff_a.display_name in exc.value.message
    current = exc.value.extra["current"]
    assert current["input"] == {"score": "0.5"} and current["version"] == 2
    assert current["updated_by"] == staff_a.display_name
    stored = item(assessment_a, "1.1.3")
    assert stored.input == {"score": "0.5"} and stored.explanation == "" and stored.version == 2


def test_history_keeps_who_when_and_old_to_new_of_score_explanation_and_evidence(assessment_a, staff_a):
    save(assessment_a, "1.1.1", {"level": "Trễ hạn"}, staff_a, explanation="Ban hành ngày 20/1")
    save(assessment_a, "1.1.1", {"level": "Đúng hạn"}, staff_a, explanation="Ban hành ngày 2/1")
    doc = upload(assessment_a, staff_a, "kh.pdf")
    item_link_documents(assessment=assessment_a, codes=["1.1.1"], documents=[doc], user=staff_a)
    entries = item_history(item=item(assessment_a, "1.1.1"))
    assert len(entries) == 3 and all(e.who == staff_a.display_name for e in entries)
    newest = {c.label: (c.old, c.new) for c in entries[0].changes}
    assert newest["Tài liệu kiểm chứng"] == ("–", "kh.pdf") and newest["Điểm tự chấm"] == ("0,00", "1,00")
    middle = {c.label: (c.old, c.new) for c in entries[1].changes}
    assert middle["Số liệu tự chấm"] == ("level: Trễ hạn", "level: Đúng hạn")
    assert middle["Giải trình"] == ("Ban hành ngày 20/1", "Ban hành ngày 2/1")


def test_saving_the_same_values_again_makes_no_new_version(assessment_a, staff_a):
    save(assessment_a, "1.1.3", {"score": "1"}, staff_a, explanation="x")
    again = save(assessment_a, "1.1.3", {"score": "1"}, staff_a, explanation="x")
    assert again.version == 2 and len(item_history(item=again)) == 1
    # a page still on version 1 that sends what is stored gets no conflict (nothing to overwrite)
    stale_same = save(assessment_a, "1.1.3", {"score": "1"}, staff_a, explanation="x", version=1)
    assert stale_same.version == 2


# ---------------------------------------------------------------- the agency's flow


def test_staff_send_leader_approves_and_the_agency_can_no_longer_edit(assessment_a, staff_a, leader_a):
    with pytest.raises(ApplicationError) as exc:
        assessment_send_to_leader(assessment=assessment_a, user=leader_a)
    assert exc.value.status == 403
    sent = assessment_send_to_leader(assessment=assessment_a, user=staff_a)
    assert sent.status == Assessment.Status.WITH_LEADER and sent.sent_to_leader_at
    with pytest.raises(ConflictError, match="chờ lãnh đạo"):
        save(sent, "1.1.3", {"score": "1"}, staff_a)
    with pytest.raises(ApplicationError) as exc:
        assessment_approve(assessment=sent, user=staff_a)
    assert exc.value.status == 403
    approved = assessment_approve(assessment=sent, user=leader_a)
    assert approved.status == Assessment.Status.SUBMITTED and approved.submitted_by == leader_a
    assert approved.submitted_at is not None
    with pytest.raises(ConflictError, match="đã gửi Sở Nội vụ"):
        save(approved, "1.1.3", {"score": "1"}, staff_a)
    assert [h.history_change_reason for h in approved.history.order_by("history_date")][-2:] == [
        "trình lãnh đạo", "lãnh đạo duyệt, gửi Sở Nội vụ"]


def test_leader_returns_with_a_comment(assessment_a, staff_a, leader_a):
    sent = assessment_send_to_leader(assessment=assessment_a, user=staff_a)
    with pytest.raises(ApplicationError, match="ý kiến"):
        assessment_return(assessment=sent, user=leader_a, comment="  ")
    returned = assessment_return(assessment=sent, user=leader_a, comment="Bổ sung tài liệu mục 1.1.1")
    assert returned.status == Assessment.Status.DRAFT and returned.leader_comment == "Bổ sung tài liệu mục 1.1.1"
    assert save(returned, "1.1.3", {"score": "1"}, staff_a).version == 2


def test_under_an_explanation_request_only_the_items_asked_are_editable_until_due(assessment_a, staff_a,
                                                                                   appraiser):
    Assessment.objects.filter(pk=assessment_a.pk).update(status=Assessment.Status.EXPLANATION_REQUESTED)
    assessment_a.refresh_from_db()
    asked = item(assessment_a, "1.2")
    request = ExplanationRequest.objects.create(assessment=assessment_a, question="Bổ sung",
                                                due_at=timezone.now() + timedelta(days=2), created_by=appraiser)
    request.items.add(asked)
    assert item_editable_by_agency(item=asked) == (True, "")
    ok, reason = item_editable_by_agency(item=item(assessment_a, "1.3"))
    assert not ok and "không thuộc yêu cầu giải trình" in reason
    assert save(assessment_a, "1.2", {"numerator": 1, "denominator": 1}, staff_a).self_points == Decimal("3")
    with pytest.raises(ConflictError):
        save(assessment_a, "1.3", {"count": 1}, staff_a)
    later = timezone.now() + timedelta(days=3)
    assert not item_editable_by_agency(item=asked, now=later)[0]
    with pytest.raises(DeadlineError):
        item_update(assessment=assessment_a, code="1.2", input={"numerator": 0, "denominator": 1}, explanation="",
                    version=item(assessment_a, "1.2").version, user=staff_a, now=later)


# ---------------------------------------------------------------- the cutoff


def test_late_writes_are_refused_on_every_service(assessment_a, staff_a):
    doc = upload(assessment_a, staff_a)
    close_self_assessment(assessment_a.campaign)
    calls = [
        lambda: save(assessment_a, "1.1.3", {"score": "1"}, staff_a),
        lambda: item_link_documents(assessment=assessment_a, codes=["1.1.1"], documents=[doc], user=staff_a),
        lambda: assessment_evidence_upload(assessment=assessment_a, files=[pdf_file("late.pdf", "late")],
                                           codes=["1.1.1"], user=staff_a),
        lambda: assessment_send_to_leader(assessment=assessment_a, user=staff_a),
    ]
    for call in calls:
        with pytest.raises(DeadlineError, match="hết hạn tự đánh giá"):
            call()
    assert item(assessment_a, "1.1.1").documents.count() == 0
    assert assessment_a.agency.documents.count() == 1  # the late upload stored nothing


def test_not_yet_open_is_refused_too(assessment_a, staff_a):
    Step.objects.filter(campaign=assessment_a.campaign, kind="self_assessment").update(
        opens_at=timezone.now() + timedelta(days=1), closes_at=timezone.now() + timedelta(days=5))
    with pytest.raises(DeadlineError, match="Chưa đến thời gian"):
        save(assessment_a, "1.1.3", {"score": "1"}, staff_a)


def test_leader_cannot_approve_after_the_cutoff(assessment_a, staff_a, leader_a):
    sent = assessment_send_to_leader(assessment=assessment_a, user=staff_a)
    close_self_assessment(sent.campaign)
    with pytest.raises(DeadlineError):
        assessment_approve(assessment=sent, user=leader_a)


def test_lock_overdue_locks_once_and_only_unsubmitted_assessments(assessments, staff_a, staff_b, leader_a):
    a, b = assessments["SA"], assessments["SB"]
    assessment_send_to_leader(assessment=a, user=staff_a)
    now = timezone.now()
    assert assessment_lock_overdue(now=now) == []  # nothing is overdue yet
    later = now + timedelta(days=6)
    first = assessment_lock_overdue(now=later)
    assert sorted(first) == sorted([a.pk, b.pk])
    assert assessment_lock_overdue(now=later) == []
    for x in (a, b):
        x.refresh_from_db()
        assert x.status == Assessment.Status.LOCKED and x.locked_at == later
        assert x.history.latest().history_change_reason == "tự động khóa khi hết hạn tự đánh giá"


def test_lock_overdue_leaves_submitted_assessments(assessment_a, staff_a, leader_a):
    assessment_send_to_leader(assessment=assessment_a, user=staff_a)
    assessment_approve(assessment=assessment_a, user=leader_a)
    assert assessment_a.pk not in assessment_lock_overdue(now=timezone.now() + timedelta(days=6))


def test_an_extension_reopens_for_that_agency_only_and_unlocks_its_locked_assessment(assessments, staff_a, staff_b,
                                                                                    officer):
    a, b = assessments["SA"], assessments["SB"]
    close_self_assessment(a.campaign)
    assert sorted(assessment_lock_overdue()) == sorted([a.pk, b.pk])
    step = Step.objects.get(campaign=a.campaign, kind="self_assessment")
    extension_grant(step=step, agency=a.agency, closes_at=timezone.now() + timedelta(days=2), reason="Mất điện",
                    user=officer)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Assessment.Status.DRAFT and a.locked_at is None
    assert a.history.latest().history_change_reason.startswith("mở lại do gia hạn")
    assert b.status == Assessment.Status.LOCKED
    assert save(a, "1.1.3", {"score": "1"}, staff_a).self_points == Decimal("1")
    with pytest.raises(DeadlineError):
        save(b, "1.1.3", {"score": "1"}, staff_b)
    assert assessment_lock_overdue() == []  # the extended agency is not locked again


def test_extension_for_another_step_does_not_unlock(assessment_a, officer):
    close_self_assessment(assessment_a.campaign)
    assessment_lock_overdue()
    now = timezone.now()
    survey = StepFactory(campaign=assessment_a.campaign, kind="survey", opens_at=now - timedelta(hours=5),
                         closes_at=now - timedelta(hours=2))
    extension_grant(step=survey, agency=assessment_a.agency, closes_at=now + timedelta(days=1), reason="Lý do",
                    user=officer)
    assessment_a.refresh_from_db()
    assert assessment_a.status == Assessment.Status.LOCKED


def test_only_agency_staff_write(assessment_a, staff_b, leader_a, officer):
    for user in (staff_b, leader_a, officer):
        with pytest.raises(ApplicationError) as exc:
            save(assessment_a, "1.1.3", {"score": "1"}, user)
        assert exc.value.status == 403


def test_amending_a_locked_set_recomputes_stored_points_and_totals(assessment_a, staff_a, officer):
    from scoring.services.criteria import criterion_update

    save(assessment_a, "1.1.2", {"numerator": 8, "denominator": 10}, staff_a)
    CriteriaSet.objects.filter(pk=assessment_a.criteria_set_id).update(locked_at=timezone.now())
    criterion = Criterion.objects.get(criteria_set_id=assessment_a.criteria_set_id, code="1.1.2")
    criterion_update(criterion=criterion, user=officer, reason="Sửa khoảng theo hướng dẫn",
                     params={"bands": [{"min": "70", "min_inclusive": True, "max": None, "max_inclusive": True,
                                        "points": "2"},
                                       {"min": None, "min_inclusive": True, "max": "70", "max_inclusive": False,
                                        "points": "0"}]})
    assert item(assessment_a, "1.1.2").self_points == Decimal("2")
    assessment_a.refresh_from_db()
    assert assessment_a.self_total == assessment_score(assessment=assessment_a).total == Decimal("2")


def test_an_unknown_code_is_404(assessment_a, staff_a):
    with pytest.raises(ApplicationError) as exc:
        item_update(assessment=assessment_a, code="9.9", input={}, explanation="", version=1, user=staff_a)
    assert exc.value.status == 404


def test_an_agency_added_later_gets_its_assessment(campaign, sa_set):
    extra = AgencyFactory(code="SC", name="Sở Xây dựng", group=group("department"))
    campaign.agencies.add(extra)
    assessments_ensure(campaign=campaign)
    assert Item.objects.filter(assessment__agency=extra).count() == 9
