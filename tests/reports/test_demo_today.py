"""`seed_demo` as a new user meets it: today, the demo province has an agency still entering
its scores, one waiting for its leader, one under appraisal with an explanation request, a
survey open with answered and waiting links, and a published earlier year; the console
names every account (each can log in) and one respondent link that answers today.

seed_demo takes half a minute: it runs once for the module, in a transaction rolled back
at the end."""
import re
from collections import Counter
from datetime import timedelta
from io import StringIO
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from campaigns.models import PROVINCE_STEPS, Agency, Campaign, StepKind
from campaigns.participants import participant_agencies
from campaigns.selectors import step_window_for
from reports.management.demo import campaigns as campaigns_demo
from reports.management.demo import province_campaign as province_demo
from reports.management.demo.campaigns import DEMO_PASSWORD, USERS
from reports.management.demo.province import PROVINCE_AGENCIES
from reports.management.demo.province_campaign import PROVINCE_USERS
from reports.selectors import published_campaigns
from scoring.models import Assessment, Criterion, LeadStatus, OfficialResult
from scoring.selectors.appraisal import appraisal_window_reason, explanation_request_list, open_request_codes
from scoring.selectors.assessments import assessment_edit_scope
from scoring.selectors.progress import assessment_progress, stages_of
from scoring.selectors.province import province_assessment, responsibility_map
from scoring.selectors.province_report import province_report
from surveys.models import Invitation
from surveys.selectors.answering import invitation_by_token
from surveys.selectors.lists import progress_totals, survey_progress


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker):
    """What seed_demo printed (DJANGO_DEBUG=1, as `make demo` runs it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        with override_settings(DEBUG=True):
            call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def current(printed, db):
    return Campaign.objects.get(year=timezone.localdate().year, owner=None, kind=Campaign.Kind.AGENCIES)


def _assessments(campaign):
    found = {a.agency.code: a for a in Assessment.objects.filter(campaign=campaign, agency__code__in=[
        "STC", "STP", "P-MINHXUAN"]).select_related("agency", "campaign", "criteria_set")}
    return found, stages_of(found.values())


def test_one_agency_is_still_entering_its_scores_today(current):
    found, stages = _assessments(current)
    stc = found["STC"]
    assert stages[stc.pk] == Assessment.Status.DRAFT
    assert assessment_edit_scope(assessment=stc).all_items  # its staff may write now
    progress = assessment_progress(assessment=stc)
    assert 0 < progress.done < progress.total


def test_one_agency_waits_for_its_leader_who_may_still_act(current):
    found, stages = _assessments(current)
    minh_xuan = found["P-MINHXUAN"]
    assert stages[minh_xuan.pk] == Assessment.Status.WITH_LEADER
    window = step_window_for(agency=minh_xuan.agency, campaign=current, kind=StepKind.SELF_ASSESSMENT)
    assert window.is_open()  # the leader approves or returns before the same cutoff


def test_one_agency_is_under_appraisal_with_an_explanation_request(current):
    found, stages = _assessments(current)
    stp = found["STP"]
    assert stages[stp.pk] == Assessment.Status.EXPLANATION_REQUESTED
    assert appraisal_window_reason(assessment=stp) == ""  # the appraisers may act today
    assert open_request_codes(assessment=stp)
    requests = explanation_request_list(assessment=stp)
    assert any(r.status == "open" and r.due_at > timezone.now() for r in requests)
    assert stp.items.exclude(appraisal_state="pending").exists()  # appraisal under way


def test_the_survey_is_open_with_answered_and_waiting_links(current):
    window = current.steps.get(kind=StepKind.SURVEY)
    assert window.opens_at <= timezone.now() < window.closes_at
    totals = progress_totals(survey_progress(campaign=current))
    assert totals["answered"] >= 3
    assert totals["invited"] - totals["answered"] >= 3


def test_an_earlier_year_is_published(current, client):
    earlier = [c for c in published_campaigns() if c.year < current.year]
    assert earlier
    assert client.get(f"/ket-qua/{earlier[0].pk}/").status_code == 200


def test_the_printed_link_answers_with_the_questionnaire(printed, db, client):
    links = re.findall(r"https?://\S+/s/[\w-]+/", printed)
    assert len(links) == 1
    path = urlparse(links[0]).path
    invitation, replaced = invitation_by_token(path.split("/")[2])
    assert invitation is not None and not replaced and invitation.status == Invitation.Status.SENT
    r = client.get(path)
    assert r.status_code == 200
    page = r.content.decode()
    assert invitation.respondent.group.questions.filter(kind="rating").first().text in page
    assert "Chưa đến thời gian" not in page and 'type="radio"' in page


def test_the_printed_accounts_can_log_in(printed, db, client):
    assert f"Mật khẩu của mọi tài khoản mẫu: {DEMO_PASSWORD}" in printed
    names = re.findall(r"^  ([a-z0-9.]+) {2,}\S", printed, re.M)
    assert names[:len(USERS)] == [u[0] for u in USERS]
    # then the province's own index: the officer's board and the departments' accounts
    assert set(names[len(USERS):]) == {"canbo.snv", "stc.canbo", "stc.lanhdao", "stp.canbo", "stp.lanhdao",
                                       *(u[0] for u in PROVINCE_USERS)}
    for name in set(names):
        client.logout()
        r = client.post("/accounts/login/", {"username": name, "password": DEMO_PASSWORD})
        assert r.status_code == 302, name
    # and the console says what each will find, with where to go
    assert "Sở Tài chính: Đang chấm" in printed and "Phường Minh Xuân: Chờ lãnh đạo duyệt" in printed
    assert "Sở Tư pháp: Được yêu cầu giải trình" in printed


def test_the_province_index_is_under_way_with_last_year_to_compare(printed, db, current):
    province = Campaign.objects.get(kind=Campaign.Kind.PROVINCE, year=current.year)
    assert province.status == Campaign.Status.OPEN
    assert {s.kind for s in province.steps.all()} == {k.value for k in PROVINCE_STEPS}
    departments = province.steps.get(kind=StepKind.DEPARTMENTS)
    assert departments.opens_at <= timezone.now() < departments.closes_at  # usable today
    assessment = province_assessment(campaign=province)
    items = list(assessment.items.select_related("criterion").annotate(docs=Count("documents")))
    statuses = Counter(i.lead_status for i in items)
    assert all(statuses[s] >= 1 for s in LeadStatus.values), statuses
    # every item is assigned (the sample's `responsible` column), to the departments it names
    resp = responsibility_map(criteria_set=assessment.criteria_set)
    assert all(resp[i.criterion.code].lead for i in items)
    assert {a.code for a in participant_agencies(province)} == {code for code, _name in PROVINCE_AGENCIES}
    # Cục Thống kê and Cục Thuế answer for items without being ranked, nor covered by the agencies' campaign
    assert set(Agency.objects.filter(ranked=False).values_list("code", flat=True)) >= {"CTK", "CT"}
    assert not current.agencies.filter(code__in=["CTK", "CT"]).exists()
    returned = next(i for i in items if i.lead_status == LeadStatus.RETURNED)
    assert returned.review_comment
    scored = [i for i in items if i.explanation]
    assert len(scored) >= 5 and sum(1 for i in scored if i.docs) >= 4
    assert set(province.focal_officers.values_list("agency__code", flat=True)) == {"STP", "VPUBND"}
    # last year's, closed, with its items scored and mapped for the comparison
    previous = province.previous
    assert previous.kind == Campaign.Kind.PROVINCE and previous.status == Campaign.Status.CLOSED
    old = province_assessment(campaign=previous)
    assert old.items.filter(self_points__gt=0).count() >= 20 and old.self_total > 0
    assert not Criterion.objects.filter(criteria_set=assessment.criteria_set, previous=None).exists()
    # with the Ministry's official result, so the draft report compares each field with it
    assert OfficialResult.objects.filter(item__assessment=old).count() == old.items.count()
    report = province_report(campaign=province, assessment=assessment)
    assert report.last_year == previous.year and all(f.last_official is not None for f in report.fields)
    assert OfficialResult.objects.get(item__assessment=old, item__criterion__code="1.2").note
    # the console points to the board and the departments' pages
    assert f"/scoring/campaigns/{province.pk}/province/" in printed
    assert f"/scoring/campaigns/{province.pk}/province/agency/CTK/" in printed


@pytest.mark.django_db
def test_the_plan_moves_to_the_day_seed_demo_runs():
    """A demo seeded days ago and run again today has its plan, and its extension, around today."""
    today = timezone.localdate()
    campaigns_demo.seed(set_passwords=False, today=today - timedelta(days=9))
    current = campaigns_demo.seed(set_passwords=False, today=today)["current"]
    plan = {k: (o, c) for k, o, c in campaigns_demo.current_plan(today)}
    assert {s.kind: (s.opens_at, s.closes_at) for s in current.steps.all()} == plan
    step = current.steps.get(kind=StepKind.SELF_ASSESSMENT)
    assert [e.closes_at for e in step.extensions.all()] == [step.closes_at + timedelta(days=3)]


@pytest.mark.django_db
def test_the_province_plan_moves_to_the_day_seed_demo_runs():
    """Its departments' deadline stays ahead of a demo seeded days ago and run again today."""
    today = timezone.localdate()
    campaigns_demo.seed(set_passwords=False, today=today - timedelta(days=30))
    province_demo.seed(set_passwords=False, today=today - timedelta(days=30))
    again = province_demo.seed(set_passwords=False, today=today)
    assert Campaign.objects.filter(kind=Campaign.Kind.PROVINCE).count() == 2  # found, not made again
    plan = {k: (o, c) for k, o, c in province_demo.plan(today)}
    assert {s.kind: (s.opens_at, s.closes_at) for s in again["province"].steps.all()} == plan
    assert again["province"].steps.get(kind=StepKind.DEPARTMENTS).closes_at > timezone.now()
