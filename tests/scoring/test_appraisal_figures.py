"""Imported figures (số liệu nhập): row errors, nothing half-imported, dry run, the command,
stored as external points with self and appraised points recomputed, and recorded."""
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from scoring.imported_figures import figures_import
from scoring.models import Assessment, ImportedFigure
from scoring.services import appraisal as svc
from tests import sheets
from tests.scoring.appraisal_support import item, submit, world

HEADER = ("agency_code", "criterion_code", "value", "source", "note")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    return sheets.xlsx(rows, header).getvalue()


def xlsx_upload(rows, header=HEADER):
    return SimpleUploadedFile("so-lieu.xlsx", xlsx_bytes(rows, header),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


pytestmark = pytest.mark.usefixtures("media")  # tests/conftest.py


@pytest.fixture
def w(campaign, agency_a, staff_a, leader_a):
    w = world(campaign, agency_a)
    submit(w.a, staff=staff_a, leader=leader_a)
    return w


def test_every_row_error_and_nothing_half_imported(w, officer):
    rows = [
        ("SA", "5.1", "4.25", "Cổng DVC quốc gia", ""),   # fine
        ("ZZ", "5.1", "3", "", ""),                       # unknown agency
        ("SB", "9.9", "3", "", ""),                       # unknown criterion
        ("SB", "1.1", "1", "", ""),                       # not an imported criterion
        ("SB", "5.1", "nhiều", "", ""),                   # not a number
        ("SB", "5.1", "7", "", ""),                       # above the max (5)
        ("SA", "5.1", "4", "", ""),                       # the same agency and criterion twice
        ("", "", "", "", "ghi chú"),                      # missing codes and value
    ]
    report = figures_import(campaign=w.campaign, file=BytesIO(xlsx_bytes(rows)), user=officer)
    assert not report.ok
    where = [(e.row, e.column) for e in report.errors]
    assert (3, "agency_code") in where and (4, "criterion_code") in where and (5, "criterion_code") in where
    assert (6, "value") in where and (7, "value") in where and (8, "criterion_code") in where
    assert (9, "agency_code") in where and (9, "criterion_code") in where and (9, "value") in where
    messages = " ".join(e.message for e in report.errors)
    assert "Không có đơn vị “ZZ”" in messages and "không phải là số" in messages and "từ 0 đến 5" in messages
    assert "không lấy điểm từ số liệu nhập" in messages and "trùng với dòng 2" in messages
    assert item(w.a, "5.1").external_points is None and not ImportedFigure.objects.exists()


def test_not_applicable_criterion_is_a_row_error(w, officer, agency_a):
    w.nodes["5"].not_applicable_to.add(agency_a)
    report = figures_import(campaign=w.campaign, file=BytesIO(xlsx_bytes([("SA", "5.1", "1", "", "")])),
                            user=officer)
    assert "không áp dụng" in report.errors[0].message


def test_import_stores_recomputes_and_records(w, officer, appraiser):
    svc.field_accept_self_scores(assessment=w.a, field_code="1", user=officer)
    before = Assessment.objects.get(pk=w.a.pk)
    rows = [("SA", "5.1", "4,567", "Cổng Dịch vụ công quốc gia", "Quý IV/2026"), ("SB", "5.1", "2", "", "")]
    dry = figures_import(campaign=w.campaign, file=BytesIO(xlsx_bytes(rows)), user=officer, dry_run=True)
    assert dry.ok and len(dry.rows) == 2 and item(w.a, "5.1").external_points is None
    report = figures_import(campaign=w.campaign, file=BytesIO(xlsx_bytes(rows)), user=officer)
    assert report.ok and report.created == 2
    it = item(w.a, "5.1")
    assert it.external_points == Decimal("4.57")  # rounded half-up to 2 decimals
    assert it.self_points == Decimal("4.57")
    a = Assessment.objects.get(pk=w.a.pk)
    assert a.self_total == before.self_total + Decimal("4.57")
    assert a.appraised_total == a.self_total  # everything else accepted or pending at self
    figure = ImportedFigure.objects.get(item=it)
    assert figure.source == "Cổng Dịch vụ công quốc gia" and figure.imported_by == officer and figure.note
    again = figures_import(campaign=w.campaign, file=BytesIO(xlsx_bytes([("SA", "5.1", "5", "", "")])),
                           user=officer)
    assert again.updated == 1 and ImportedFigure.objects.filter(item=it).count() == 2
    assert item(w.a, "5.1").external_points == Decimal("5.00")


def test_vietnamese_headers(w, officer):
    rows = [("SA", "5.1", "3", "Cổng DVC", "")]
    report = figures_import(campaign=w.campaign, user=officer, file=BytesIO(
        xlsx_bytes(rows, header=("Mã đơn vị", "Mã tiêu chí", "Giá trị", "Nguồn", "Ghi chú"))))
    assert report.ok, report.errors
    assert item(w.a, "5.1").external_points == Decimal("3.00")


def test_only_officers_import(w, appraiser):
    from cchc_portal.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        figures_import(campaign=w.campaign, file=BytesIO(xlsx_bytes([("SA", "5.1", "3", "", "")])), user=appraiser)
    assert refused.value.status == 403


def test_command(w, tmp_path, officer, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes([("SA", "5.1", "2.5", "Cổng DVC", "")]))
    call_command("import_figures", str(good), "--campaign", str(w.campaign.pk), "--dry-run")
    assert item(w.a, "5.1").external_points is None
    call_command("import_figures", str(good), "--campaign", str(w.campaign.pk), "--user", "officer")
    assert item(w.a, "5.1").external_points == Decimal("2.50")
    assert "Đã nhập 1 số liệu" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([("SA", "1.1", "1", "", "")]))
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_figures", str(bad), "--campaign", str(w.campaign.pk))
    with pytest.raises(CommandError, match="Không có đợt"):
        call_command("import_figures", str(good), "--campaign", "999999")
