"""A province campaign (the province's own index) built from docs/samples/criteria_province.xlsx."""
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from campaigns.models import AgencyGroup, Campaign, Role
from campaigns.services import campaign_create
from scoring.services.assessments import campaign_open_with_assessments
from scoring.services.criteria_copy import criteria_import
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, group

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "criteria_province.xlsx"
DEPARTMENTS = ["SNV", "STP", "STC", "SKHCN", "VPUBND"]
UNRANKED = ["CTK", "CT"]


def province_agencies():
    province_group, _ = AgencyGroup.objects.get_or_create(code="province", defaults={"name": "Tỉnh", "order": 0})
    province = AgencyFactory(code="TINH", name="Tỉnh Tuyên Quang", group=province_group)
    departments = {code: AgencyFactory(code=code, name=f"Sở {code}", group=group("department"))
                   for code in DEPARTMENTS}
    for code in UNRANKED:
        departments[code] = AgencyFactory(code=code, name=f"Cục {code}", group=group("department"), ranked=False)
    return province, departments


def member(agency, role=Role.STAFF, username=None):
    return MembershipFactory(user=UserFactory(username=username or f"{agency.code.lower()}.{role}"),
                             agency=agency, role=role).user


def province_campaign(officer, *, now=None, open_=True):
    now = now or timezone.now()
    province, departments = province_agencies()
    campaign = campaign_create(
        user=officer, year=2025, name="Chỉ số CCHC tỉnh 2025", groups=["province"], kind=Campaign.Kind.PROVINCE,
        steps=[{"kind": "departments", "opens_at": now - timedelta(days=2), "closes_at": now + timedelta(days=5)},
               {"kind": "ministry_entry", "opens_at": now + timedelta(days=6), "closes_at": now + timedelta(days=9)}])
    with open(SAMPLE, "rb") as fh:
        report = criteria_import(campaign=campaign, group="province", file=fh, user=officer)
    assert report.ok, [str(e) for e in report.errors]
    if open_:
        campaign_open_with_assessments(campaign=campaign, user=officer, now=now)
    campaign.refresh_from_db()
    return campaign, province, departments
