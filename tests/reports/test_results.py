"""Results against hand computation: N/A rescaling, caps, evidence zero, survey, bonus and
penalty, grades, ties; the same figures compressed and in detail; constant query count."""
from decimal import Decimal

import pytest

from reports.models import ResultSettings
from reports.results import assign_ranks, campaign_results, grade_for
from reports.score_sheet import score_sheet
from scoring.models import Assessment, Criterion
from tests.factories import AgencyFactory, CampaignFactory, group

from .builders import department, golden_campaign, make_assessment, make_set

D = Decimal
SIMPLE = [
    ("1", "Chỉ đạo, điều hành", "10", "sum", "", False, False),
    ("1.1", "Kế hoạch CCHC", "10", "manual", "", False, False),
]


@pytest.fixture
def golden(campaign, agency_a, agency_b):
    return golden_campaign(campaign, agency_a, agency_b)


def test_golden_case_matches_hand_computation(campaign, golden):
    results = campaign_results(campaign=campaign)
    a, b = results.by_agency_code("SA"), results.by_agency_code("SB")
    # A: field 1 = 1.75 + 0.5 (late) + 1.5 (85 % band, evidence attached) = 3.75 of 6
    #    field 2 = 2/3 × 4 = 2.67 (half-up per leaf) + 1.25 = 3.92 of 6
    #    field 3 (capped at 4) = min(3 + 2.5, 4) = 4 of 4
    #    field 4 (survey) = 1.5 + 0.8 = 2.3 of 4
    #    bonus 1.5 capped at 1, penalty 0.5: total = 13.97 + 1 − 0.5 = 14.47 of 20 → 72.35 %
    assert [(f.code, f.points, f.max_points) for f in a.fields] == [
        ("1", D("3.75"), D("6")), ("2", D("3.92"), D("6")), ("3", D("4"), D("4")),
        ("4", D("2.30"), D("4")), ("5", D("1"), D("5")),  # the engine shows the net before caps
    ]
    assert (a.total, a.max_points, a.index, a.bonus, a.penalty) == (D("14.47"), D("20"), D("72.35"), D("1"), D("0.5"))
    # B: 2.2 not applicable → field 2 max 4; 1.3 without evidence scores 0.
    #    3 + 4 + min(2 + 1, 4) + 4 = 14 of 6 + 4 + 4 + 4 = 18 → 77.777… → 77.78 %
    assert [(f.code, f.points, f.max_points) for f in b.fields[:4]] == [
        ("1", D("3"), D("6")), ("2", D("4"), D("4")), ("3", D("3"), D("4")), ("4", D("4"), D("4")),
    ]
    assert (b.total, b.max_points, b.index) == (D("14"), D("18"), D("77.78"))
    assert (b.rank, a.rank) == (1, 2)
    assert a.grade == b.grade == "Khá"
    assert str(a.total) == "14.47" and str(b.index) == "77.78"


def test_compressed_and_detailed_results_agree(campaign, golden, agency_a):
    quick = campaign_results(campaign=campaign)
    full = campaign_results(campaign=campaign, detail=True)
    for q, f in zip(quick.rows, full.rows, strict=True):
        assert (q.agency_code, q.total, q.max_points, q.index, q.rank) == (
            f.agency_code, f.total, f.max_points, f.index, f.rank)
        assert [(x.code, x.points, x.max_points) for x in q.fields] == [
            (x.code, x.points, x.max_points) for x in f.fields]
    a = full.by_agency_code("SA")
    assert a.nodes["2.1"].value == D("2.67")
    assert a.nodes["3"].value == D("4")  # capped
    b = full.by_agency_code("SB")
    assert b.nodes["2.2"].applicable is False
    assert b.nodes["1.3"].value == D("0")


def test_appraised_points_count_over_self_points(campaign, agency_a, agency_b):
    cset = make_set(campaign, spec=SIMPLE)
    make_assessment(campaign, agency_a, cset, status=Assessment.Status.IN_APPRAISAL,
                    scores={"1.1": {"self": {"score": "9"}, "appraised": {"score": "7.5"}}})
    make_assessment(campaign, agency_b, cset, status=Assessment.Status.SUBMITTED,
                    scores={"1.1": {"self": {"score": "8.25"}}})
    results = campaign_results(campaign=campaign)
    assert results.by_agency_code("SA").total == D("7.5")
    assert results.by_agency_code("SB").total == D("8.25")  # not appraised yet: self points


def test_ties_share_a_rank_with_the_chosen_method(campaign):
    cset = make_set(campaign, spec=SIMPLE)
    for code, points in (("T1", "8"), ("T2", "8"), ("T3", "7"), ("T4", "9")):
        make_assessment(campaign, department(code, f"Sở {code}"), cset,
                        scores={"1.1": {"self": {"score": points}, "appraised": {"score": points}}})
    ranks = {r.agency_code: r.rank for r in campaign_results(campaign=campaign).rows}
    assert ranks == {"T4": 1, "T1": 2, "T2": 2, "T3": 4}
    ResultSettings.objects.create(campaign=campaign, rank_method="dense")
    ranks = {r.agency_code: r.rank for r in campaign_results(campaign=campaign).rows}
    assert ranks == {"T4": 1, "T1": 2, "T2": 2, "T3": 3}


def test_ranks_are_per_group_and_grades_follow_configured_bands(campaign, commune, agency_a):
    dept = make_set(campaign, spec=SIMPLE)
    com = make_set(campaign, group_code="commune", spec=SIMPLE)
    make_assessment(campaign, agency_a, dept, scores={"1.1": {"appraised": {"score": "6"}}})
    make_assessment(campaign, commune, com, scores={"1.1": {"appraised": {"score": "9.5"}}})
    ResultSettings.objects.create(campaign=campaign, grade_bands=[
        {"min": "95", "label": "Nhóm I"}, {"min": "0", "label": "Nhóm II"}])
    results = campaign_results(campaign=campaign)
    assert [(r.agency_code, r.rank, r.grade) for r in results.rows] == [("SA", 1, "Nhóm II"), ("XA", 1, "Nhóm I")]
    assert [g[0] for g in results.groups()] == ["department", "commune"]


def test_every_leaf_not_applicable_leaves_no_index_and_no_rank(campaign, agency_a):
    cset = make_set(campaign, spec=SIMPLE)
    Criterion.objects.get(criteria_set=cset, code="1").not_applicable_to.add(agency_a)
    make_assessment(campaign, agency_a, cset)
    row = campaign_results(campaign=campaign).rows[0]
    assert (row.max_points, row.index, row.rank, row.grade) == (D("0"), None, None, None)


def test_grade_bands_and_rank_helpers():
    bands = [{"min": "90", "label": "A"}, {"min": "80", "label": "B"}, {"min": "0", "label": "C"}]
    assert [grade_for(D(x), bands) for x in ("90", "89.99", "80", "0")] == ["A", "B", "B", "C"]
    assert grade_for(None, bands) is None

    class R:
        def __init__(self, index):
            self.index, self.rank = index, "unset"

    rows = [R(D("90")), R(D("90")), R(D("85")), R(None), R(D("85")), R(D("70"))]
    assign_ranks(rows, "competition")
    assert [r.rank for r in rows] == [1, 1, 3, None, 3, 5]
    assign_ranks(rows, "dense")
    assert [r.rank for r in rows] == [1, 1, 2, None, 2, 3]


def test_score_sheet_shows_self_appraised_and_notes(campaign, golden):
    _cset, a, _b = golden
    sheet = score_sheet(assessment=a)
    lines = {line.code: line for line in sheet["lines"]}
    assert (lines["1.1"].self_points, lines["1.1"].appraised_points, lines["1.1"].comment) == (
        D("2"), D("1.75"), "Kế hoạch ban hành chậm")
    assert lines["1"].self_points == D("2") + D("1") + D("1.5")  # self: on time, 85 % band
    assert lines["1"].points == D("3.75")
    assert (sheet["total"], sheet["max_points"], sheet["index"]) == (D("14.47"), D("20"), D("72.35"))


def _campaign_with(n):
    c = CampaignFactory()
    c.groups.set([group("department")])
    cset = make_set(c)
    for i in range(n):
        agency = AgencyFactory(code=f"Q{n}-{i}", group=group("department"))
        c.agencies.add(agency)
        make_assessment(c, agency, cset, scores={"1.1": {"appraised": {"score": "1"}}})
        if i % 2:
            cset.criteria.get(code="2.2").not_applicable_to.add(agency)
    return c


@pytest.mark.parametrize("n", [3, 30])
def test_query_count_does_not_grow_with_agencies(db, django_assert_max_num_queries, n):
    c = _campaign_with(n)
    with django_assert_max_num_queries(8):
        results = campaign_results(campaign=c)
    assert len(results.rows) == n
    with django_assert_max_num_queries(8):
        campaign_results(campaign=c, detail=True)


def test_live_survey_points_count_until_the_appraisal_fixes_them(campaign, agency_a, agency_b, monkeypatch):
    from surveys.selectors import points as survey_selectors
    from surveys.selectors.points import SurveyPoint

    cset = make_set(campaign, spec=[
        ("1", "Điều tra xã hội học", "4", "sum", "", False, False),
        ("1.1", "Hài lòng về thủ tục hành chính", "2", "survey", "", False, False),
        ("1.2", "Hài lòng về chính quyền số", "2", "survey", "", False, False),
    ])
    c11, c12 = (cset.criteria.get(code=c).pk for c in ("1.1", "1.2"))
    make_assessment(campaign, agency_a, cset, status=Assessment.Status.IN_APPRAISAL,
                    scores={"1.1": {"external": D("0.5")}, "1.2": {"external": D("0.5")}})
    make_assessment(campaign, agency_b, cset, scores={"1.1": {"external": D("1"), "appraised": {}},
                                                      "1.2": {"external": D("1"), "appraised": {}}})
    live = {(agency_a.pk, c11): SurveyPoint(points=D("1.6"), answers=12, respondents=12, flagged_too_few=False),
            (agency_a.pk, c12): SurveyPoint(points=None, answers=1, respondents=1, flagged_too_few=True),
            (agency_b.pk, c11): SurveyPoint(points=D("2"), answers=9, respondents=9, flagged_too_few=False)}
    monkeypatch.setattr(survey_selectors, "survey_points", lambda campaign: live)
    rows = {r.agency_code: r for r in campaign_results(campaign=campaign).rows}
    assert rows["SA"].total == D("2.10")  # live 1.6 + stored 0.5 (too few answers live: the stored figure)
    assert rows["SB"].total == D("2")  # final: the appraised points (the figures at finalisation), not live
