"""The demo survey: idempotent, with lists in every state, answered 2024 responses that give
points, and one flagged case."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from reports.management.demo import surveys as demo
from surveys.models import Flag, Invitation, Question, Respondent, RespondentGroup, RespondentList, Response
from surveys.selectors.points import survey_points
from tests.factories import AgencyFactory, CampaignFactory, StepFactory, group
from tests.scoring.factories import CriteriaSetFactory, build_tree

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
LEAVES = [("8", "30"), ("8.1", "5", "survey"), ("8.2", "5", "survey"), ("8.3", "5", "survey")]


@pytest.fixture
def campaigns():
    departments = [AgencyFactory(code=c, group=group("department")) for c in ("VPUBND", "STC", "STP", "SNV", "SYT")]
    communes = [AgencyFactory(code=c, group=group("commune")) for c in ("P-MINHXUAN", "X-YENSON")]
    districts = [AgencyFactory(code=c, group=group("district")) for c in ("H-SONDUONG", "H-YENSON", "H-TPTQ")]
    now = timezone.now()
    current = CampaignFactory(year=now.year)
    current.agencies.set(departments + communes)
    StepFactory(campaign=current, kind="respondent_lists", opens_at=now - timedelta(days=3),
                closes_at=now + timedelta(days=5))
    StepFactory(campaign=current, kind="survey", opens_at=now + timedelta(days=6), closes_at=now + timedelta(days=20))
    old = CampaignFactory(year=2024, status=Campaign.Status.CLOSED)
    old.agencies.set(departments + districts)
    StepFactory(campaign=old, kind="survey", opens_at=datetime(2025, 3, 18, 8, tzinfo=VN),
                closes_at=datetime(2025, 3, 31, 17, tzinfo=VN))
    for campaign, groups in ((current, ("department", "commune")), (old, ("department", "district"))):
        for code in groups:
            build_tree(CriteriaSetFactory(campaign=campaign, group=group(code)), LEAVES)
    return {"current": current, "previous": old}


def counts():
    return [m.objects.count() for m in (RespondentGroup, Question, Respondent, Invitation, Response, Flag)]


def test_the_demo_survey(campaigns):
    demo.seed(campaigns=campaigns)
    first = counts()
    demo.seed(campaigns=campaigns)
    assert counts() == first
    current, old = campaigns["current"], campaigns["previous"]
    assert set(RespondentGroup.objects.filter(campaign=current).values_list("code", flat=True)) == {
        "DBHD", "LDS", "LDPS", "LDX", "LDPX"}
    assert set(RespondentGroup.objects.filter(campaign=old).values_list("code", flat=True)) == {
        "DBHD", "LDS", "LDPS", "LDH", "LDPH"}
    dbhd = RespondentGroup.objects.get(campaign=current, code="DBHD")
    assert [q.criterion.code for q in dbhd.questions.filter(kind="rating")] == ["8.1", "8.2", "8.3"]
    assert dbhd.questions.filter(kind="single").count() == 3 and dbhd.questions.filter(kind="text").count() == 1
    assert set(RespondentList.objects.filter(campaign=current).values_list("status", flat=True)) == {
        "draft", "sent", "approved", "returned"}
    assert not Invitation.objects.filter(respondent__campaign=current).exists()
    assert Response.objects.filter(invitation__respondent__campaign=old, submitted_at__isnull=False).count() >= 10
    assert set(Flag.objects.filter(campaign=old).values_list("kind", flat=True)) == {"same_device", "identical"}
    points = survey_points(campaign=old)
    assert any(p.points is not None for p in points.values())
