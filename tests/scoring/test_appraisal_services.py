"""Assignments and appraising items: who may appraise what, the comment rule, accepting a
field, the windows and the states."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError
from scoring.models import Assessment, Item
from scoring.selectors.appraisal import appraiser_may_appraise, code_covers
from scoring.services import appraisal as svc
from tests.factories import UserFactory, group
from tests.scoring.appraisal_support import assign, item, set_step, submit, world
from tests.scoring.factories import CriteriaSetFactory, build_tree

pytestmark = pytest.mark.usefixtures("media")  # tests/conftest.py


@pytest.fixture
def w(campaign, agency_a, staff_a, leader_a, officer):
    w = world(campaign, agency_a)
    submit(w.a, staff=staff_a, leader=leader_a)
    return w


def test_code_covers_its_subtree_only():
    assert code_covers(["1"], "1.2.3") and code_covers(["1.2"], "1.2") and code_covers(["1.2"], "1.2.1")
    assert not code_covers(["1"], "10.1") and not code_covers(["1.2"], "1.20") and not code_covers([], "1")


def test_assignment_merges_codes_and_checks_them(w, appraiser, officer, staff_a):
    first, created = svc.assignment_create(campaign=w.campaign, appraiser=appraiser, codes=["1.1"],
                                           group="department", user=officer)
    assert created
    again, created = svc.assignment_create(campaign=w.campaign, appraiser=appraiser, codes="1, 2.1",
                                           group="department", user=officer)
    assert not created and again.pk == first.pk
    assert again.codes == ["1", "2.1"]  # 1.1 is inside 1
    with pytest.raises(ApplicationError, match="Không có tiêu chí: 9"):
        svc.assignment_create(campaign=w.campaign, appraiser=appraiser, codes=["9"], user=officer)
    with pytest.raises(ApplicationError, match="không thuộc Tổ thẩm định"):
        svc.assignment_create(campaign=w.campaign, appraiser=staff_a, codes=["1"], user=officer)
    with pytest.raises(ApplicationError) as refused:
        svc.assignment_create(campaign=w.campaign, appraiser=appraiser, codes=["1"], user=appraiser)
    assert refused.value.status == 403


def commune_set(campaign):
    build_tree(CriteriaSetFactory(campaign=campaign, group=group("commune")), [("1", "1"), ("1.1", "1", "manual")])


def test_appraiser_may_appraise_only_assigned_items_of_assigned_groups(w, appraiser, officer):
    commune_set(w.campaign)
    assign(w.campaign, appraiser, ["1"], officer=officer, group_code="commune")
    assert not appraiser_may_appraise(user=appraiser, item=item(w.a, "1.1"))  # A is a department
    assign(w.campaign, appraiser, ["1"], officer=officer, group_code="department")
    assert appraiser_may_appraise(user=appraiser, item=item(w.a, "1.1"))
    assert not appraiser_may_appraise(user=appraiser, item=item(w.a, "2.1"))
    assert appraiser_may_appraise(user=officer, item=item(w.a, "2.1"))
    other = UserFactory(username="other_appraiser")
    assert not appraiser_may_appraise(user=other, item=item(w.a, "1.1"))


def test_not_assigned_is_403_and_changes_nothing(w, appraiser, officer):
    assign(w.campaign, appraiser, ["1"], officer=officer)
    with pytest.raises(ApplicationError) as refused:
        svc.item_appraise(item=item(w.a, "2.1"), input={"score": "1"}, comment="Thiếu", user=appraiser)
    assert refused.value.status == 403
    it = item(w.a, "2.1")
    assert it.appraisal_state == "pending" and it.appraised_points is None
    assert Assessment.objects.get(pk=w.a.pk).status == "submitted"


def test_a_differing_score_needs_a_comment(w, appraiser, officer):
    assign(w.campaign, appraiser, ["1"], officer=officer)
    with pytest.raises(ApplicationError, match="cần ghi ý kiến thẩm định") as refused:
        svc.item_appraise(item=item(w.a, "1.1"), input={"score": "1.5"}, comment="  ", user=appraiser)
    assert refused.value.status == 400 and "comment" in refused.value.extra["errors"]
    assert item(w.a, "1.1").appraisal_state == "pending"
    saved = svc.item_appraise(item=item(w.a, "1.1"), input={"score": "1.5"}, comment="Kế hoạch ban hành muộn",
                              user=appraiser)
    assert saved.appraised_points == Decimal("1.50") and saved.appraisal_state == "adjusted"
    assert saved.appraised_by == appraiser and saved.appraisal_comment == "Kế hoạch ban hành muộn"
    a = Assessment.objects.get(pk=w.a.pk)
    assert a.status == "in_appraisal"  # the first appraisal action
    # the same points as the agency need no comment and count as accepted
    same = svc.item_appraise(item=item(w.a, "1.3"), input={"numerator": "9", "denominator": "10"}, comment="",
                             user=appraiser)
    assert same.appraisal_state == "accepted" and same.appraised_points == Decimal("1.80")


def test_bad_input_is_400_with_the_rules_message(w, officer):
    with pytest.raises(ApplicationError, match="không đúng bước chấm") as refused:
        svc.item_appraise(item=item(w.a, "1.1"), input={"score": "1.2"}, comment="x", user=officer)
    assert refused.value.status == 400
    with pytest.raises(ApplicationError, match="không có trong danh sách"):
        svc.item_appraise(item=item(w.a, "1.2"), input={"level": "Có lẽ"}, comment="x", user=officer)


def test_accepting_with_no_input_records_the_agency_points(w, appraiser, officer):
    assign(w.campaign, appraiser, ["1"], officer=officer)
    accepted = svc.item_appraise(item=item(w.a, "1.2"), input=None, comment="", user=appraiser)
    assert accepted.appraisal_state == "accepted" and accepted.appraised_points == Decimal("2.00")
    assert accepted.appraised_input == {"level": "Có"}


def test_accept_a_field_accepts_untouched_assigned_items_only(w, appraiser, officer):
    assign(w.campaign, appraiser, ["1", "2.1"], officer=officer)
    svc.item_appraise(item=item(w.a, "1.1"), input={"score": "1"}, comment="Chưa đủ", user=appraiser)
    accepted = svc.field_accept_self_scores(assessment=w.a, field_code="1", user=appraiser)
    assert sorted(i.criterion.code for i in accepted) == ["1.2", "1.3"]
    assert item(w.a, "1.1").appraisal_state == "adjusted"  # untouched items only
    assert item(w.a, "1.3").appraised_points == Decimal("1.80") and item(w.a, "1.3").appraised_by == appraiser
    accepted = svc.field_accept_self_scores(assessment=w.a, field_code="2", user=appraiser)
    assert [i.criterion.code for i in accepted] == ["2.1"]  # 2.2 is not theirs
    with pytest.raises(ApplicationError, match="không còn tiêu chí"):
        svc.field_accept_self_scores(assessment=w.a, field_code="1", user=appraiser)


def test_survey_leaves_take_no_appraisal_input(w, officer):
    with pytest.raises(ApplicationError, match="điều tra xã hội học"):
        svc.item_appraise(item=item(w.a, "6.1"), input={"score": "1"}, comment="x", user=officer)


def test_not_applicable_items_are_not_appraised(w, officer):
    with pytest.raises(ApplicationError, match="không áp dụng"):
        svc.item_appraise(item=item(w.a, "3.1"), input={"score": "1"}, comment="x", user=officer)


def test_appraisal_waits_for_submission(campaign, agency_a, officer, staff_b):
    w = world(campaign, agency_a)
    with pytest.raises(ConflictError, match="chưa gửi Sở Nội vụ"):
        svc.item_appraise(item=item(w.b, "1.1"), input={"score": "1"}, comment="x", user=officer)


def test_appraisers_act_inside_the_appraisal_steps_officers_any_time(w, appraiser, officer):
    assign(w.campaign, appraiser, ["1"], officer=officer)
    now = timezone.now()
    set_step(w.campaign, "appraisal", now - timedelta(days=9), now - timedelta(days=2))
    with pytest.raises(DeadlineError, match="Ngoài thời gian thẩm định"):
        svc.item_appraise(item=item(w.a, "1.1"), input=None, comment="", user=appraiser)
    svc.item_appraise(item=item(w.a, "1.1"), input=None, comment="", user=officer)
    set_step(w.campaign, "appraisal_2", now - timedelta(hours=1), now + timedelta(days=2))
    svc.item_appraise(item=item(w.a, "1.2"), input=None, comment="", user=appraiser)
    assert item(w.a, "1.2").appraisal_state == "accepted"
    set_step(w.campaign, "appraisal_2", now + timedelta(days=1), now + timedelta(days=2))
    with pytest.raises(DeadlineError):
        svc.item_appraise(item=item(w.a, "1.3"), input=None, comment="", user=appraiser)
    # an early start: the appraisal step has not opened yet, the agency has submitted
    set_step(w.campaign, "appraisal", now + timedelta(days=3), now + timedelta(days=9))
    svc.item_appraise(item=item(w.a, "1.3"), input=None, comment="", user=appraiser)


def test_appraised_total_is_kept_and_status_becomes_appraised(w, officer):
    for field in ("1", "2", "4"):
        svc.field_accept_self_scores(assessment=w.a, field_code=field, user=officer)
    a = Assessment.objects.get(pk=w.a.pk)
    assert a.status == "in_appraisal"  # 5.1 has no figure yet, 6.1 no survey result
    svc.item_appraise(item=item(w.a, "5.1"), input={"score": "4"}, comment="Theo Cổng DVC", user=officer)
    Item.objects.filter(pk=item(w.a, "6.1").pk).update(external_points=Decimal("2.40"))
    svc.item_appraise(item=item(w.a, "6.1"), input=None, comment="", user=officer)
    a = Assessment.objects.get(pk=w.a.pk)
    assert a.status == "appraised"
    # 2 + 2 + 1.8 | min(3 + 2, 4) | bonus 0.5 | 5.1: 4 | 6.1: 2.4
    assert a.appraised_total == Decimal("16.70")


def test_group_of_the_assignment_limits_the_queue_not_the_page(w, appraiser, officer, staff_b):
    from scoring.selectors.appraisal import assessment_get_for_appraisal, assessment_list_for_appraisal

    commune_set(w.campaign)
    assign(w.campaign, appraiser, ["1"], officer=officer, group_code="commune")
    assert list(assessment_list_for_appraisal(user=appraiser, campaign=w.campaign)) == []
    assign(w.campaign, appraiser, ["1"], officer=officer, group_code="department")
    assert [a.pk for a in assessment_list_for_appraisal(user=appraiser, campaign=w.campaign)] == [w.a.pk]
    assert assessment_get_for_appraisal(user=appraiser, pk=w.a.pk) == w.a
    assert group("department").pk == w.a.agency.group_id


def test_accepting_a_survey_leaf_before_its_result_stores_no_points(w, officer):
    accepted = svc.item_appraise(item=item(w.a, "6.1"), input=None, comment="", user=officer)
    assert accepted.appraisal_state == "accepted" and accepted.appraised_points is None
    Item.objects.filter(pk=accepted.pk).update(external_points=Decimal("2.10"))  # the survey's result comes
    for field in ("1", "2", "4"):
        svc.field_accept_self_scores(assessment=w.a, field_code=field, user=officer)
    svc.item_appraise(item=item(w.a, "5.1"), input={"score": "3"}, comment="Theo Cổng DVC", user=officer)
    final = svc.assessment_finalize(assessment=w.a, user=officer)
    assert item(w.a, "6.1").appraised_points == Decimal("2.10")  # fixed at finalisation
    assert final.appraised_total == Decimal("5.8") + Decimal("4") + Decimal("0.5") + Decimal("3") + Decimal("2.1")
