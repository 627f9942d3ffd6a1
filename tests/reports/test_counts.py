"""One campaign, one set of figures: the officer's home page, the progress board, the
appraisal queue and page, the agency's scoring page and the API count the same way
(scoring/selectors/progress.py), issue #13 points 6 and 7.

The campaign: 8 agencies: SA submitted and under appraisal, SB scoring (one item saved,
3.6 not applicable to it), D1–D3 opened but untouched, D4 with its leader, D5 final, the
commune without a criteria set (no assessment). One extension, in a plan of three steps:
a join of agencies and extensions that is not distinct counts it 8 times. 34 leaves (26 the
agency scores, 4 survey and 4 imported the Sở fills in); the appraiser has fields 1 and 2
(20 leaves) and has accepted 5 of SA's; D5's are all accepted.
"""
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Extension, Step
from scoring.models import Assessment, Item
from scoring.selectors.progress import NOT_STARTED, campaign_status_counts
from scoring.services.appraisal import item_appraise
from scoring.services.assessments import assessment_approve, assessment_send_to_leader, assessments_ensure, item_update
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, group
from tests.pages import text
from tests.scoring.appraisal_support import assign
from tests.scoring.factories import CriteriaSetFactory, build_tree

TREE = ([("1", "10")] + [(f"1.{i}", "1", "manual", "") for i in range(1, 11)]
        + [("2", "10")] + [(f"2.{i}", "1", "manual", "") for i in range(1, 11)]
        + [("3", "6")] + [(f"3.{i}", "1", "manual", "") for i in range(1, 7)]
        + [("4", "4")] + [(f"4.{i}", "1", "survey", "") for i in range(1, 5)]
        + [("5", "4")] + [(f"5.{i}", "1", "imported", "") for i in range(1, 5)])
SA_SCORED = [f"1.{i}" for i in range(1, 11)] + ["3.1", "3.2"]  # 12 of the agency's 26
PROVINCE_CODES = ["4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4"]


@pytest.fixture
def world(campaign, agency_a, agency_b, commune, staff_a, leader_a, staff_b, officer, appraiser):
    now = timezone.now()
    others = {code: AgencyFactory(code=code, name=f"Sở thử {code}", group=group("department"))
              for code in ("D1", "D2", "D3", "D4", "D5")}
    campaign.agencies.add(*others.values())
    for kind in ("appraisal", "explanation"):
        Step.objects.create(campaign=campaign, kind=kind, opens_at=now - timedelta(days=1),
                            closes_at=now + timedelta(days=10))
    Extension.objects.create(step=Step.objects.get(campaign=campaign, kind="self_assessment"), agency=others["D1"],
                             closes_at=now + timedelta(days=9), reason="Mất điện", granted_by=officer,
                             granted_at=now)
    cset = CriteriaSetFactory(campaign=campaign, group=group("department"))
    nodes = build_tree(cset, TREE)
    nodes["3.6"].not_applicable_to.add(agency_b)
    assessments_ensure(campaign=campaign)
    by_code = {a.agency.code: a for a in Assessment.objects.filter(campaign=campaign).select_related(
        "agency", "campaign", "criteria_set")}
    sa = by_code["SA"]
    for code in SA_SCORED:
        item = Item.objects.get(assessment=sa, criterion__code=code)
        item_update(assessment=sa, code=code, input={"score": "1"}, explanation="", version=item.version,
                    user=staff_a)
    assessment_send_to_leader(assessment=sa, user=staff_a)
    assessment_approve(assessment=sa, user=leader_a)
    sb = by_code["SB"]
    item_update(assessment=sb, code="2.1", input={"score": "0.5"}, explanation="", version=1, user=staff_b)
    Assessment.objects.filter(pk=by_code["D4"].pk).update(status=Assessment.Status.WITH_LEADER)
    Assessment.objects.filter(pk=by_code["D5"].pk).update(status=Assessment.Status.FINAL, finalised_at=now)
    Item.objects.filter(assessment=by_code["D5"], criterion__code__regex=r"^[12]\.").update(
        appraisal_state=Item.AppraisalState.ACCEPTED)
    assign(campaign, appraiser, ["1", "2"], officer=officer)
    for code in SA_SCORED[:5]:
        item_appraise(item=Item.objects.select_related("criterion", "assessment").get(assessment=sa,
                                                                                      criterion__code=code),
                      input=None, comment="", user=appraiser)
    return campaign, by_code


EXPECTED_STAGES = {"Chưa bắt đầu": 4, "Đang chấm": 1, "Chờ lãnh đạo duyệt": 1, "Đang thẩm định": 1,
                   "Đã chốt điểm": 1}


def _home_figures(page, campaign):
    card = page[page.index(campaign.name):]
    card = card[:card.index("</section>")]
    return {label: int(n) for n, label in re.findall(
        r'<div class="stat">(\d+)</div><div class="stat-label">([^<]+)</div>', card)}


def _board_figures(page):
    return {label: int(n) for n, label in re.findall(
        r'<span class="stat">(\d+)</span><span class="stat-label">([^<]+)</span>', page)}


def test_every_page_and_the_api_show_the_same_figures(world, login, api, officer, appraiser, staff_a, staff_b):
    campaign, by_code = world
    # the selector itself
    counts = campaign_status_counts(campaign=campaign)
    assert counts[NOT_STARTED] == 4 and sum(counts.values()) == 8

    # the officer's home page: agencies, extensions (one, not 8), stages as the board names them
    home = _home_figures(text(login(officer).get("/")), campaign)
    assert home == {"Đơn vị được đánh giá": 8, "Lượt gia hạn": 1, **EXPECTED_STAGES}

    # the board: the same numbers under the same labels; the others are 0
    board = _board_figures(text(login(officer).get(reverse("reports-board", args=[campaign.pk]))))
    assert board.pop("Tất cả đơn vị") == 8
    assert {label: n for label, n in board.items() if n} == EXPECTED_STAGES

    # the API: the campaign's progress and every assessment's stage
    body = api.as_user(officer).get(f"/api/v1/campaigns/{campaign.pk}/progress/").json()
    assert body["agencies"] == 8 and body["extensions"] == 1
    assert {s["label"]: s["count"] for s in body["stages"] if s["count"]} == EXPECTED_STAGES
    listed = api.as_user(officer).get(f"/api/v1/assessments/?campaign={campaign.pk}").json()
    by_stage = Counter(a["stage_label"] for a in listed)
    by_stage["Chưa bắt đầu"] += 1  # the commune: covered, no criteria set, no assessment
    assert dict(by_stage) == EXPECTED_STAGES
    assert {a["agency_code"]: a["stage"] for a in listed}["D1"] == "not_started"
    untouched = api.as_user(officer).get(f"/api/v1/assessments/?campaign={campaign.pk}&stage=not_started").json()
    assert sorted(a["agency_code"] for a in untouched) == ["D1", "D2", "D3"]
    results = api.as_user(officer).get(f"/api/v1/campaigns/{campaign.pk}/results/").json()
    assert {r["agency_code"]: r["stage"] for r in results} == {a["agency_code"]: a["stage"] for a in listed}
    # the officers' list of assessments says the same of each one
    listing = text(login(officer).get(reverse("scoring:assessment_list"), {"campaign": campaign.pk}))
    on_list = Counter(re.findall(r'<span class="pill pill-[a-z_]+">([^<]+)</span>', listing))
    on_list["Chưa bắt đầu"] += 1
    assert dict(on_list) == EXPECTED_STAGES
    not_started = text(login(officer).get(reverse("scoring:assessment_list"),
                                          {"campaign": campaign.pk, "status": "not_started"}))
    assert all(code in not_started for code in ("D1", "D2", "D3")) and "Sở Tư pháp" not in not_started

    # the agency's scoring page and the API: its own 26 leaves, the Sở's 8 named
    sa = by_code["SA"]
    page = text(login(staff_a).get(reverse("scoring:assessment_page", args=[sa.pk])))
    assert '<span class="stat" data-progress>12/26</span>' in page
    assert "do Sở Nội vụ điền" in page and ", ".join(PROVINCE_CODES) in page
    detail = api.as_user(staff_a).get(f"/api/v1/assessments/{sa.pk}/").json()
    assert detail["progress"] == {"scored": 12, "total": 26, "province_items": PROVINCE_CODES}
    assert detail["stage"] == "in_appraisal"
    sb_page = text(login(staff_b).get(reverse("scoring:assessment_page", args=[by_code["SB"].pk])))
    assert '<span class="stat" data-progress>1/25</span>' in sb_page  # 3.6 does not apply to SB

    # the appraiser: 5 of the 20 items assigned in SA, 25 of 40 over the campaign (D5 done)
    client = login(appraiser)
    queue = client.get(reverse("scoring:appraisal_queue", args=[campaign.pk]))
    rows = {r.assessment.agency.code: (r.done, r.assigned) for r in queue.context["rows"]}
    assert rows == {"SA": (5, 20), "D5": (20, 20)}
    assert '<span class="stat">25/40</span>' in text(queue)
    assert "<td class=\"num\" data-done>5/20</td>" in text(queue)
    appraisal = text(client.get(reverse("scoring:appraisal_page", args=[sa.pk])))
    assert '<span class="stat" data-appraisal-progress>5/20</span>' in appraisal
    assert api.as_user(appraiser).get(f"/api/v1/assessments/{sa.pk}/appraisal/").json()["progress"] == {
        "appraised": 5, "total": 20}
    assert api.as_user(appraiser).get(f"/api/v1/campaigns/{campaign.pk}/appraisal-progress/").json() == {
        "appraised": 25, "total": 40}
    # an officer's share is every item
    officer_page = text(login(officer).get(reverse("scoring:appraisal_page", args=[sa.pk])))
    assert '<span class="stat" data-appraisal-progress>5/34</span>' in officer_page


def test_who_may_not_see_the_figures_is_refused(world, api, staff_a, appraiser):
    campaign, by_code = world
    assert api.as_user(staff_a).get(f"/api/v1/campaigns/{campaign.pk}/progress/").status_code == 403
    assert api.as_user(appraiser).get(f"/api/v1/campaigns/{campaign.pk}/progress/").status_code == 403
    assert api.as_user(staff_a).get(f"/api/v1/campaigns/{campaign.pk}/appraisal-progress/").status_code == 404
    assert api.as_user(staff_a).get("/api/v1/campaigns/987654/progress/").status_code == 404
    api.credentials()
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/progress/").status_code in (401, 403)


def test_a_not_applicable_item_leaves_the_appraisers_share(world, api, appraiser, officer):
    campaign, by_code = world
    sa = by_code["SA"]
    from scoring.models import Criterion

    Criterion.objects.get(criteria_set=sa.criteria_set, code="2.10").not_applicable_to.add(sa.agency)
    body = api.as_user(appraiser).get(f"/api/v1/assessments/{sa.pk}/appraisal/").json()
    assert body["progress"] == {"appraised": 5, "total": 19}
    queue = api.as_user(appraiser).get(f"/api/v1/campaigns/{campaign.pk}/appraisal-progress/").json()
    assert queue == {"appraised": 25, "total": 39}


def test_the_home_page_counts_each_extension_once(world, login, officer, agency_a):
    campaign, _by_code = world
    step = Step.objects.get(campaign=campaign, kind="appraisal")
    Extension.objects.create(step=step, agency=agency_a, closes_at=step.closes_at + timedelta(days=2),
                             reason="Bổ sung", granted_by=officer, granted_at=timezone.now())
    home = _home_figures(text(login(officer).get("/")), campaign)
    assert home["Lượt gia hạn"] == 2 and home["Đơn vị được đánh giá"] == 8


def test_home_page_query_count_does_not_grow_with_agencies(world, login, officer, django_assert_max_num_queries):
    campaign, _by_code = world
    client = login(officer)
    client.get("/")
    with django_assert_max_num_queries(25) as before:
        client.get("/")
    for i in range(10):
        campaign.agencies.add(AgencyFactory(code=f"N{i}", group=group("department")))
    assessments_ensure(campaign=campaign)
    MembershipFactory(user=UserFactory(username="n0"), agency_id=campaign.agencies.get(code="N0").pk)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get("/")


def test_the_agency_page_counts_only_what_the_agency_scores(world, login, staff_a):
    _campaign, by_code = world
    page = text(login(staff_a).get(reverse("scoring:assessment_page", args=[by_code["SA"].pk])))
    assert '<span class="stat" data-progress>12/26</span>' in page  # not 12/34: survey and imported are the Sở's
    assert page.count('data-province="1"') == 8  # the "not scored yet" filter leaves them out


def test_the_appraisal_page_counts_the_appraisers_share(world, login, appraiser):
    _campaign, by_code = world
    page = text(login(appraiser).get(reverse("scoring:appraisal_page", args=[by_code["SA"].pk])))
    assert '<span class="stat" data-appraisal-progress>5/20</span>' in page  # not 5/34
    assert "Tiêu chí được giao đã thẩm định" in page


def test_the_queues_todo_filter_agrees_with_its_counts(world, login, appraiser):
    campaign, by_code = world
    d5 = by_code["D5"]
    from scoring.models import Criterion

    # an item that does not apply to D5 stays pending forever: it is nobody's work
    Criterion.objects.get(criteria_set=d5.criteria_set, code="2.10").not_applicable_to.add(d5.agency)
    Item.objects.filter(assessment=d5, criterion__code="2.10").update(appraisal_state=Item.AppraisalState.PENDING)
    client = login(appraiser)
    url = reverse("scoring:appraisal_queue", args=[campaign.pk])
    rows = {r.assessment.agency.code: (r.done, r.assigned) for r in client.get(url).context["rows"]}
    assert rows == {"SA": (5, 20), "D5": (19, 19)}
    todo = client.get(url, {"show": "todo"})
    assert [r.assessment.agency.code for r in todo.context["rows"]] == ["SA"]
    assert '<span class="stat">24/39</span>' in text(todo)


def test_a_draft_starts_with_its_first_scored_item(world, login, officer, staff_a, agency_b):
    campaign, by_code = world
    d1 = by_code["D1"]
    from decimal import Decimal

    # an explanation alone, or a figure the Sở filled in, is not scoring
    Item.objects.filter(assessment=d1, criterion__code="1.1").update(explanation="Đang chuẩn bị",
                                                                      updated_at=timezone.now())
    Item.objects.filter(assessment=d1, criterion__code="4.1").update(input={"score": "1"},
                                                                      external_points=Decimal("1"))
    assert campaign_status_counts(campaign=campaign)[NOT_STARTED] == 4
    Item.objects.filter(assessment=d1, criterion__code="1.2").update(input={"score": "1"})
    counts = campaign_status_counts(campaign=campaign)
    assert counts[NOT_STARTED] == 3 and counts[Assessment.Status.DRAFT] == 2
    board = _board_figures(text(login(officer).get(reverse("reports-board", args=[campaign.pk]))))
    assert board["Chưa bắt đầu"] == 3 and board["Đang chấm"] == 2


def test_an_assignment_limited_to_a_group_counts_only_that_groups_items(world, api, officer):
    campaign, by_code = world
    from django.contrib.auth.models import Group

    second = UserFactory(username="thamdinh2")
    second.groups.add(Group.objects.get_or_create(name="appraiser")[0])
    build_tree(CriteriaSetFactory(campaign=campaign, group=group("commune")), [("1", "1"), ("1.1", "1", "manual")])
    assign(campaign, second, ["3"], officer=officer, group_code=group("department"))
    assign(campaign, second, ["1"], officer=officer, group_code=group("commune"))
    body = api.as_user(second).get(f"/api/v1/assessments/{by_code['SA'].pk}/appraisal/").json()
    assert body["progress"] == {"appraised": 0, "total": 6}  # field 3 only: field 1 is theirs for communes
    assert api.as_user(second).get(f"/api/v1/campaigns/{campaign.pk}/appraisal-progress/").json() == {
        "appraised": 0, "total": 12}  # SA and D5, field 3 each


def test_a_save_answers_where_the_assessment_stands(world, login, staff_a, agency_a, officer):
    campaign, by_code = world
    from campaigns.models import Membership

    d1 = by_code["D1"]
    Membership.objects.create(user=staff_a, agency=d1.agency, role="staff")
    client = login(staff_a)
    page = text(client.get(reverse("scoring:assessment_page", args=[d1.pk])))
    assert '<span class="pill pill-not_started" id="sa-status">Chưa bắt đầu</span>' in page
    assert '<span class="stat" data-progress>0/26</span>' in page
    r = client.post(reverse("scoring:assessment_page", args=[d1.pk]) + "items/1.1/save/",
                    {"version": 1, "score": "1"}, HTTP_ACCEPT="application/json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["progress"] == {"done": 1, "total": 26}
    assert (body["stage"], body["stage_label"]) == ("draft", "Đang chấm")
    assert campaign_status_counts(campaign=campaign)[NOT_STARTED] == 3
