"""Criteria sets and scored assessments for results tests, built on the models and the
scoring bridge (`scoring.compute.item_points`), so stored points are what the portal stores."""
from decimal import Decimal

from django.utils import timezone

from campaigns.models import Agency
from scoring.compute import item_points
from scoring.models import Assessment, Item
from tests.factories import group
from tests.scoring.factories import CriteriaSetFactory, build_tree

# (code, title, max, rule, rule_params text, evidence_required, capped)
GOLDEN_SET = [
    ("1", "Công tác chỉ đạo, điều hành CCHC", "6", "sum", "", False, False),
    ("1.1", "Ban hành kế hoạch CCHC năm", "2", "manual", "step=0.25", False, False),
    ("1.2", "Báo cáo CCHC đầy đủ, đúng hạn", "1", "levels", "Đúng hạn=1; Trễ hạn=0.5; Không=0", False, False),
    ("1.3", "Kiểm tra CCHC theo kế hoạch", "3", "bands", ">90:3; 70-90:1.5; <70:0", True, False),
    ("2", "Cải cách thủ tục hành chính", "6", "sum", "", False, False),
    ("2.1", "Tỷ lệ hồ sơ giải quyết đúng hạn", "4", "ratio", "", False, False),
    ("2.2", "Công khai thủ tục hành chính", "2", "manual", "", False, False),
    ("3", "Chính quyền số", "4", "sum", "", False, True),
    ("3.1", "Văn bản điện tử có chữ ký số", "3", "manual", "", False, False),
    ("3.2", "Dịch vụ công trực tuyến", "3", "manual", "", False, False),
    ("4", "Điều tra xã hội học", "4", "sum", "", False, False),
    ("4.1", "Sự hài lòng về thủ tục hành chính", "2", "survey", "", False, False),
    ("4.2", "Sự hài lòng về chính quyền số", "2", "survey", "", False, False),
    ("5", "Điểm thưởng, điểm trừ", "5", "sum", "", False, False),
    ("5.1", "Sáng kiến CCHC được công nhận", "2", "bonus", "", False, False),
    ("5.2", "Vi phạm kỷ luật, kỷ cương hành chính", "3", "penalty", "", False, False),
]


def make_set(campaign, group_code="department", spec=GOLDEN_SET, bonus_cap=None, penalty_cap=None):
    """A criteria set from `spec` rows, through helper factories of tests/scoring."""
    cset = CriteriaSetFactory(campaign=campaign, group=group(group_code), bonus_cap=bonus_cap,
                              penalty_cap=penalty_cap)
    build_tree(cset, [
        (code, max_points, rule, params, {"title": title, "evidence_required": evidence, "capped": capped})
        for code, title, max_points, rule, params, evidence, capped in spec
    ])
    return cset


def make_assessment(campaign, agency, cset, *, status=Assessment.Status.FINAL, scores=None, now=None):
    """`scores`: {code: dict(self=input, appraised=input, evidence=bool, external=Decimal,
    explanation=str, comment=str)}. Points are computed by the scoring bridge."""
    now = now or timezone.now()
    assessment = Assessment.objects.create(
        campaign=campaign, agency=agency, criteria_set=cset, status=status,
        finalised_at=now if status == Assessment.Status.FINAL else None)
    leaves = {c.code: c for c in cset.criteria.all() if c.rule != "sum"}
    for code, criterion in leaves.items():
        spec = (scores or {}).get(code, {})
        item = Item(assessment=assessment, criterion=criterion, input=spec.get("self") or {},
                    explanation=spec.get("explanation", ""), appraisal_comment=spec.get("comment", ""),
                    external_points=spec.get("external"))
        item.criterion = criterion
        has_evidence = spec.get("evidence", False)
        if spec.get("self") or criterion.rule in ("survey", "imported"):
            item.self_points = item_points(item, raw=spec.get("self") or None, has_evidence=has_evidence).value
        if "appraised" in spec:
            item.appraised_input = spec["appraised"]
            item.appraised_points = item_points(
                item, raw=spec["appraised"] or None, has_evidence=has_evidence).value
            item.appraisal_state = Item.AppraisalState.ADJUSTED
        item.save()
    return assessment


def set_appraised(assessment, code, points):
    Item.objects.filter(assessment=assessment, criterion__code=code).update(appraised_points=Decimal(points))


def department(code, name):
    return Agency.objects.get_or_create(code=code, defaults={"name": name, "group": group("department")})[0]


# Agency A of the golden case (hand computation in tests/reports/test_results.py).
GOLDEN_A = {
    "1.1": {"self": {"score": "2"}, "appraised": {"score": "1.75"}, "comment": "Kế hoạch ban hành chậm"},
    "1.2": {"self": {"level": "Đúng hạn"}, "appraised": {"level": "Trễ hạn"}},
    "1.3": {"self": {"numerator": 85, "denominator": 100}, "appraised": {"numerator": 85, "denominator": 100},
            "evidence": True},
    "2.1": {"self": {"numerator": 2, "denominator": 3}, "appraised": {"numerator": 2, "denominator": 3}},
    "2.2": {"self": {"score": "1.25"}, "appraised": {"score": "1.25"}},
    "3.1": {"self": {"score": "3"}, "appraised": {"score": "3"}},
    "3.2": {"self": {"score": "2.5"}, "appraised": {"score": "2.5"}},
    "4.1": {"external": Decimal("1.5")},
    "4.2": {"external": Decimal("0.8")},
    "5.1": {"self": {"score": "1.5"}, "appraised": {"score": "1.5"}},
    "5.2": {"self": {"score": "0.5"}, "appraised": {"score": "0.5"}},
}
# Agency B: 2.2 not applicable, 1.3 has no evidence.
GOLDEN_B = {
    "1.1": {"self": {"score": "2"}, "appraised": {"score": "2"}},
    "1.2": {"self": {"level": "Đúng hạn"}, "appraised": {"level": "Đúng hạn"}},
    "1.3": {"self": {"numerator": 95, "denominator": 100}, "appraised": {"numerator": 95, "denominator": 100}},
    "2.1": {"self": {"numerator": 3, "denominator": 3}, "appraised": {"numerator": 3, "denominator": 3}},
    "3.1": {"self": {"score": "2"}, "appraised": {"score": "2"}},
    "3.2": {"self": {"score": "1"}, "appraised": {"score": "1"}},
    "4.1": {"external": Decimal("2")},
    "4.2": {"external": Decimal("2")},
}


def golden_campaign(campaign, agency_a, agency_b, *, bonus_cap=Decimal("1"), penalty_cap=Decimal("2")):
    """The golden case on the conftest campaign: A and B (departments) final; the commune's
    group has no criteria set in it."""
    cset = make_set(campaign, bonus_cap=bonus_cap, penalty_cap=penalty_cap)
    cset.criteria.get(code="2.2").not_applicable_to.add(agency_b)
    a = make_assessment(campaign, agency_a, cset, scores=GOLDEN_A)
    b = make_assessment(campaign, agency_b, cset, scores=GOLDEN_B)
    return cset, a, b


# Department names as long as real ones: the public pages must hold them on a phone.
MORE_DEPARTMENTS = [
    ("SNV", "Sở Nội vụ"), ("SXD", "Sở Xây dựng"), ("SYT", "Sở Y tế"), ("SGD", "Sở Giáo dục và Đào tạo"),
    ("SNN", "Sở Nông nghiệp và Môi trường"), ("SVH", "Sở Văn hóa, Thể thao và Du lịch"),
]


def scores_scaled(base, share):
    """`base` with every manual score multiplied by `share` (a Decimal), for years that differ."""
    out = {}
    for code, spec in base.items():
        spec = dict(spec)
        for key in ("self", "appraised"):
            if key in spec and "score" in spec[key]:
                spec[key] = {"score": str((Decimal(spec[key]["score"]) * share).quantize(Decimal("0.25")))}
        out[code] = spec
    return out


def published_years(officer, agencies, *, years=(2024, 2025, 2026), campaign=None, more=0, skip=None):
    """One published campaign per year, each mapping the year before (`Campaign.previous` and
    every field's `Criterion.previous`). In the second year field 2 comes from the first
    year's field 3 (renumbered) and field 3 is new, so the mapping, not the codes, joins the years.
    `agencies`: scored every year but the years `skip` ({year: [codes]}) leaves them out;
    `more`: that many extra departments of MORE_DEPARTMENTS.
    Returns the campaigns, oldest first (the last is `campaign` when given)."""
    from campaigns.models import Campaign
    from reports.services import publication_create
    from tests.factories import CampaignFactory

    extra = [department(code, name) for code, name in MORE_DEPARTMENTS[:more]]
    campaigns, previous_set = [], None
    for n, year in enumerate(years):
        last = n == len(years) - 1
        c = campaign if (last and campaign is not None) else CampaignFactory(year=year, name=f"Chỉ số CCHC {year}")
        if campaigns:
            Campaign.objects.filter(pk=c.pk).update(previous=campaigns[-1], year=year)
            c.refresh_from_db()
        c.groups.add(group("department"))
        cset = make_set(c)
        if previous_set is not None:
            old = {cr.code: cr for cr in previous_set.criteria.filter(parent=None)}
            for cr in cset.criteria.filter(parent=None):
                source = {"2": "3", "3": None}.get(cr.code, cr.code) if n == 1 else cr.code
                cset.criteria.filter(pk=cr.pk).update(previous=old.get(source))
        share = Decimal("0.6") + Decimal("0.15") * n
        for i, agency in enumerate(list(agencies) + extra):
            if agency.code in (skip or {}).get(year, ()):
                continue
            base = GOLDEN_B if i % 2 else GOLDEN_A
            make_assessment(c, agency, cset, scores=scores_scaled(base, share - Decimal("0.05") * (i % 4)))
        publication_create(campaign=c, user=officer, decision_number=f"{100 + n}/QĐ-UBND")
        c.refresh_from_db()
        campaigns.append(c)
        previous_set = cset
    return campaigns
