"""The province's own index with the focal officers' step and the departments' reminders: the
departments that lead or co-operate on its items (not the one covered agency, the province)
name focal officers, get extensions, and are reminded of the `departments` deadline while
they lead unsent items."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaigns.focal import services as focal_services
from campaigns.focal.selectors import focal_agencies_missing, focal_contact_rows
from campaigns.models import Agency, Campaign, Extension, Role, StepKind
from campaigns.participants import participant_agencies
from campaigns.services import extension_grant, step_set, steps_for_kind
from cchc_portal.automation.models import Reminder, ReminderPolicy
from cchc_portal.automation.tick import tick_run
from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.notifications.models import Outbox
from scoring.models import LeadStatus
from scoring.selectors.province import province_assessment, province_leads_owing
from scoring.services.province import province_items_send
from tests.scoring.province_support import member, province_campaign

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 10, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
DEADLINE = NOW + timedelta(days=5)  # province_campaign: the departments' step closes 5 days on
PARTICIPANTS = ["CT", "CTK", "SKHCN", "SNV", "STC", "STP", "VPUBND"]  # the sample's `responsible` column
LEADS = ["CT", "CTK", "SNV", "STC", "STP", "VPUBND"]
FOCAL = {"scoring": {"full_name": "Nguyễn Văn An", "position": "Chuyên viên", "phone": "0912345678",
                     "email": "an.snv@tuyenquang.gov.vn"},
         "survey": {"full_name": "Trần Thị Bình", "position": "Chuyên viên", "phone": "0912345679",
                    "email": "binh.snv@tuyenquang.gov.vn"}}


@pytest.fixture
def province(officer):
    campaign, province, departments = province_campaign(officer, now=NOW)
    return campaign, province, departments


# ---------------------------------------------------------------- the plan


def test_the_province_plan_has_the_focal_officers_step_in_plan_order():
    province = steps_for_kind(Campaign.Kind.PROVINCE)
    assert province[:3] == ["criteria", "focal_officers", "training"]
    assert province.index("focal_officers") < province.index("departments")
    # the agencies' campaign keeps it too, and none of the province's own steps
    agencies = steps_for_kind(Campaign.Kind.AGENCIES)
    assert "focal_officers" in agencies and "departments" not in agencies


def test_the_plan_page_of_a_province_campaign_sets_the_focal_officers_step(login, officer, province):
    campaign, _province, _departments = province
    page = login(officer).get(f"/campaigns/{campaign.pk}/plan/")
    kinds = [form.initial["kind"] for form in page.context["formset"]]
    assert kinds == steps_for_kind(Campaign.Kind.PROVINCE) and "Cử cán bộ đầu mối" in page.content.decode()
    step = step_set(campaign=campaign, kind="focal_officers", opens_at=NOW - timedelta(days=4),
                    closes_at=NOW + timedelta(days=2))
    assert step.kind == StepKind.FOCAL_OFFICERS
    steps = [s.kind for s in sorted(campaign.steps.all(), key=lambda s: s.order)]
    assert steps == ["focal_officers", "departments", "ministry_entry"]


# ---------------------------------------------------------------- focal officers of the departments


def test_the_participants_are_the_departments_answering_for_items(province):
    campaign, province_agency, _departments = province
    codes = sorted(participant_agencies(campaign).values_list("code", flat=True))
    assert codes == PARTICIPANTS and province_agency.code not in codes
    rows = focal_contact_rows(campaign=campaign)
    assert [r.agency.code for r in rows] == sorted(PARTICIPANTS)
    assert sorted(a.code for a in focal_agencies_missing(campaign=campaign)) == PARTICIPANTS


def test_a_department_names_its_focal_officers_for_the_province_campaign(login, officer, province, agency_a):
    campaign, _province, departments = province
    step_set(campaign=campaign, kind="focal_officers", opens_at=NOW - timedelta(days=4),
             closes_at=DEADLINE + timedelta(days=400))
    staff = member(departments["SKHCN"])  # co-operating only: it takes part too
    client = login(staff)
    url = f"/campaigns/{campaign.pk}/focal-officers/SKHCN/"
    assert client.get(f"/campaigns/{campaign.pk}/focal-officers/").url == url
    data = {f"{role}_{k}": v for role, entry in FOCAL.items() for k, v in entry.items()}
    assert client.post(url, data).status_code == 302
    assert campaign.focal_officers.filter(agency__code="SKHCN").count() == 2
    # an agency answering for no item is not part of it: no link, no page, refused by the service
    assert "focal-officers" in client.get(f"/campaigns/{campaign.pk}/").content.decode()
    outsider = member(agency_a)
    assert "focal-officers" not in login(outsider).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert login(officer).get(f"/campaigns/{campaign.pk}/focal-officers/{agency_a.code}/").status_code == 404
    with pytest.raises(ApplicationError, match="không thuộc"):
        focal_services.focal_officers_save(campaign=campaign, agency=agency_a, user=None, entries=FOCAL)
    # the officer's contact list names every department, the province not
    page = login(officer).get(f"/campaigns/{campaign.pk}/focal-officers/").content.decode()
    assert departments["SKHCN"].name in page and "Tỉnh Tuyên Quang" not in page


def test_focal_officer_reminders_go_to_the_departments_that_have_not_named_them(province):
    campaign, _province, departments = province
    step_set(campaign=campaign, kind="focal_officers", opens_at=NOW - timedelta(days=4), closes_at=DEADLINE)
    staff = {code: member(departments[code]) for code in ("SNV", "STP")}
    focal_services.focal_officers_save(campaign=campaign, agency=departments["SNV"], user=None, entries=FOCAL)
    tick_run(now=DEADLINE - timedelta(days=3))
    focal_policy = ReminderPolicy.objects.get(campaign=campaign, step_kind="focal_officers")
    assert Reminder.objects.filter(policy=focal_policy, email=staff["STP"].email).count() == 1
    assert not Reminder.objects.filter(policy=focal_policy, email=staff["SNV"].email).exists()


def test_the_extension_form_of_a_province_campaign_offers_its_departments(login, officer, province):
    campaign, _province, departments = province
    page = login(officer).get(f"/campaigns/{campaign.pk}/extensions/new/")
    offered = {a.code for a in page.context["form"].fields["agency"].queryset}
    assert offered == set(PARTICIPANTS)


# ---------------------------------------------------------------- the departments' deadline


def _emails(policy_kind="departments"):
    return sorted(Reminder.objects.filter(policy__step_kind=policy_kind).values_list("email", flat=True))


def test_departments_with_unsent_items_are_reminded_before_the_deadline(officer, province):
    campaign, _province, departments = province
    assessment = province_assessment(campaign=campaign)
    staff = {code: member(departments[code]) for code in LEADS + ["SKHCN"]}
    leader = {code: member(departments[code], Role.LEADER) for code in ("STP", "SNV")}
    focal_services.focal_officers_save(campaign=campaign, agency=departments["SNV"], user=None, entries=FOCAL)
    # STP sends everything it leads; a returned item still counts as owed
    assert province_items_send(assessment=assessment, agency=departments["STP"], user=leader["STP"],
                               now=NOW + timedelta(hours=1)) == 3
    assessment.items.filter(criterion__code="1.1").update(lead_status=LeadStatus.RETURNED)
    assessment.items.exclude(criterion__code="1.1").filter(criterion__code__startswith="1.").update(
        lead_status=LeadStatus.SENT)
    owing = province_leads_owing(assessment=assessment)
    # SNV: 13 items, 4 sent; of the 9 left, 8.3 and 8.4 are the Ministry's (its survey): 7 owed
    assert departments["STP"].pk not in owing and owing[departments["SNV"].pk] == 7

    tick_run(now=DEADLINE - timedelta(days=3))  # the 3-day reminder: staff and focal officers, not leaders
    expected = sorted([staff[c].email for c in LEADS if c != "STP"] + [FOCAL["scoring"]["email"]])
    assert _emails() == expected
    assert not Reminder.objects.filter(email__in=[staff["STP"].email, staff["SKHCN"].email]).exists()
    reminder = Outbox.objects.get(to=staff["SNV"].email, template="reminder")
    assert "Các sở, ngành tự chấm" in reminder.subject
    assert f"/campaigns/{campaign.pk}/province/agency/SNV/" in str(reminder.context)

    tick_run(now=DEADLINE - timedelta(days=3) + timedelta(minutes=5))  # run twice: sent once
    assert len(_emails()) == len(expected)

    tick_run(now=DEADLINE - timedelta(hours=20))  # the 1-day reminder adds the leaders
    one_day = Reminder.objects.filter(policy__step_kind="departments", offset=1)
    assert leader["SNV"].email in set(one_day.values_list("email", flat=True))
    assert leader["STP"].email not in set(one_day.values_list("email", flat=True))


def test_an_extension_moves_a_departments_reminders_and_officers_get_the_digest(officer, province):
    campaign, _province, departments = province
    staff = {code: member(departments[code]) for code in ("SNV", "CT")}
    step = campaign.steps.get(kind="departments")
    extension_grant(step=step, agency=departments["CT"], closes_at=DEADLINE + timedelta(days=10),
                    reason="Chờ số liệu quyết toán", user=officer, now=NOW)
    assert Extension.objects.filter(agency=departments["CT"]).exists()

    tick_run(now=DEADLINE - timedelta(days=3))
    assert staff["SNV"].email in _emails() and staff["CT"].email not in _emails()

    tick_run(now=DEADLINE + timedelta(days=1, hours=2))  # missed a day ago: the officers' digest names who
    digest = Outbox.objects.get(to=officer.email, template="reminder_digest")
    names = digest.context["names"]
    assert departments["SNV"].name in names and departments["CT"].name not in names
    assert Agency.objects.get(code="TINH").name not in names

    tick_run(now=DEADLINE + timedelta(days=10) - timedelta(days=3))  # CT's own 3-day reminder
    assert staff["CT"].email in _emails()


def test_no_reminder_once_every_item_is_sent(officer, province):
    campaign, _province, _departments = province
    assessment = province_assessment(campaign=campaign)
    assessment.items.update(lead_status=LeadStatus.SENT)
    for code in LEADS:
        member(Agency.objects.get(code=code))
    tick_run(now=DEADLINE - timedelta(days=3))
    tick_run(now=DEADLINE + timedelta(days=1, hours=2))
    assert not Reminder.objects.filter(policy__step_kind="departments").exists()
    assert ReminderPolicy.objects.filter(campaign=campaign, step_kind="departments").exists()
