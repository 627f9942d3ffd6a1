"""Questionnaires: the Excel format (import_survey / export_survey), row errors with
nothing half-imported, officer pages and the preview, questions locked once answered."""
from io import BytesIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cchc_portal.core.exceptions import ApplicationError, ConflictError
from surveys.models import Question, RespondentGroup
from surveys.options import OptionsError, format_options, parse_options
from surveys.services import questionnaire as questionnaire_services

from .helpers import submit

pytestmark = pytest.mark.django_db
GROUPS = ["code", "name", "rates_group"]
QUESTIONS = ["group_code", "section", "number", "text", "kind", "options", "criterion_code"]


def workbook(groups, questions, group_header=GROUPS, question_header=QUESTIONS):
    wb = openpyxl.Workbook()
    g = wb.active
    g.title = "groups"
    g.append(group_header)
    for row in groups:
        g.append(list(row))
    q = wb.create_sheet("questions")
    q.append(question_header)
    for row in questions:
        q.append(list(row))
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_options_text_form():
    assert [o["weight"] for o in parse_options("rating", "")] == ["100", "60", "20", "0", None]
    opts = parse_options("rating", "A=100|Rất kịp thời; B=60; C=20,5; D=0; E=-")
    assert opts[0] == {"key": "A", "label": "Rất kịp thời", "weight": "100"}
    assert opts[2]["weight"] == "20.5" and opts[4]["weight"] is None and opts[4]["label"] == "Không biết"
    assert format_options("rating", opts) == "A=100|Rất kịp thời; B=60; C=20.5; D=0; E=-"
    assert [o["key"] for o in parse_options("single", "Nam; Nữ")] == ["A", "B"]
    for kind, text in (("rating", "A=120; B=0"), ("rating", "A=x; B=0"), ("rating", "A=-; B=-"),
                       ("single", "Một"), ("single", "A=Nam; A=Nữ"), ("text", "A=1")):
        with pytest.raises(OptionsError):
            parse_options(kind, text)


def test_import_survey_creates_groups_and_questions(survey, tmp_path, officer):
    path = tmp_path / "phieu.xlsx"
    path.write_bytes(workbook(
        [("DBHD", "Đại biểu HĐND tỉnh", "department")],
        [("DBHD", "Chỉ đạo, điều hành", "1", "Đánh giá công tác chỉ đạo CCHC", "rating", "A=100; B=60; C=20; D=0; E=-",
          "8.1"),
         ("DBHD", "Thủ tục hành chính", "2", "Công khai thủ tục", "rating", "", "8.2"),
         ("DBHD", "Thông tin chung", "3", "Giới tính", "single", "Nam; Nữ", ""),
         ("LDX", "Chung", "9", "Góp ý", "text", "", "")]).getvalue())
    call_command("import_survey", str(path), campaign=survey.campaign.pk)
    group = RespondentGroup.objects.get(campaign=survey.campaign, code="DBHD")
    assert group.rates_group.code == "department" and group.questions.count() == 3
    q1 = group.questions.get(number="1")
    assert q1.criterion == survey.dept["8.1"] and q1.section == "Chỉ đạo, điều hành"
    assert survey.ldx.questions.filter(number="9", kind="text").exists()
    out = tmp_path / "ra.xlsx"
    call_command("export_survey", campaign=survey.campaign.pk, output=str(out))
    wb = openpyxl.load_workbook(out)
    assert [c.value for c in wb["groups"][1]][:3] == GROUPS
    rows = {(r[0], r[2]): r for r in wb["questions"].iter_rows(min_row=2, values_only=True)}
    assert rows[("DBHD", "1")][5] == "A=100; B=60; C=20; D=0; E=-" and rows[("DBHD", "1")][6] == "8.1"
    # the export imports back unchanged
    call_command("import_survey", str(out), campaign=survey.campaign.pk)
    assert Question.objects.filter(group__campaign=survey.campaign).count() == 9


def test_every_row_error_is_reported_and_nothing_is_half_imported(survey, tmp_path, capsys):
    path = tmp_path / "loi.xlsx"
    path.write_bytes(workbook(
        [("DBHD", "Đại biểu HĐND tỉnh", "department"), ("BAD", "Nhóm sai", "tinh")],
        [("DBHD", "A", "1", "Câu đúng", "rating", "", "8.1"),
         ("KHONGCO", "A", "2", "Nhóm không có", "rating", "", "8.1"),
         ("DBHD", "A", "3", "Tiêu chí không phải XHH", "rating", "", "9.1"),
         ("DBHD", "A", "4", "Thiếu tiêu chí", "rating", "", ""),
         ("DBHD", "A", "5", "Phương án sai", "rating", "A=200; B=0", "8.1"),
         ("DBHD", "A", "1", "Trùng số", "single", "Có; Không", ""),
         ("DBHD", "A", "6", "Loại sai", "matrix2", "", "")]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_survey", str(path), campaign=survey.campaign.pk)
    err = capsys.readouterr().err
    for where in ("dòng 3, cột rates_group", "dòng 3, cột group_code", "dòng 4, cột criterion_code",
                  "dòng 5, cột criterion_code", "dòng 6, cột options", "dòng 7, cột number", "dòng 8, cột kind"):
        assert where in err, where
    assert not RespondentGroup.objects.filter(code="DBHD").exists()


def test_a_missing_sheet_is_an_error(survey):
    wb = openpyxl.Workbook()
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    report = questionnaire_services.survey_import(campaign=survey.campaign, file=out)
    assert not report.ok and "groups" in str(report.errors[0])


def test_questions_are_locked_once_answered_except_their_wording(survey, invite, commune, agency_a, agency_b, officer):
    invitation, _ = invite(commune, "an@example.vn")
    submit(survey, invitation, {agency_a: "A", agency_b: "B"})
    q1 = survey.q1
    with pytest.raises(ConflictError):
        questionnaire_services.question_save(group=survey.ldx, question=q1, number="1", text=q1.text, kind="rating",
                                             options=parse_options("rating", "A=100; B=50; C=0; E=-"),
                                             criterion=q1.criterion, user=officer)
    with pytest.raises(ConflictError):
        questionnaire_services.question_delete(question=q1, user=officer)
    questionnaire_services.question_save(group=survey.ldx, question=q1, number="1",
                                         text="Chỉ đạo, điều hành (sửa câu chữ)", kind="rating", options=q1.options,
                                         criterion=q1.criterion, section=q1.section, user=officer)
    q1.refresh_from_db()
    assert q1.text.endswith("(sửa câu chữ)")


def test_a_rating_question_needs_a_survey_criterion_of_the_rated_group(survey, officer):
    with pytest.raises(ApplicationError):
        questionnaire_services.question_save(group=survey.ldx, number="7", text="x", kind="rating",
                                             options=parse_options("rating", ""), criterion=None, user=officer)
    with pytest.raises(ApplicationError):  # a commune leaf for a group that rates departments
        questionnaire_services.question_save(group=survey.ldx, number="7", text="x", kind="rating",
                                             options=parse_options("rating", ""), criterion=survey.com["8.1"],
                                             user=officer)


def test_officer_pages_create_a_group_and_a_question_and_preview_it(survey, officer, login, agency_a, agency_b):
    client = login(officer)
    pk = survey.campaign.pk
    r = client.post(reverse("surveys:group_create", kwargs={"pk": pk}), {
        "code": "DBHD", "name": "Đại biểu HĐND tỉnh", "rates_group": agency_a.group.pk, "form_code": "Phiếu 02",
        "instructions": "Đánh giá từng sở.", "min_answers": 5})
    group = RespondentGroup.objects.get(code="DBHD")
    assert r.status_code == 302 and r["Location"].endswith(f"/groups/{group.pk}/")
    r = client.post(reverse("surveys:question_create", kwargs={"pk": pk, "gid": group.pk}), {
        "section": "Chỉ đạo", "number": "1", "text": "Đánh giá công tác chỉ đạo", "kind": "rating",
        "options": "A=100|Rất tốt; B=60|Tốt; C=20|Chưa tốt; D=0|Kém; E=-|Không biết",
        "criterion": survey.dept["8.1"].pk, "required": "on"})
    assert r.status_code == 302
    question = group.questions.get()
    assert question.options[0]["label"] == "Rất tốt"
    bad = client.post(reverse("surveys:question_create", kwargs={"pk": pk, "gid": group.pk}), {
        "number": "2", "text": "x", "kind": "rating", "options": "A=500"})
    assert bad.status_code == 200 and "phải từ 0 đến 100" in bad.content.decode()
    preview = client.get(reverse("surveys:group_preview", kwargs={"pk": pk, "gid": group.pk}))
    html = preview.content.decode()
    assert preview.status_code == 200 and "Bản xem trước" in html and 'value="submit"' not in html
    assert f"_a{agency_a.pk}" in html and f"_a{agency_b.pk}" in html and "Rất tốt" in html
    export = client.get(reverse("surveys:export", kwargs={"pk": pk}))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_the_import_page_shows_row_errors(survey, officer, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.xlsx", workbook([("X", "", "department")], []).getvalue())
    page = login(officer).post(reverse("surveys:import", kwargs={"pk": survey.campaign.pk}), {"file": upload})
    assert page.status_code == 200 and "Thiếu tên nhóm" in page.content.decode()
