"""Respondent lists: form and Excel entry with row errors, the list deadline (with an
extension), send / approve / return, who may do what."""
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Extension
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError
from surveys.models import Invitation, Respondent, RespondentList
from surveys.services import lists as list_services
from tests import sheets

pytestmark = pytest.mark.django_db
HEADER = ["full_name", "position", "group_code", "email", "phone"]


def xlsx(rows, header=HEADER):
    return sheets.xlsx(rows, header)


def test_import_reports_every_row_error_and_imports_nothing(survey, commune, agency_a, commune_staff):
    list_services.respondent_add(campaign=survey.campaign, agency=agency_a, user=None, full_name="Đã có",
                                 email="da.co@example.vn", group=survey.lds)
    rows = [
        ("Nguyễn Văn An", "Chủ tịch", "LDX", "an@example.vn", "0912 345 678"),
        ("Trần Thị Bình", "Phó Chủ tịch", "LDX", "khong-hop-le", ""),
        ("Lê Văn Cường", "Phó Chủ tịch", "NHOM-LA", "cuong@example.vn", ""),
        ("Phạm Thị Dung", "Công chức", "LDX", "AN@example.vn", ""),
        ("Hoàng Văn Em", "Công chức", "LDX", "da.co@example.vn", ""),
        ("", "Công chức", "LDX", "g@example.vn", "abc"),
    ]
    report = list_services.respondent_import(campaign=survey.campaign, agency=commune, file=xlsx(rows),
                                             user=commune_staff)
    got = {(e.row, e.column) for e in report.errors}
    assert got == {(3, "email"), (4, "group_code"), (5, "email"), (6, "email"), (7, "full_name"), (7, "phone")}
    messages = " ".join(e.message for e in report.errors)
    assert "không hợp lệ" in messages and "trùng với dòng 2" in messages and "NHOM-LA" in messages
    assert "đã có trong danh sách" in messages
    assert not Respondent.objects.filter(respondent_list__agency=commune).exists()


def test_import_and_dry_run(survey, commune, commune_staff):
    rows = [("Nguyễn Văn An", "Chủ tịch", "LDX", "An@Example.vn", "0912345678"),
            ("Trần Thị Bình", "Phó Chủ tịch", "LDX", "binh@example.vn", "")]
    dry = list_services.respondent_import(campaign=survey.campaign, agency=commune, file=xlsx(rows), user=commune_staff,
                                          dry_run=True)
    assert dry.ok and dry.created == 2 and not Respondent.objects.exists()
    report = list_services.respondent_import(campaign=survey.campaign, agency=commune, file=xlsx(rows),
                                             user=commune_staff)
    assert report.ok and report.created == 2
    assert set(Respondent.objects.values_list("email", flat=True)) == {"an@example.vn", "binh@example.vn"}


def test_vietnamese_headers_are_accepted(survey, commune, commune_staff):
    rows = [("Nguyễn Văn An", "Chủ tịch", "LDX", "an@example.vn", "")]
    header = ["Họ và tên", "Chức vụ", "Mã nhóm", "Thư điện tử", "Điện thoại"]
    report = list_services.respondent_import(campaign=survey.campaign, agency=commune, file=xlsx(rows, header),
                                             user=commune_staff)
    assert report.ok and report.created == 1


def test_the_command_imports_and_refuses_with_row_errors(survey, commune, tmp_path, capsys):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx([("Nguyễn Văn An", "Chủ tịch", "LDX", "an@example.vn", "")]).getvalue())
    bad.write_bytes(xlsx([("Trần Bình", "", "LDX", "sai", "")]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_respondents", str(bad), campaign=survey.campaign.pk, agency=commune.code)
    assert "dòng 2, cột email" in capsys.readouterr().err
    call_command("import_respondents", str(good), campaign=survey.campaign.pk, agency=commune.code, dry_run=True)
    assert not Respondent.objects.exists()
    call_command("import_respondents", str(good), campaign=survey.campaign.pk, agency=commune.code)
    assert Respondent.objects.get().respondent_list.agency == commune


def test_a_list_is_sent_by_its_deadline(survey, commune, commune_staff, officer):
    list_services.respondent_add(campaign=survey.campaign, agency=commune, user=commune_staff, full_name="An",
                                 email="an@example.vn", group=survey.ldx)
    late = survey.lists_step.closes_at + timedelta(minutes=1)
    with pytest.raises(DeadlineError):
        list_services.respondent_list_send(campaign=survey.campaign, agency=commune, user=commune_staff, now=late)
    with pytest.raises(DeadlineError):
        list_services.respondent_add(campaign=survey.campaign, agency=commune, user=commune_staff, full_name="Bình",
                                     email="binh@example.vn", group=survey.ldx, now=late)
    Extension.objects.create(step=survey.lists_step, agency=commune, closes_at=late + timedelta(hours=1),
                             reason="Mất mạng", granted_by=officer, granted_at=timezone.now())
    rlist = list_services.respondent_list_send(campaign=survey.campaign, agency=commune, user=commune_staff, now=late)
    assert rlist.status == RespondentList.Status.SENT and rlist.sent_at == late


def test_the_flow_send_return_resend_approve(survey, commune, commune_staff, officer):
    list_services.respondent_add(campaign=survey.campaign, agency=commune, user=commune_staff, full_name="An",
                                 email="an@example.vn", group=survey.ldx)
    list_services.respondent_list_send(campaign=survey.campaign, agency=commune, user=commune_staff)
    with pytest.raises(ConflictError):  # a sent list is no longer the agency's to edit
        list_services.respondent_add(campaign=survey.campaign, agency=commune, user=commune_staff, full_name="Bình",
                                     email="binh@example.vn", group=survey.ldx)
    with pytest.raises(ConflictError):
        list_services.respondent_list_send(campaign=survey.campaign, agency=commune, user=commune_staff)
    with pytest.raises(ApplicationError):
        list_services.respondent_list_return(campaign=survey.campaign, agency=commune, user=officer, comment=" ")
    rlist = list_services.respondent_list_return(campaign=survey.campaign, agency=commune, user=officer,
                                                 comment="Thiếu lãnh đạo phường")
    assert rlist.status == RespondentList.Status.RETURNED and rlist.comment == "Thiếu lãnh đạo phường"
    list_services.respondent_add(campaign=survey.campaign, agency=commune, user=commune_staff, full_name="Bình",
                                 email="binh@example.vn", group=survey.ldx)
    list_services.respondent_list_send(campaign=survey.campaign, agency=commune, user=commune_staff)
    with pytest.raises(ApplicationError) as refused:
        list_services.respondent_list_approve(campaign=survey.campaign, agency=commune, user=commune_staff)
    assert refused.value.status == 403
    rlist = list_services.respondent_list_approve(campaign=survey.campaign, agency=commune, user=officer)
    assert rlist.status == RespondentList.Status.APPROVED and rlist.reviewed_by == officer
    with pytest.raises(ConflictError):
        list_services.respondent_list_approve(campaign=survey.campaign, agency=commune, user=officer)


def test_an_empty_list_cannot_be_sent(survey, commune, commune_staff):
    with pytest.raises(ApplicationError):
        list_services.respondent_list_send(campaign=survey.campaign, agency=commune, user=commune_staff)


def test_an_invited_respondent_cannot_be_removed_and_a_list_with_invitations_cannot_be_returned(
        survey, invite, commune, officer):
    invitation, _ = invite(commune, "an@example.vn")
    with pytest.raises(ConflictError):
        list_services.respondent_remove(respondent=invitation.respondent, user=officer)
    with pytest.raises(ConflictError):
        list_services.respondent_list_return(campaign=survey.campaign, agency=commune, user=officer, comment="Sai")
    assert Invitation.objects.exists()


def test_an_email_is_unique_in_the_campaign_case_insensitively(survey, commune, agency_a):
    list_services.respondent_add(campaign=survey.campaign, agency=commune, user=None, full_name="An",
                                 email="an@example.vn", group=survey.ldx)
    with pytest.raises(ApplicationError):
        list_services.respondent_add(campaign=survey.campaign, agency=agency_a, user=None, full_name="An",
                                     email="AN@example.vn ", group=survey.lds)


# ---------------------------------------------------------------- pages


def list_url(survey, agency):
    return reverse("surveys:list_detail", kwargs={"pk": survey.campaign.pk, "code": agency.code})


def test_the_list_page_adds_imports_sends(survey, commune, commune_staff, login):
    client = login(commune_staff)
    page = client.get(list_url(survey, commune))
    assert page.status_code == 200 and "Hạn gửi danh sách" in page.content.decode()
    r = client.post(list_url(survey, commune), {"full_name": "Ngô Thị Hoa", "position": "Chủ tịch",
                                                "group": survey.ldx.pk, "email": "hoa@example.vn", "phone": ""})
    assert r.status_code == 302
    r = client.post(reverse("surveys:list_import", kwargs={"pk": survey.campaign.pk, "code": commune.code}),
                    {"file": _upload([("Ma Văn Thắng", "Phó Chủ tịch", "LDX", "sai-email", "")])})
    assert r.status_code == 200 and "chưa nhập dữ liệu nào" in r.content.decode()
    r = client.post(reverse("surveys:list_send", kwargs={"pk": survey.campaign.pk, "code": commune.code}))
    assert r.status_code == 302
    assert RespondentList.objects.get(agency=commune).status == RespondentList.Status.SENT
    assert "Gửi danh sách về Sở" not in client.get(list_url(survey, commune)).content.decode()


def _upload(rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("ds.xlsx", xlsx(rows).getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_other_agencies_and_appraisers_cannot_reach_a_list(survey, commune, staff_b, appraiser, login, client):
    for user in (staff_b, appraiser):
        assert login(user).get(list_url(survey, commune)).status_code == 404
        r = login(user).post(reverse("surveys:list_send", kwargs={"pk": survey.campaign.pk, "code": commune.code}))
        assert r.status_code == 404
    client.logout()
    assert client.get(list_url(survey, commune)).status_code == 302  # to the login page


def test_officers_approve_and_return_on_the_page(survey, commune, commune_staff, officer, login):
    list_services.respondent_add(campaign=survey.campaign, agency=commune, user=commune_staff, full_name="An",
                                 email="an@example.vn", group=survey.ldx)
    list_services.respondent_list_send(campaign=survey.campaign, agency=commune, user=commune_staff)
    r = login(commune_staff).post(reverse("surveys:list_approve", kwargs={"pk": survey.campaign.pk,
                                                                          "code": commune.code}))
    assert r.status_code == 302 and RespondentList.objects.get().status == RespondentList.Status.SENT
    client = login(officer)
    client.post(reverse("surveys:list_return", kwargs={"pk": survey.campaign.pk, "code": commune.code}),
                {"comment": "Bổ sung Phó Chủ tịch"})
    assert RespondentList.objects.get().status == RespondentList.Status.RETURNED
    page = login(commune_staff).get(list_url(survey, commune)).content.decode()
    assert "Bổ sung Phó Chủ tịch" in page


def test_the_officer_list_index_filters_by_status(survey, commune, agency_a, officer, login, commune_staff):
    list_services.respondent_add(campaign=survey.campaign, agency=commune, user=commune_staff, full_name="An",
                                 email="an@example.vn", group=survey.ldx)
    list_services.respondent_list_send(campaign=survey.campaign, agency=commune, user=commune_staff)
    client = login(officer)
    html = client.get(reverse("surveys:lists", kwargs={"pk": survey.campaign.pk}) + "?status=sent").content.decode()
    assert commune.name in html and agency_a.name not in html
    html = client.get(reverse("surveys:lists", kwargs={"pk": survey.campaign.pk}) + "?status=none").content.decode()
    assert agency_a.name in html and commune.name not in html
