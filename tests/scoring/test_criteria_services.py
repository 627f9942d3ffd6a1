"""Criteria sets: validation, the tree's edits, the lock and amendments, copy and the map."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from cchc_portal.core.exceptions import ApplicationError, ConflictError
from scoring.models import CriteriaAmendment, CriteriaSet, Criterion
from scoring.rules.text import parse_params
from scoring.selectors.criteria import (
    criteria_nodes,
    criteria_set_for,
    criteria_set_problems,
    criteria_tree,
    not_applicable_codes,
    not_applicable_map,
    previous_set_for,
)
from scoring.services.criteria import (
    criteria_set_create,
    criteria_set_lock,
    criteria_set_update_caps,
    criteria_sets_lock_for_campaign,
    criterion_create,
    criterion_delete,
    criterion_move,
    criterion_reorder,
    criterion_update,
    on_criteria_amended,
)
from scoring.services.criteria_copy import criteria_set_copy, criteria_set_map_by_code, criteria_set_map_previous
from tests.factories import AgencyFactory, CampaignFactory, group

from .factories import SMALL_TREE, CriteriaSetFactory, build_tree, criteria_set_with_tree

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def draft(agency_a, agency_b, commune):
    c = CampaignFactory(status=Campaign.Status.DRAFT, year=2026)
    c.groups.set([group("department"), group("commune")])
    c.agencies.set([agency_a, agency_b, commune])
    return c


@pytest.fixture
def cs(draft):
    return criteria_set_with_tree(campaign=draft, group=group("department"))


def codes(criteria_set):
    return [c.code for c in criteria_tree(criteria_set=criteria_set)]


# --- validation ---------------------------------------------------------------------------------


def test_valid_set_has_no_problems(cs):
    assert criteria_set_problems(criteria_set=cs) == []


def test_validation_reports_every_problem_at_once(draft, commune):
    cs = CriteriaSetFactory(campaign=draft)
    made = build_tree(cs, [
        ("1", "10"),
        ("1.1", "4", "manual", "step=0.25"),            # 4 + 5 ≠ 10
        ("1.2", "5", "bands", ">90:5; 70-<80:2; <70:0"),  # gap 80–90
        ("2", "3"),
        ("2.1", "3", "levels", "Có=4; Không=0"),          # a level above the max
        ("3", "2", "manual", "step=0.3"),               # step does not divide the max
        ("4", "1"),                                      # a branch with no children
    ])
    made["2.1"].not_applicable_to.set([commune])         # an agency of another group
    problems = criteria_set_problems(criteria_set=cs)
    by_code = {}
    for p in problems:
        by_code.setdefault(p.code, []).append(p.message)
    assert set(by_code) == {"1", "1.2", "2.1", "3", "4"}
    assert "Tổng điểm tối đa các tiêu chí con (9)" in by_code["1"][0]
    assert "80-90" in by_code["1.2"][0] or "80" in by_code["1.2"][0]
    assert any("vượt điểm tối đa" in m for m in by_code["2.1"])
    assert any("XA" in m and "không thuộc nhóm" in m for m in by_code["2.1"])
    assert "không chia hết" in by_code["3"][0]
    order = [p.code for p in problems]
    assert order == sorted(order, key=lambda c: [int(x) for x in c.split(".")])


def test_empty_set_is_a_problem(draft):
    cs = CriteriaSetFactory(campaign=draft)
    assert [p.message for p in criteria_set_problems(criteria_set=cs)] == ["Bộ tiêu chí chưa có tiêu chí nào."]


# --- selectors ----------------------------------------------------------------------------------


def test_nodes_tree_and_not_applicable(cs, agency_a, agency_b, django_assert_num_queries):
    Criterion.objects.get(criteria_set=cs, code="1.2").not_applicable_to.set([agency_a])
    Criterion.objects.get(criteria_set=cs, code="2").not_applicable_to.set([agency_a, agency_b])
    with django_assert_num_queries(1):
        nodes = criteria_nodes(criteria_set=cs)
    assert [n.code for n in nodes] == [r[0] for r in SMALL_TREE]
    level = next(n for n in nodes if n.code == "1.1.1")
    assert level.rule == "levels" and level.evidence_required and level.max_points == D("1")
    assert level.params == parse_params("levels", "Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0")
    with django_assert_num_queries(1):
        assert not_applicable_codes(criteria_set=cs, agency=agency_a) == {"1.2", "2"}
    assert not_applicable_map(criteria_set=cs) == {agency_a.pk: {"1.2", "2"}, agency_b.pk: {"2"}}
    with django_assert_num_queries(2):
        tree = criteria_tree(criteria_set=cs)
    by_code = {c.code: c for c in tree}
    assert by_code["1.1.1"].depth == 3 and by_code["1.1"].has_children and not by_code["1.2"].has_children
    assert by_code["1.4"].outside_max and not by_code["1"].outside_max
    assert by_code["1"].children_max == D("10")
    assert by_code["1.1.2"].params_text == ">90:2; 70-90:1; <70:0"
    assert by_code["2"].na_codes == ["SA", "SB"]
    assert criteria_set_for(campaign=cs.campaign, group="department") == cs
    assert criteria_set_for(campaign=cs.campaign, group=group("commune")) is None


# --- the tree -----------------------------------------------------------------------------------


def test_create_edit_and_delete(cs, officer, agency_a):
    c = criterion_create(criteria_set=cs, user=officer, code="3", title=" Tài chính công ", max_points=D("5"))
    assert c.parent is None and c.title == "Tài chính công" and c.rule == "sum"
    leaf = criterion_create(criteria_set=cs, user=officer, code="3.1", title="Quy chế chi tiêu nội bộ",
                            max_points=D("5"), rule="levels", params=parse_params("levels", "Có=5; Không=0"),
                            evidence_required=True, not_applicable_to=[agency_a])
    assert leaf.parent == c and list(leaf.not_applicable_to.all()) == [agency_a]
    assert codes(cs)[-2:] == ["3", "3.1"]
    criterion_update(criterion=leaf, user=officer, max_points=D("5"), rule="manual",
                     params=parse_params("manual", "step=0.5"), not_applicable_to=[])
    leaf.refresh_from_db()
    assert leaf.rule == "manual" and leaf.params == {"step": "0.5"} and not leaf.not_applicable_to.exists()
    assert criteria_set_problems(criteria_set=cs) == []
    assert criterion_delete(criterion=c, user=officer) == ["3", "3.1"]
    assert not Criterion.objects.filter(criteria_set=cs, code__startswith="3").exists()
    assert not CriteriaAmendment.objects.exists()  # an open set changes without amendments


def test_create_refuses_bad_values_with_field_errors(cs, officer, commune):
    cases = [
        ({"code": "1.1"}, "code"),                      # taken
        ({"code": "9.1"}, "code"),                      # no parent 9
        ({"code": "1.a"}, "code"),
        ({"code": "1.1.1.1.1"}, "code"),                # depth 5
        ({"rule": "levels", "params": {"levels": [{"label": "Có", "points": "9"}]}}, "rule_params"),
        ({"max_points": D("-1")}, "max_points"),
        ({"not_applicable_to": [commune]}, "not_applicable_to"),
        ({"capped": True}, "capped"),
    ]
    for change, field in cases:
        values = {"code": "1.5", "title": "Mới", "max_points": D("1"), "rule": "manual", "params": {}} | change
        with pytest.raises(ApplicationError) as exc:
            criterion_create(criteria_set=cs, user=officer, **values)
        assert field in exc.value.extra["errors"], change


def test_adding_a_child_to_a_leaf_makes_it_a_branch(cs, officer):
    criterion_create(criteria_set=cs, user=officer, code="1.2.1", title="Con", max_points=D("3"), rule="ratio")
    parent = Criterion.objects.get(criteria_set=cs, code="1.2")
    assert parent.rule == "sum" and parent.params == {}
    assert criteria_set_problems(criteria_set=cs) == []


def test_move_takes_the_subtree_and_keeps_identity(cs, officer):
    branch = Criterion.objects.get(criteria_set=cs, code="1.1")
    leaf_pk = Criterion.objects.get(criteria_set=cs, code="1.1.2").pk
    criterion_move(criterion=branch, new_code="2.4", user=officer)
    moved = Criterion.objects.get(pk=leaf_pk)
    assert moved.code == "2.4.2" and moved.parent.code == "2.4" and moved.parent.parent.code == "2"
    assert "1.1" not in codes(cs) and codes(cs).index("2.4") > codes(cs).index("2.3")
    with pytest.raises(ApplicationError):
        criterion_move(criterion=Criterion.objects.get(criteria_set=cs, code="2"), new_code="2.4.9", user=officer)
    with pytest.raises(ApplicationError):
        criterion_move(criterion=Criterion.objects.get(criteria_set=cs, code="1.2"), new_code="2.1", user=officer)
    with pytest.raises(ApplicationError):  # under a leaf
        criterion_move(criterion=Criterion.objects.get(criteria_set=cs, code="1.3"), new_code="2.1.1", user=officer)
    orders = list(Criterion.objects.filter(criteria_set=cs).order_by("order").values_list("code", flat=True))
    assert orders == codes(cs)


def test_reorder_swaps_codes_with_the_sibling(cs, officer):
    pk_12, pk_13 = (Criterion.objects.get(criteria_set=cs, code=c).pk for c in ("1.2", "1.3"))
    pk_111 = Criterion.objects.get(criteria_set=cs, code="1.1.1").pk
    criterion_reorder(criterion=Criterion.objects.get(pk=pk_13), direction="up", user=officer)
    assert Criterion.objects.get(pk=pk_13).code == "1.2" and Criterion.objects.get(pk=pk_12).code == "1.3"
    criterion_reorder(criterion=Criterion.objects.get(criteria_set=cs, code="1.1"), direction="down", user=officer)
    assert Criterion.objects.get(pk=pk_111).code == "1.2.1"
    assert Criterion.objects.get(pk=pk_111).parent.code == "1.2"
    with pytest.raises(ApplicationError):
        criterion_reorder(criterion=Criterion.objects.get(criteria_set=cs, code="1"), direction="up", user=officer)
    assert criteria_set_problems(criteria_set=cs) == []


# --- lock and amendments ------------------------------------------------------------------------


def test_lock_is_idempotent_and_refuses_a_broken_set(cs, draft):
    now = timezone.now()
    assert criteria_set_lock(criteria_set=cs, now=now) is True
    assert criteria_set_lock(criteria_set=cs, now=now + timedelta(hours=1)) is False
    cs.refresh_from_db()
    assert cs.locked_at == now
    broken = CriteriaSetFactory(campaign=draft, group=group("commune"))
    build_tree(broken, [("1", "10"), ("1.1", "5", "manual")])
    with pytest.raises(ApplicationError) as exc:
        criteria_set_lock(criteria_set=broken)
    assert "commune" in exc.value.extra["errors"]
    broken.refresh_from_db()
    assert broken.locked_at is None


def test_campaign_lock_is_all_or_nothing(cs, draft):
    broken = CriteriaSetFactory(campaign=draft, group=group("commune"))
    build_tree(broken, [("1", "10"), ("1.1", "5", "manual")])
    with pytest.raises(ApplicationError) as exc:
        criteria_sets_lock_for_campaign(campaign=draft)
    assert list(exc.value.extra["errors"]) == ["commune"]
    assert not CriteriaSet.objects.filter(locked_at__isnull=False).exists()
    Criterion.objects.filter(criteria_set=broken, code="1.1").update(max_points=D("10"))
    locked = criteria_sets_lock_for_campaign(campaign=draft)
    assert {s.group.code for s in locked} == {"department", "commune"}
    assert CriteriaSet.objects.filter(campaign=draft, locked_at__isnull=False).count() == 2


def test_locked_set_changes_only_as_a_recorded_amendment(cs, officer):
    criteria_set_lock(criteria_set=cs)
    leaf = Criterion.objects.get(criteria_set=cs, code="1.3")
    seen = []
    on_criteria_amended(lambda **kw: seen.append(kw["codes"]))
    for attempt in (
        lambda reason: criterion_update(criterion=leaf, user=officer, reason=reason, title="Sửa"),
        lambda reason: criterion_create(criteria_set=cs, user=officer, reason=reason, code="3", title="Mới",
                                        max_points=D("1")),
        lambda reason: criterion_delete(criterion=leaf, user=officer, reason=reason),
        lambda reason: criterion_reorder(criterion=leaf, direction="up", user=officer, reason=reason),
        lambda reason: criteria_set_update_caps(criteria_set=cs, user=officer, bonus_cap=D("1"), penalty_cap=None,
                                                reason=reason),
    ):
        with pytest.raises(ConflictError) as exc:
            attempt("  ")
        assert "khóa" in exc.value.message and "reason" in exc.value.extra["errors"]
    assert not CriteriaAmendment.objects.exists()
    criterion_update(criterion=leaf, user=officer, reason="Sửa theo Quyết định 12/QĐ-UBND",
                     title="Kiểm tra CCHC", max_points=D("3"), params=parse_params("deduction", "per=1"))
    amendment = CriteriaAmendment.objects.get()
    assert amendment.code == "1.3" and amendment.made_by == officer and amendment.reason.startswith("Sửa theo")
    assert amendment.change["action"] == "update"
    assert amendment.change["changes"]["rule_params"] == ["per=0.5", "per=1"]
    assert amendment.change["changes"]["title"][1] == "Kiểm tra CCHC"
    assert seen == [{"1.3"}]
    criteria_set_update_caps(criteria_set=cs, user=officer, bonus_cap=D("2"), penalty_cap=D("5"), reason="Trần mới")
    assert CriteriaAmendment.objects.count() == 2


def test_delete_refused_once_scored(cs, officer, agency_a):
    from scoring.models import Assessment, Item

    assessment = Assessment.objects.create(campaign=cs.campaign, agency=agency_a, criteria_set=cs)
    Item.objects.create(assessment=assessment, criterion=Criterion.objects.get(criteria_set=cs, code="1.1.3"))
    with pytest.raises(ConflictError) as exc:
        criterion_delete(criterion=Criterion.objects.get(criteria_set=cs, code="1.1"), user=officer)
    assert "1.1.3" in exc.value.message
    assert Criterion.objects.filter(criteria_set=cs, code="1.1.3").exists()


def test_set_create_checks_group_and_duplicates(draft, officer):
    criteria_set_create(campaign=draft, group="commune", user=officer)
    with pytest.raises(ConflictError):
        criteria_set_create(campaign=draft, group="commune", user=officer)
    with pytest.raises(ApplicationError):
        criteria_set_create(campaign=draft, group="district", user=officer)


# --- next year ----------------------------------------------------------------------------------


def test_copy_into_next_year_keeps_the_map(cs, officer, agency_a, commune):
    Criterion.objects.get(criteria_set=cs, code="1.2").not_applicable_to.set([agency_a])
    cs.bonus_cap = D("2")
    cs.save()
    nxt = CampaignFactory(status=Campaign.Status.DRAFT, year=2027, previous=cs.campaign)
    nxt.groups.set([group("department"), group("commune")])
    copy = criteria_set_copy(source=cs, campaign=nxt, user=officer)
    assert copy.copied_from == cs and copy.bonus_cap == D("2")
    assert codes(copy) == codes(cs)
    for new in Criterion.objects.filter(criteria_set=copy).select_related("previous", "parent"):
        assert new.previous.code == new.code and new.previous.criteria_set_id == cs.pk
        assert (new.parent.code if new.parent else "") == new.code.rpartition(".")[0]
    assert not_applicable_codes(criteria_set=copy, agency=agency_a) == {"1.2"}
    assert criteria_set_problems(criteria_set=copy) == []
    with pytest.raises(ConflictError):
        criteria_set_copy(source=cs, campaign=nxt, user=officer)
    # the department set may seed the commune set too; department agencies' N/A are dropped
    commune_copy = criteria_set_copy(source=cs, campaign=nxt, user=officer, group="commune")
    assert not_applicable_map(criteria_set=commune_copy) == {}
    assert previous_set_for(criteria_set=copy) == cs


def test_the_map_is_editable_and_checked(cs, officer):
    nxt = CampaignFactory(status=Campaign.Status.DRAFT, year=2027, previous=cs.campaign)
    nxt.groups.set([group("department")])
    copy = criteria_set_copy(source=cs, campaign=nxt, user=officer)
    criterion_create(criteria_set=copy, user=officer, code="3", title="Mới", max_points=D("1"), rule="manual")
    changed = criteria_set_map_previous(criteria_set=copy, mapping={"1.2": "1.3", "1.3": None}, user=officer)
    assert changed == 2
    assert Criterion.objects.get(criteria_set=copy, code="1.2").previous.code == "1.3"
    assert Criterion.objects.get(criteria_set=copy, code="1.3").previous is None
    with pytest.raises(ApplicationError) as exc:
        criteria_set_map_previous(criteria_set=copy, mapping={"1.2": "7.7", "9": "1"}, user=officer)
    assert set(exc.value.extra["errors"]) == {"1.2", "9"}
    assert Criterion.objects.get(criteria_set=copy, code="1.2").previous.code == "1.3"  # nothing saved
    assert criteria_set_map_by_code(criteria_set=copy, user=officer) == 1  # 1.3 again; 3 has no match
    assert Criterion.objects.get(criteria_set=copy, code="1.3").previous.code == "1.3"
    assert Criterion.objects.get(criteria_set=copy, code="3").previous is None


def test_a_set_without_copy_maps_to_last_years_campaign(cs, officer):
    nxt = CampaignFactory(status=Campaign.Status.DRAFT, year=2027, previous=cs.campaign)
    nxt.groups.set([group("department")])
    fresh = criteria_set_with_tree(campaign=nxt, group=group("department"))
    assert previous_set_for(criteria_set=fresh) == cs
    assert criteria_set_map_by_code(criteria_set=fresh, user=officer) == len(SMALL_TREE)
    other = AgencyFactory(code="SC")
    assert other.group.code == "department"
