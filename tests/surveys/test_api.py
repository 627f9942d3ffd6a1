"""API v1 of the survey as an integrator drives it (../shared/API.md), with the refusals."""

import pytest
from django.core import mail

from surveys.models import Invitation, Respondent, RespondentList
from tests import sheets

from .helpers import submit

pytestmark = pytest.mark.django_db


def base(survey):
    return f"/api/v1/campaigns/{survey.campaign.pk}"


def xlsx(rows):
    return sheets.xlsx(rows, ["full_name", "position", "group_code", "email", "phone"], name="ds.xlsx")


def test_staff_add_and_read_their_own_list(survey, api, commune, commune_staff, staff_b, officer):
    client = api.as_user(commune_staff)
    r = client.post(f"{base(survey)}/respondents/?agency={commune.code}", {
        "full_name": "Ngô Thị Hoa", "position": "Chủ tịch UBND xã", "group_code": "LDX",
        "email": "hoa@example.vn", "phone": "0912345678"}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "not_invited" and r.json()["group_code"] == "LDX"
    r = client.post(f"{base(survey)}/respondents/", {"full_name": "Trùng", "group_code": "LDX",
                                                      "email": "HOA@example.vn"}, format="json")
    assert r.status_code == 400 and "đã có" in r.json()["detail"]
    r = client.post(f"{base(survey)}/respondents/", {"full_name": "Sai nhóm", "group_code": "KHONG",
                                                      "email": "x@example.vn"}, format="json")
    assert r.status_code == 400 and r.json()["errors"] == {"group_code": ["Không có."]}
    assert [x["email"] for x in client.get(f"{base(survey)}/respondents/").json()] == ["hoa@example.vn"]
    other = api.as_user(staff_b)
    assert other.get(f"{base(survey)}/respondents/?agency={commune.code}").status_code == 404
    assert other.post(f"{base(survey)}/respondents/?agency={commune.code}", {
        "full_name": "X", "group_code": "LDX", "email": "y@example.vn"}, format="json").status_code == 404
    officer_rows = api.as_user(officer).get(f"{base(survey)}/respondents/?agency={commune.code}").json()
    assert len(officer_rows) == 1


def test_import_endpoint_returns_row_errors(survey, api, commune, commune_staff):
    client = api.as_user(commune_staff)
    r = client.post(f"{base(survey)}/respondents/import/?agency={commune.code}",
                    {"file": xlsx([("An", "", "LDX", "an@example.vn", ""), ("Bình", "", "LDX", "sai", "")])},
                    format="multipart")
    assert r.status_code == 400
    assert r.json()["errors"] == [{"row": 3, "column": "email", "message": "Thư điện tử “sai” không hợp lệ."}]
    assert not Respondent.objects.exists()
    r = client.post(f"{base(survey)}/respondents/import/", {"file": xlsx([("An", "", "LDX", "an@example.vn", "")])},
                    format="multipart")
    assert r.status_code == 201 and r.json()["created"] == 1


def test_the_list_flow_and_invitations(survey, api, commune, commune_staff, officer,
                                       django_capture_on_commit_callbacks):
    staff = api.as_user(commune_staff)
    staff.post(f"{base(survey)}/respondents/", {"full_name": "An", "group_code": "LDX", "email": "an@example.vn"},
               format="json")
    r = staff.post(f"{base(survey)}/respondent-lists/{commune.code}/send/")
    assert r.status_code == 200 and r.json()["status"] == "sent" and r.json()["respondent_count"] == 1
    assert staff.post(f"{base(survey)}/respondent-lists/{commune.code}/send/").status_code == 409
    assert staff.post(f"{base(survey)}/respondent-lists/{commune.code}/approve/").status_code == 403
    assert staff.post(f"{base(survey)}/invitations/send/").status_code == 403
    boss = api.as_user(officer)
    r = boss.post(f"{base(survey)}/respondent-lists/{commune.code}/return/", {}, format="json")
    assert r.status_code == 400
    r = boss.post(f"{base(survey)}/respondent-lists/{commune.code}/return/", {"comment": "Thiếu người"},
                  format="json")
    assert r.status_code == 200 and r.json()["status"] == "returned"
    staff.post(f"{base(survey)}/respondent-lists/{commune.code}/send/")
    assert boss.post(f"{base(survey)}/respondent-lists/{commune.code}/approve/").json()["status"] == "approved"
    with django_capture_on_commit_callbacks(execute=True):
        r = boss.post(f"{base(survey)}/invitations/send/")
    assert r.status_code == 200 and r.json() == {"sent": 1, "skipped_closed": 0, "waiting": 0}
    assert len(mail.outbox) == 1 and Invitation.objects.get().status == "sent"
    assert RespondentList.objects.get().status == "approved"


def test_the_list_deadline_answers_409(survey, api, commune, commune_staff):
    staff = api.as_user(commune_staff)
    staff.post(f"{base(survey)}/respondents/", {"full_name": "An", "group_code": "LDX", "email": "an@example.vn"},
               format="json")
    from datetime import timedelta

    from django.utils import timezone

    survey.lists_step.closes_at = timezone.now() - timedelta(minutes=1)
    survey.lists_step.opens_at = timezone.now() - timedelta(days=3)
    survey.lists_step.save()
    r = staff.post(f"{base(survey)}/respondent-lists/{commune.code}/send/")
    assert r.status_code == 409 and "hết hạn" in r.json()["detail"]


def test_progress_and_points(survey, api, invite, commune, agency_a, agency_b, commune_staff, staff_a, officer,
                             appraiser):
    for n, option in enumerate("ABD"):
        invitation, _ = invite(commune, f"ld{n}@example.vn")
        submit(survey, invitation, {agency_a: option, agency_b: "E"}, ip=f"198.51.100.{n}")
    invite(agency_a, "giamdoc@example.vn", group_obj=survey.lds)
    rows = api.as_user(officer).get(f"{base(survey)}/survey-progress/").json()
    by = {(r["agency_code"], r["group_code"]): r for r in rows}
    assert (by[(commune.code, "LDX")]["invited"], by[(commune.code, "LDX")]["answered"]) == (3, 3)
    mine = api.as_user(commune_staff).get(f"{base(survey)}/survey-progress/").json()
    assert [(r["agency_code"], r["opened"]) for r in mine] == [(commune.code, 3)]
    assert api.as_user(appraiser).get(f"{base(survey)}/survey-progress/").status_code == 403
    points = api.as_user(officer).get(f"{base(survey)}/survey-points/").json()
    got = {(p["agency_code"], p["criterion_code"]): p for p in points}
    assert got[(agency_a.code, "8.1")]["points"] == "2.67"  # (100 + 60 + 0) / 3 % × 5
    assert got[(agency_b.code, "8.1")]["points"] is None and got[(agency_b.code, "8.1")]["flagged_too_few"]
    assert got[(agency_a.code, "8.1")]["max_points"] == "5.00"
    for user in (commune_staff, staff_a, appraiser):
        assert api.as_user(user).get(f"{base(survey)}/survey-points/").status_code == 403


def test_anonymous_callers_are_refused(survey, client):
    for path in ("respondents/", "survey-progress/", "survey-points/"):
        assert client.get(f"{base(survey)}/{path}").status_code in (401, 403)
