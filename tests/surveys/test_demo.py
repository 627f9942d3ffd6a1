"""The demo survey: idempotent, with lists in every state, the current survey open with
answered and waiting links and one link to try, answered 2024 responses that give points,
and one flagged case."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from reports.management.demo import surveys as demo
from surveys.models import Flag, Invitation, Question, Respondent, RespondentGroup, RespondentList, Response
from surveys.selectors.answering import invitation_by_token
from surveys.selectors.lists import progress_totals, survey_progress
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
    StepFactory(campaign=current, kind="respondent_lists", opens_at=now - timedelta(days=20),
                closes_at=now - timedelta(days=8))
    StepFactory(campaign=current, kind="survey", opens_at=now - timedelta(days=6), closes_at=now + timedelta(days=14))
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
    # the survey is open today: the approved lists invited, some answered, some not yet
    progress = progress_totals(survey_progress(campaign=current))
    approved = Respondent.objects.filter(campaign=current, respondent_list__status="approved")
    assert progress["invited"] == approved.count()
    assert progress["answered"] >= 3 and progress["invited"] - progress["answered"] >= 3
    assert Response.objects.filter(invitation__respondent__campaign=current, submitted_at__isnull=True).count() == 1
    assert all(r.submitted_at > r.started_at for r in Response.objects.filter(
        invitation__respondent__campaign=current, submitted_at__isnull=False))
    assert Response.objects.filter(invitation__respondent__campaign=old, submitted_at__isnull=False).count() >= 10
    assert set(Flag.objects.filter(campaign=old).values_list("kind", flat=True)) == {"same_device", "identical"}
    points = survey_points(campaign=old)
    assert any(p.points is not None for p in points.values())


def test_the_link_to_try_is_an_unanswered_one_and_stays_the_same_person(campaigns):
    demo.seed(campaigns=campaigns)
    current = campaigns["current"]
    invitation, link = demo.try_link(current)
    assert invitation.status == Invitation.Status.SENT and invitation.opened_at is None
    token = link.rsplit("/", 2)[-2]
    assert invitation_by_token(token) == (invitation, False)
    again, second = demo.try_link(current)  # the next seed_demo: the same person, a new link
    assert again == invitation and second != link
    assert invitation_by_token(token) == (invitation, True)  # the old link says it was replaced
