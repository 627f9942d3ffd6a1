"""Finalisation (chốt điểm): refused while items are not appraised or explanations are open,
then every appraisal write is refused until an officer reopens with a reason (recorded).
Appraised totals checked against hand computation (N/A rescaling, caps, evidence zero)."""
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone

from cchc_portal.core.exceptions import ApplicationError, ConflictError
from scoring.imported_figures import figures_import
from scoring.models import Assessment, FinalisationLog, Item
from scoring.selectors.appraisal import appraised_score
from scoring.services import appraisal as svc
from scoring.services import explanations as explain_svc
from tests import sheets
from tests.scoring.appraisal_support import assign, item, submit, world

pytestmark = pytest.mark.usefixtures("media")  # tests/conftest.py


@pytest.fixture
def w(campaign, agency_a, staff_a, leader_a, officer, appraiser):
    w = world(campaign, agency_a)
    submit(w.a, staff=staff_a, leader=leader_a)
    assign(campaign, appraiser, ["1", "2", "4"], officer=officer)
    return w


def xlsx(rows, header=("agency_code", "criterion_code", "value", "source", "note")) -> BytesIO:
    return sheets.xlsx(rows, header)


def appraise_a(w, appraiser, officer):
    """The appraisal of agency A used by the golden case."""
    svc.item_appraise(item=item(w.a, "1.1"), input={"score": "1.5"}, comment="Ban hành muộn", user=appraiser)
    svc.item_appraise(item=item(w.a, "1.2"), input=None, comment="", user=appraiser)
    svc.item_appraise(item=item(w.a, "1.3"), input={"numerator": 2, "denominator": 3}, comment="Chỉ đạt 2/3",
                      user=appraiser)
    svc.item_appraise(item=item(w.a, "2.1"), input={"score": "1"}, comment="Thiếu minh chứng", user=appraiser)
    svc.item_appraise(item=item(w.a, "2.2"), input=None, comment="", user=appraiser)
    svc.item_appraise(item=item(w.a, "4"), input={"score": "2"}, comment="Được khen thưởng", user=appraiser)
    report = figures_import(campaign=w.campaign, file=xlsx([("SA", "5.1", "3.75", "Cổng DVC quốc gia", "")]),
                            user=officer)
    assert report.ok, report.errors
    Item.objects.filter(pk=item(w.a, "6.1").pk).update(external_points=Decimal("2.40"))  # the survey's result


def test_golden_case_na_rescaling_caps_bonus_cap(w, appraiser, officer):
    a = Assessment.objects.get(pk=w.a.pk)
    # self: 2 + 2 + 1.8 | min(3 + 2, 4) | bonus 0.5 | 5.1 and 6.1 pending → 10.30 of 18 (field 3 N/A)
    assert a.self_total == Decimal("10.30")
    appraise_a(w, appraiser, officer)
    result = appraised_score(assessment=a)
    # 1.5 + 2 + 1.33 | min(1 + 2, 4) = 3 | bonus min(2, cap 1) = 1 | 5.1: 3.75 | 6.1: 2.40
    assert result.total == Decimal("14.98")
    assert result.applicable_max == Decimal("18")
    assert result.index == Decimal("83.22")  # 14.98 / 18 × 100 = 83.2222…
    assert result.fields["1"].value == Decimal("4.83") and result.fields["2"].value == Decimal("3")
    assert result.bonus == Decimal("1")
    final = svc.assessment_finalize(assessment=a, user=officer)
    assert final.status == "final" and final.appraised_total == Decimal("14.98")
    assert final.finalised_by == officer and final.finalised_at is not None
    stored = {i.criterion.code: i.appraised_points for i in Item.objects.filter(assessment=a).select_related(
        "criterion")}
    assert stored["1.3"] == Decimal("1.33") and stored["5.1"] == Decimal("3.75") and stored["6.1"] == Decimal("2.40")
    for code, points in result.points.items():
        if code in stored and points.applicable:
            assert stored[code] == points.value, code  # every stored leaf equals the engine's
    assert item(w.a, "6.1").appraisal_state == "accepted"  # its figure counted as appraised


def test_golden_case_evidence_zero_and_no_na(w, staff_b, appraiser, officer, agency_b):
    from django.contrib.auth.models import Group

    from campaigns.models import Membership
    from tests.factories import UserFactory

    leader_b = UserFactory(username="leader_b")
    Membership.objects.create(user=leader_b, agency=agency_b, role="leader")
    inputs = {"1.1": {"score": "2"}, "1.2": {"level": "Có"}, "1.3": {"numerator": 9, "denominator": 10},
              "2.1": {"score": "3"}, "2.2": {"score": "2"}, "3.1": {"score": "3"}, "4": {"score": "0.5"}}
    b = submit(w.b, staff=staff_b, leader=leader_b, inputs=inputs, evidence=())
    assert item(b, "1.2").self_points == Decimal("0.00")  # "Có" without evidence scores 0
    officer.groups.add(Group.objects.get(name="officer"))
    for field in ("1", "2", "3", "4"):
        svc.field_accept_self_scores(assessment=b, field_code=field, user=officer)
    assert item(b, "1.2").appraised_points == Decimal("0.00")
    # the appraiser cannot give points the evidence rule refuses: "Có" again is still 0, no comment needed
    svc.item_appraise(item=item(b, "1.2"), input={"level": "Có"}, comment="", user=officer)
    figures_import(campaign=w.campaign, file=xlsx([("SB", "5.1", "5", "Cổng DVC", "")]), user=officer)
    Item.objects.filter(pk=item(b, "6.1").pk).update(external_points=Decimal("3"))
    final = svc.assessment_finalize(assessment=b, user=officer)
    # 2 + 0 + 1.8 | 4 | 3 | bonus 0.5 | 5 | 3 = 19.30 of 22
    assert final.appraised_total == Decimal("19.30")
    assert appraised_score(assessment=final).index == Decimal("87.73")


def test_finalise_refuses_unappraised_items_then_freezes(w, appraiser, officer, staff_a):
    a = Assessment.objects.get(pk=w.a.pk)
    with pytest.raises(ApplicationError) as refused:
        svc.assessment_finalize(assessment=a, user=appraiser)
    assert refused.value.status == 403
    svc.item_appraise(item=item(w.a, "1.1"), input=None, comment="", user=appraiser)
    with pytest.raises(ConflictError, match="còn 7 tiêu chí chưa thẩm định: 1.2, 1.3, 2.1, 2.2, 4, 5.1, 6.1") as e:
        svc.assessment_finalize(assessment=a, user=officer)
    assert e.value.extra["errors"]["items"] == ["1.2", "1.3", "2.1", "2.2", "4", "5.1", "6.1"]
    assert Assessment.objects.get(pk=a.pk).status == "in_appraisal"
    appraise_a(w, appraiser, officer)
    svc.item_appraise(item=item(w.a, "1.1"), input={"score": "1.5"}, comment="Ban hành muộn", user=appraiser)
    request = explain_svc.explanation_request_create(assessment=a, codes=["1.1"],
                                                     question="Giải trình thời điểm ban hành?",
                                                     due_at=timezone.now() + timedelta(days=2), user=appraiser)
    with pytest.raises(ConflictError, match="đang chờ đơn vị giải trình"):
        svc.assessment_finalize(assessment=a, user=officer)
    explain_svc.explanation_answer(request=request, body="Ban hành ngày 15/01", documents=[], user=staff_a)
    svc.item_appraise(item=item(w.a, "1.1"), input={"score": "1.5"}, comment="Vẫn muộn", user=appraiser)
    assert Assessment.objects.get(pk=a.pk).status == "appraised"
    svc.assessment_finalize(assessment=a, user=officer)
    # frozen: every appraisal write is 409
    with pytest.raises(ConflictError, match="chốt điểm") as frozen:
        svc.item_appraise(item=item(w.a, "1.1"), input={"score": "2"}, comment="Sửa", user=appraiser)
    assert frozen.value.status == 409
    with pytest.raises(ConflictError):
        svc.item_appraise(item=item(w.a, "1.1"), input={"score": "2"}, comment="Sửa", user=officer)
    with pytest.raises(ConflictError):
        svc.field_accept_self_scores(assessment=a, field_code="1", user=officer)
    with pytest.raises(ConflictError):
        explain_svc.explanation_request_create(assessment=a, codes=["1.3"], question="?", user=appraiser,
                                       due_at=timezone.now() + timedelta(days=2))
    report = figures_import(campaign=w.campaign, file=xlsx([("SA", "5.1", "4", "", "")]), user=officer)
    assert not report.ok and "đã được chốt điểm" in report.errors[0].message
    assert item(w.a, "1.1").appraised_points == Decimal("1.50")
    with pytest.raises(ConflictError, match="đã được chốt điểm"):
        svc.assessment_finalize(assessment=a, user=officer)


def test_reopen_needs_a_reason_and_is_recorded(w, appraiser, officer):
    a = Assessment.objects.get(pk=w.a.pk)
    appraise_a(w, appraiser, officer)
    svc.assessment_finalize(assessment=a, user=officer)
    with pytest.raises(ApplicationError, match="lý do") as refused:
        svc.assessment_reopen(assessment=a, reason="  ", user=officer)
    assert refused.value.status == 400
    with pytest.raises(ApplicationError) as refused:
        svc.assessment_reopen(assessment=a, reason="Sai sót", user=appraiser)
    assert refused.value.status == 403
    reopened = svc.assessment_reopen(assessment=a, reason="Đơn vị khiếu nại tiêu chí 2.1, có văn bản mới",
                                     user=officer)
    assert reopened.status == "appraised" and reopened.finalised_at is None
    log = list(FinalisationLog.objects.filter(assessment=a))
    assert [entry.action for entry in log] == ["reopen", "finalise"]
    assert log[0].reason == "Đơn vị khiếu nại tiêu chí 2.1, có văn bản mới" and log[0].user == officer
    assert log[1].appraised_total == Decimal("14.98")
    svc.item_appraise(item=item(w.a, "2.1"), input={"score": "2"}, comment="Có văn bản mới", user=appraiser)
    again = svc.assessment_finalize(assessment=a, user=officer)
    assert again.appraised_total == Decimal("15.98")
    with pytest.raises(ConflictError, match="Chỉ mở lại được"):
        svc.assessment_reopen(assessment=Assessment.objects.get(pk=w.b.pk), reason="x", user=officer)
