"""The Ministry's official result of the province's own index: the import (every bad row named,
nothing stored), its template, self against official per item, per field and per year, the
pages and the API; who may see them."""
from decimal import Decimal as D
from io import BytesIO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.models import OfficialResult
from scoring.selectors.province_official import official_comparison
from scoring.services.province_official import official_result_import, official_template
from tests import sheets
from tests.scoring.province_results_support import set_official, set_self, sheet, two_years
from tests.scoring.province_support import member

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(officer):
    return two_years(officer)


def upload(rows, **kw):
    return SimpleUploadedFile("ket-qua.xlsx", sheet(rows, **kw).getvalue(), content_type=XLSX)


def stored(assessment):
    return dict(OfficialResult.objects.filter(item__assessment=assessment).values_list("item__criterion__code",
                                                                                      "points"))


def test_an_import_stores_points_per_item_and_a_second_replaces_them(world, officer):
    campaign, assessment, *_ = world
    report = official_result_import(campaign=campaign, assessment=assessment, user=officer,
                                    file=sheet([("1.1", "1,5", "Chậm 5 ngày"), ("1.2", 2, ""), ("2.2.", "0", None)]))
    assert report.ok and report.created == 3
    assert stored(assessment) == {"1.1": D("1.50"), "1.2": D("2.00"), "2.2": D("0.00")}
    assert OfficialResult.objects.get(item__criterion__code="1.1", item__assessment=assessment).note == "Chậm 5 ngày"
    again = official_result_import(campaign=campaign, assessment=assessment, user=officer,
                                   file=sheet([("1.1", "2", "")], header=("Mã tiêu chí", "Điểm", "Ghi chú")))
    assert again.ok and (again.created, again.updated) == (0, 1)
    assert stored(assessment)["1.1"] == D("2.00") and OfficialResult.objects.count() == 3


def test_a_bad_file_names_every_bad_row_and_changes_nothing(world, officer):
    campaign, assessment, *_ = world
    set_official(assessment, {"1.1": "1"})
    report = official_result_import(campaign=campaign, assessment=assessment, user=officer, file=sheet([
        ("1.2", "2", ""),        # fine, but not stored: the file has errors
        ("9.9", "1", ""),        # not in the set
        ("1", "5", ""),          # a field, not an item
        ("1.3", "1.5", ""),      # above the max (1)
        ("1.4", "-1", ""),       # negative
        ("1.5", "abc", ""),      # not a number
        ("1.2", "1", ""),        # the same code twice
        ("", "1", ""),           # no code
        ("2.1", "", ""),         # no points
    ]))
    assert not report.ok
    by_row = {(e.row, e.column) for e in report.errors}
    assert by_row == {(3, "code"), (4, "code"), (5, "points"), (6, "points"), (7, "points"), (8, "code"),
                      (9, "code"), (10, "points")}
    text = " | ".join(str(e) for e in report.errors)
    assert "dòng 3, cột code: Không có tiêu chí “9.9”" in text and "trùng với dòng 2" in text
    assert "vượt điểm tối đa 1" in text and "không được âm" in text and "lĩnh vực" in text
    assert stored(assessment) == {"1.1": D("1.00")}  # nothing changed


def test_unreadable_or_headless_files_are_errors(world, officer):
    campaign, assessment, *_ = world
    bad = official_result_import(campaign=campaign, assessment=assessment, user=officer, file=BytesIO(b"not excel"))
    assert not bad.ok and "Không đọc được" in str(bad.errors[0])
    missing = official_result_import(campaign=campaign, assessment=assessment, user=officer,
                                     file=sheet([("1.1",)], header=("code",)))
    assert [(e.row, e.column) for e in missing.errors] == [(1, "points")]
    empty = official_result_import(campaign=campaign, assessment=assessment, user=officer, file=sheet([]))
    assert not empty.ok and OfficialResult.objects.count() == 0


def test_the_template_lists_every_item_and_reads_back_once_filled(world, officer):
    campaign, assessment, *_ = world
    set_official(assessment, {"3.2": "4.5"})
    wb = openpyxl.load_workbook(BytesIO(official_template(assessment=assessment).to_bytes()))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("code", "points", "note") and rows[1][:3] == ("Mã tiêu chí", "Điểm chính thức", "Ghi chú")
    assert len(rows) == 2 + 27 and rows[2][0] == "1.1"
    assert [r for r in rows if r[0] == "3.2"][0][1] == 4.5
    blank = official_result_import(campaign=campaign, assessment=assessment, user=officer,
                                   file=BytesIO(official_template(assessment=assessment).to_bytes()))
    assert len(blank.errors) == 26 and {e.column for e in blank.errors} == {"points"}  # each blank named
    filled = sheets.xlsx([[row[0], 0 if row[1] is None else row[1], *row[2:]] for row in rows[1:]], rows[0])
    report = official_result_import(campaign=campaign, assessment=assessment, user=officer, file=filled)
    assert report.ok and (report.created, report.updated) == (26, 1)
    assert stored(assessment)["3.2"] == D("4.50")


def test_comparison_per_item_field_and_year(world, django_assert_max_num_queries):
    campaign, assessment, last, last_assessment, _deps = world
    set_self(assessment, {"1.1": D("2"), "1.2": D("2"), "2.1": D("3")})
    set_official(assessment, {"1.1": "1", "1.2": "2", "2.1": "2.5"})
    set_self(last_assessment, {"1.1": D("2")})
    set_official(last_assessment, {"1.1": "1.5"})
    with django_assert_max_num_queries(8):
        cmp = official_comparison(assessment=assessment)
    rows = {r.code: r for r in cmp.rows}
    assert (rows["1.1"].self_points, rows["1.1"].official_points, rows["1.1"].difference) == (D(2), D(1), D(-1))
    assert rows["1.1"].lost and not rows["1.2"].lost
    assert cmp.years == [2024]
    year = rows["1.1"].history_cells[0]
    assert (year.year, year.self_points, year.official_points) == (2024, D(2), D("1.5"))
    assert rows["1.2"].history_cells[0].official_points is None
    fields = {f.criterion.code: f for f in cmp.fields}
    assert (fields["1"].official_points, fields["2"].official_points, fields["2"].difference) == (
        D(3), D("2.5"), D("-0.5"))


def test_the_import_page_and_the_comparison_page(world, officer, login, django_assert_max_num_queries):
    campaign, assessment, *_ = world
    client = login(officer)
    board = client.get(reverse("scoring:province_board", args=[campaign.pk])).content.decode()
    assert 'id="province-official-import"' in board and 'id="province-comparison"' in board
    url = reverse("scoring:province_official", args=[campaign.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"file": upload([("1.1", "7", ""), ("x", "1", "")])})
    assert bad.status_code == 200 and "dòng 2, cột points" in bad.content.decode() and "dòng 3, cột code" in \
        bad.content.decode()
    assert not OfficialResult.objects.exists()
    set_self(assessment, {"1.1": D("2")})
    done = client.post(url, {"file": upload([("1.1", "1.25", "Bộ trừ 0,75")])}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("scoring:province_comparison", args=[campaign.pk])
    with django_assert_max_num_queries(20):
        page = client.get(reverse("scoring:province_comparison", args=[campaign.pk]))
    body = page.content.decode()
    assert "Tự chấm so với kết quả chính thức" in body and "Bộ trừ 0,75" in body
    assert '<tr data-code="1.1" class="lost">' in body and "−0,75" in body
    assert "<th colspan=\"2\">2024</th>" in body  # last year's columns (the criteria are mapped)
    template = client.get(reverse("scoring:province_official_template", args=[campaign.pk]))
    assert template.status_code == 200 and template["Content-Type"] == XLSX


def test_departments_and_outsiders_are_refused(world, staff_a, login):
    campaign, _a, _l, _la, deps = world
    department = login(member(deps["STP"]))
    for name in ("province_official", "province_official_template", "province_comparison"):
        url = reverse(f"scoring:{name}", args=[campaign.pk])
        assert department.get(url).status_code == 403
        assert login(staff_a).get(url).status_code == 403
    assert department.post(reverse("scoring:province_official", args=[campaign.pk]),
                           {"file": upload([("1.1", "1", "")])}).status_code == 403
    assert not OfficialResult.objects.exists()


def test_the_api(world, officer, staff_a, api, django_assert_max_num_queries):
    campaign, assessment, _last, last_assessment, deps = world
    url = f"/api/v1/campaigns/{campaign.pk}/province/official/"
    client = api.as_user(officer)
    bad = client.post(url, {"file": upload([("1.1", "3", ""), ("1.1", "1", "")])}, format="multipart")
    assert bad.status_code == 400
    assert [(e["row"], e["column"]) for e in bad.json()["errors"]] == [(2, "points"), (3, "code")]
    assert not OfficialResult.objects.exists()
    set_self(assessment, {"1.1": D("2")})
    set_official(last_assessment, {"1.1": "1.5"})
    ok = client.post(url, {"file": upload([("1.1", "1", "")])}, format="multipart")
    assert ok.status_code == 201 and ok.json()["created"] == 1
    with django_assert_max_num_queries(12):
        rows = {r["code"]: r for r in client.get(url).json()}
    assert rows["1.1"] == {"code": "1.1", "title": rows["1.1"]["title"], "max_points": "2.00", "self_points": "2.00",
                           "official_points": "1.00", "difference": "-1.00", "note": "",
                           "previous_years": [{"year": 2024, "self_points": "0.00", "official_points": "1.50"}]}
    assert rows["1.2"]["official_points"] is None and len(rows) == 27
    department = member(deps["STP"])
    assert api.as_user(department).get(url).status_code == 403
    assert api.as_user(department).post(url, {"file": upload([("1.1", "1", "")])},
                                         format="multipart").status_code == 403
    assert api.as_user(staff_a).get(url).status_code == 404
