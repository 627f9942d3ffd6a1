"""Focal officers (issue #17.5): agencies name them by the plan step's deadline, the form
locks after it for the agency (not for officers), reminders chase the agencies that have
not, officers read and export the contact list, and focal officers receive the agency's
reminders and explanation requests."""
import re
from datetime import timedelta
from io import BytesIO

import openpyxl
import pytest
from django.utils import timezone

from campaigns.focal import services
from campaigns.focal.selectors import phone_normalize
from campaigns.models import Campaign, FocalOfficer, Step, StepKind
from campaigns.services import extension_grant
from cchc_portal.automation.models import Reminder
from cchc_portal.automation.reminders import reminders_run
from cchc_portal.core.exceptions import ApplicationError, DeadlineError
from cchc_portal.notifications.models import Outbox
from tests.factories import AgencyFactory, CampaignFactory, group

pytestmark = pytest.mark.django_db

SCORING = {"full_name": "Nguyễn Văn An", "position": "Phó Chánh Văn phòng", "phone": "0912.345.678",
           "email": "an.nv@tuyenquang.gov.vn"}
SURVEY = {"full_name": "Trần Thị Bình", "position": "Chuyên viên", "phone": "+84 207 3818 973",
          "email": "binh.tt@tuyenquang.gov.vn"}
IT = {"full_name": "Lê Văn Cường", "position": "Kỹ sư CNTT", "phone": "0987654321", "email": "cuong@tq.gov.vn"}


def focal_step(campaign, *, opens=-2, closes=3):
    now = timezone.now()
    return Step.objects.create(campaign=campaign, kind=StepKind.FOCAL_OFFICERS,
                               opens_at=now + timedelta(days=opens), closes_at=now + timedelta(days=closes))


def save(campaign, agency, user, **entries):
    return services.focal_officers_save(campaign=campaign, agency=agency, user=user,
                                        entries={"scoring": SCORING, "survey": SURVEY, **entries})


def form_data(scoring=SCORING, survey=SURVEY, it=None):
    data = {}
    for role, values in (("scoring", scoring), ("survey", survey), ("it", it or {})):
        for name in ("full_name", "position", "phone", "email"):
            data[f"{role}_{name}"] = values.get(name, "")
    return data


# ---------------------------------------------------------------- the service


@pytest.mark.parametrize(("typed", "digits"), [
    ("0912.345.678", "0912345678"), ("+84 912 345 678", "0912345678"), ("02073.818.973", "02073818973"),
    ("(0207) 3818-973", "02073818973"), ("84912345678", "0912345678"),
    ("12345", None), ("0012345678", None), ("09123456789012", None), ("abc", None), ("", None),
])
def test_phone_numbers_are_read_in_their_usual_vietnamese_forms(typed, digits):
    assert phone_normalize(typed) == digits


def test_an_agency_names_its_focal_officers_within_the_step(campaign, agency_a, staff_a):
    focal_step(campaign)
    saved = save(campaign, agency_a, staff_a, it=IT)
    assert set(saved) == {"scoring", "survey", "it"}
    survey = FocalOfficer.objects.get(campaign=campaign, agency=agency_a, role="survey")
    assert survey.phone == "02073818973" and survey.phone_text == "0207 3818 973"
    assert survey.updated_by == staff_a
    # saved again without IT: the IT one goes, the others are updated in place
    save(campaign, agency_a, staff_a, scoring={**SCORING, "position": "Chánh Văn phòng"}, it={})
    assert sorted(FocalOfficer.objects.filter(campaign=campaign, agency=agency_a).values_list("role", flat=True)) \
        == ["scoring", "survey"]
    assert FocalOfficer.objects.get(campaign=campaign, agency=agency_a, role="scoring").position == "Chánh Văn phòng"


def test_every_field_error_at_once_in_vietnamese(campaign, agency_a, staff_a):
    focal_step(campaign)
    with pytest.raises(ApplicationError, match="chưa hợp lệ") as refused:
        services.focal_officers_save(campaign=campaign, agency=agency_a, user=staff_a, entries={
            "scoring": {**SCORING, "phone": "12345", "email": "an@"},
            "survey": {}, "it": {"full_name": "Lê Văn Cường"}})
    errors = refused.value.extra["errors"]
    assert "Số điện thoại không hợp lệ" in errors["scoring_phone"][0]
    assert "Thư điện tử không hợp lệ" in errors["scoring_email"][0]
    assert "phải cử cán bộ đầu mối" in errors["survey_full_name"][0]  # survey is required
    assert set(errors) >= {"it_position", "it_phone", "it_email"}  # a started IT entry needs all four
    assert not FocalOfficer.objects.exists()


def test_after_the_deadline_locked_for_the_agency_not_for_the_officer(campaign, agency_a, staff_a, officer):
    step = focal_step(campaign, opens=-5, closes=-1)
    with pytest.raises(DeadlineError, match="Đã hết hạn cử cán bộ đầu mối"):
        save(campaign, agency_a, staff_a)
    save(campaign, agency_a, officer)  # the Sở may still correct it
    assert FocalOfficer.objects.filter(agency=agency_a).count() == 2
    # an extension reopens it for that agency only
    extension_grant(step=step, agency=agency_a, closes_at=timezone.now() + timedelta(days=2), reason="Đổi cán bộ",
                    user=officer)
    save(campaign, agency_a, staff_a, scoring={**SCORING, "full_name": "Phạm Văn Dũng"})
    assert FocalOfficer.objects.get(agency=agency_a, role="scoring").full_name == "Phạm Văn Dũng"


def test_before_the_step_or_without_it_the_agency_cannot_write(campaign, agency_a, staff_a):
    with pytest.raises(ApplicationError, match="chưa có bước cử cán bộ đầu mối"):
        save(campaign, agency_a, staff_a)
    focal_step(campaign, opens=1, closes=3)
    with pytest.raises(DeadlineError, match="Chưa đến thời gian"):
        save(campaign, agency_a, staff_a)


def test_only_members_of_the_agency_or_officers(campaign, agency_a, staff_b, officer):
    focal_step(campaign)
    with pytest.raises(ApplicationError) as refused:
        save(campaign, agency_a, staff_b)
    assert refused.value.status == 403
    outsider = AgencyFactory(code="NGOAI", group=group("department"))
    with pytest.raises(ApplicationError, match="không thuộc đợt đánh giá"):
        save(campaign, outsider, officer)


# ---------------------------------------------------------------- the pages


def test_the_agency_page_saves_and_locks_after_the_deadline(login, campaign, agency_a, staff_a):
    step = focal_step(campaign)
    client = login(staff_a)
    url = f"/campaigns/{campaign.pk}/focal-officers/SA/"
    assert client.get(f"/campaigns/{campaign.pk}/focal-officers/").url == url  # one agency: straight to its form
    response = client.post(url, form_data(survey={**SURVEY, "email": "sai"}))
    assert "Thư điện tử không hợp lệ" in response.content.decode()
    response = client.post(url, form_data(), follow=True)
    assert "Đã lưu danh sách cán bộ đầu mối" in response.content.decode()
    assert FocalOfficer.objects.filter(agency=agency_a).count() == 2
    Step.objects.filter(pk=step.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page = client.get(url).content.decode()
    assert "Đã hết hạn cử cán bộ đầu mối" in page and ">Lưu</button>" not in page
    assert re.search(r'<input [^>]*name="scoring_full_name"[^>]*value="Nguyễn Văn An"[^>]*disabled', page)
    # a POST all the same is refused by the service, not by the page
    response = client.post(url, form_data(scoring={**SCORING, "full_name": "Người Khác"}))
    assert "Đã hết hạn cử cán bộ đầu mối" in response.content.decode()
    assert FocalOfficer.objects.get(agency=agency_a, role="scoring").full_name == SCORING["full_name"]


def test_who_sees_which_page(login, client, campaign, agency_a, staff_b, appraiser, officer):
    focal_step(campaign)
    base = f"/campaigns/{campaign.pk}/focal-officers/"
    assert client.get(base).status_code == 302 and "login" in client.get(base).url
    assert login(staff_b).get(base + "SA/").status_code == 404
    assert login(staff_b).get(base + "export.xlsx").status_code == 403
    assert login(appraiser).get(base).status_code == 403
    assert login(officer).get(base + "SA/").status_code == 200
    assert login(officer).get(base + "NOPE/").status_code == 404


def test_the_campaign_and_home_pages_link_to_it(login, campaign, staff_a, officer):
    url = f"/campaigns/{campaign.pk}/focal-officers/"
    assert url in login(staff_a).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert url in login(officer).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert url in login(staff_a).get("/").content.decode()


def _agencies(campaign, n):
    agencies = [AgencyFactory(code=f"S{i:03d}", name=f"Sở số {i}", group=group("department")) for i in range(n)]
    campaign.agencies.add(*agencies)
    for agency in agencies[::2]:
        save(campaign, agency, None)
    return agencies


def test_the_contact_list_marks_the_missing_in_a_fixed_number_of_queries(
        login, campaign, officer, django_assert_max_num_queries):
    focal_step(campaign)
    client = login(officer)
    url = f"/campaigns/{campaign.pk}/focal-officers/"
    _agencies(campaign, 3)
    client.get(url)  # warm the session and the officer's roles
    with django_assert_max_num_queries(14) as few:
        page = client.get(url).content.decode()
    _agencies_more = [AgencyFactory(code=f"T{i:03d}", group=group("department")) for i in range(30)]
    campaign.agencies.add(*_agencies_more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "Sở số 0" in page and "0912 345 678" in page and "an.nv@tuyenquang.gov.vn" in page
    # the three fixture agencies, "Sở số 1" and the 30 new ones have named nobody
    assert page.count('class="focal-missing"') == 3 + 1 + 30
    only = client.get(url + "?missing=1").content.decode()
    assert "Sở số 1" in only and "Sở số 0" not in only


def test_the_contact_list_exports_to_excel(login, campaign, agency_a, officer, staff_a):
    focal_step(campaign)
    save(campaign, agency_a, staff_a, it=IT)
    response = login(officer).get(f"/campaigns/{campaign.pk}/focal-officers/export.xlsx")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    ws = openpyxl.load_workbook(BytesIO(response.content)).active
    assert "Danh sách cán bộ đầu mối" in ws["A1"].value and campaign.name in ws["A1"].value
    header = [c.value for c in ws[4]]
    assert header[:3] == ["STT", "Mã đơn vị", "Tên đơn vị"] and "Thư điện tử" in header
    assert ws.freeze_panes == "A5" and ws.auto_filter.ref.startswith("A4:K")
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    assert len(rows) == 3 * 3  # three agencies × three duties
    a_rows = [r for r in rows if r[1] == "SA"]
    assert [r[5] for r in a_rows] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    assert a_rows[0][7] == "0912 345 678"
    statuses = [r[9] for r in rows if r[1] == "SB"]
    assert statuses == ["Chưa cử", "Chưa cử", "Không bắt buộc"]


# ---------------------------------------------------------------- reminders and recipients


def test_reminders_go_to_agencies_that_have_not_named_them(agency_a, agency_b, staff_a, staff_b):
    from tests.notifications.conftest import vn

    deadline = vn(2026, 11, 15, 17)
    campaign = CampaignFactory(status=Campaign.Status.OPEN)
    campaign.groups.set([group("department")])
    campaign.agencies.set([agency_a, agency_b])
    Step.objects.create(campaign=campaign, kind=StepKind.FOCAL_OFFICERS, opens_at=deadline - timedelta(days=10),
                        closes_at=deadline)
    services.focal_officers_save(campaign=campaign, agency=agency_a, user=None,
                                 entries={"scoring": SCORING, "survey": SURVEY})
    reminders_run(now=deadline - timedelta(days=3))  # the 3-day reminder
    assert Outbox.objects.filter(to=staff_b.email, template="reminder").count() == 1
    assert not Outbox.objects.filter(to=staff_a.email).exists()
    assert "Cử cán bộ đầu mối" in Outbox.objects.get(to=staff_b.email).subject
    reminders_run(now=deadline - timedelta(days=3))
    assert Reminder.objects.count() == 1  # once


def test_focal_officers_receive_the_matching_reminders(agency_a, staff_a):
    from tests.notifications.conftest import DEADLINE, make_campaign

    campaign = make_campaign([agency_a], DEADLINE)
    Step.objects.create(campaign=campaign, kind=StepKind.FOCAL_OFFICERS, opens_at=DEADLINE - timedelta(days=20),
                        closes_at=DEADLINE - timedelta(days=15))
    services.focal_officers_save(campaign=campaign, agency=agency_a, user=None, entries={
        "scoring": SCORING, "survey": SURVEY, "it": IT})
    reminders_run(now=DEADLINE - timedelta(days=3))
    assert Outbox.objects.filter(to=staff_a.email, template="reminder").count() == 1
    assert Outbox.objects.filter(to=SCORING["email"], template="reminder").count() == 1
    assert not Outbox.objects.filter(to__in=[SURVEY["email"], IT["email"]]).exists()


def test_the_survey_focal_officer_gets_the_respondent_list_reminder(agency_a, staff_a):
    from surveys.models import RespondentGroup
    from tests.notifications.conftest import DEADLINE, make_campaign

    campaign = make_campaign([agency_a], DEADLINE)
    Step.objects.create(campaign=campaign, kind=StepKind.RESPONDENT_LISTS, opens_at=DEADLINE - timedelta(days=10),
                        closes_at=DEADLINE)
    RespondentGroup.objects.create(campaign=campaign, code="LD", name="Lãnh đạo", rates_group=group("department"))
    services.focal_officers_save(campaign=campaign, agency=agency_a, user=None, entries={
        "scoring": SCORING, "survey": {**SURVEY, "email": staff_a.email.upper()}})
    reminders_run(now=DEADLINE - timedelta(days=3))
    # the same address as a staff account: one e-mail, not two
    assert Outbox.objects.filter(to__iexact=staff_a.email, subject__contains="danh sách").count() == 1
    services.focal_officers_save(campaign=campaign, agency=agency_a, user=None, entries={
        "scoring": SCORING, "survey": SURVEY})
    reminders_run(now=DEADLINE - timedelta(days=1))
    assert Outbox.objects.filter(to=SURVEY["email"], subject__contains="danh sách").count() == 1
    assert not Outbox.objects.filter(to=SCORING["email"], subject__contains="danh sách").exists()


def test_the_scoring_focal_officer_gets_the_explanation_request(
        media, campaign, agency_a, staff_a, leader_a, officer, appraiser):
    from scoring.services import explanations
    from tests.scoring.appraisal_support import assign, submit, world

    w = world(campaign, agency_a)
    submit(w.a, staff=staff_a, leader=leader_a, evidence=())
    assign(campaign, appraiser, ["1", "2"], officer=officer)
    services.focal_officers_save(campaign=campaign, agency=agency_a, user=None, entries={
        "scoring": SCORING, "survey": SURVEY})
    explanations.explanation_request_create(
        assessment=w.a, codes=["1.2"], question="Đề nghị bổ sung kế hoạch.",
        due_at=timezone.now() + timedelta(days=3), user=appraiser)
    mail = Outbox.objects.get(to=SCORING["email"])
    assert mail.subject.startswith("Yêu cầu giải trình") and mail.context["full_name"] == SCORING["full_name"]
    assert not Outbox.objects.filter(to=SURVEY["email"]).exists()


def test_last_years_officers_fill_the_empty_form(login, campaign, agency_a, staff_a):
    last_year = CampaignFactory(year=campaign.year - 1)
    last_year.agencies.set([agency_a])
    services.focal_officers_save(campaign=last_year, agency=agency_a, user=None,
                                 entries={"scoring": SCORING, "survey": SURVEY})
    Campaign.objects.filter(pk=campaign.pk).update(previous=last_year)
    focal_step(campaign)
    page = login(staff_a).get(f"/campaigns/{campaign.pk}/focal-officers/SA/").content.decode()
    assert "Điền sẵn theo danh sách đợt năm trước" in page and 'value="Nguyễn Văn An"' in page
    assert not FocalOfficer.objects.filter(campaign=campaign).exists()  # nothing saved until the agency saves


def test_the_admin_lists_them_read_only(login, campaign, agency_a, admin_user):
    services.focal_officers_save(campaign=campaign, agency=agency_a, user=None,
                                 entries={"scoring": SCORING, "survey": SURVEY})
    client = login(admin_user)
    assert "Nguyễn Văn An" in client.get("/admin/campaigns/focalofficer/").content.decode()
    assert client.get("/admin/campaigns/focalofficer/add/").status_code == 403


def test_the_api_reads_and_writes_them(api, campaign, agency_a, staff_a, staff_b, officer):
    focal_step(campaign)
    url = f"/api/v1/campaigns/{campaign.pk}/focal-officers/"
    body = {"officers": [{"role": "scoring", **SCORING}, {"role": "survey", **SURVEY}]}
    assert api.as_user(staff_b).put(url + "SA/", body, format="json").status_code == 404
    r = api.as_user(staff_a).put(url + "SA/", {"officers": [{"role": "scoring", **SCORING, "phone": "1"}]},
                                 format="json")
    assert r.status_code == 400 and set(r.json()["errors"]) >= {"scoring_phone", "survey_full_name"}
    r = api.as_user(staff_a).put(url + "SA/", body, format="json")
    assert r.status_code == 200 and r.json()["missing"] == [] and r.json()["officers"][1]["phone"] == "02073818973"
    assert api.as_user(staff_a).get(url).status_code == 403
    rows = {row["agency_code"]: row for row in api.as_user(officer).get(url).json()}
    assert rows["SA"]["officers"][0]["full_name"] == SCORING["full_name"] and rows["SB"]["missing"] == [
        "scoring", "survey"]
    Step.objects.filter(campaign=campaign, kind=StepKind.FOCAL_OFFICERS).update(
        closes_at=timezone.now() - timedelta(minutes=1))
    r = api.as_user(staff_a).put(url + "SA/", body, format="json")
    assert r.status_code == 409 and "Đã hết hạn cử cán bộ đầu mối" in r.json()["detail"]
    assert api.as_user(officer).put(url + "SA/", body, format="json").status_code == 200
