"""Reports: PDFs carry the Vietnamese text (read back with pypdf), workbooks open and
have the right rows, the full-campaign export streams."""
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.services import publication_create, result_settings_update
from tests.pdfs import pdf_fonts, pdf_text
from tests.sheets import workbook

from .builders import golden_campaign


@pytest.fixture
def golden(campaign, agency_a, agency_b, officer):
    result_settings_update(campaign=campaign, user=officer, grade_bands="90: Xuất sắc; 65: Khá; 0: Yếu",
                           rank_method="competition", authority_name="UBND TỈNH TUYÊN QUANG",
                           office_name="SỞ NỘI VỤ", place_name="Tuyên Quang")
    return golden_campaign(campaign, agency_a, agency_b)


# the family of static/fonts' files (cchc_portal.core.templatetags.portal.pdf_fonts): a name no
# machine's own font has, so a PDF whose fonts came from elsewhere would list others
LIBERATION_SERIF = {"CCHC-Liberation-Serif", "CCHC-Liberation-Serif-Bold", "CCHC-Liberation-Serif-Italic",
                    "CCHC-Liberation-Serif-Bold-Italic"}


def test_agency_score_sheet_pdf_has_vietnamese_text_and_header(login, officer, campaign, golden):
    r = login(officer).get(reverse("reports-score-sheet-pdf", args=[campaign.pk, "SA"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    for expected in ("Sở Tài chính", "Chỉ số", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "UBND TỈNH TUYÊN QUANG", "Tuyên Quang, ngày", "Kế hoạch ban hành chậm", "14,47", "72,35"):
        assert expected in text, expected
    # the portal's own Liberation Serif (static/fonts), whatever the machine has installed
    assert {"CCHC-Liberation-Serif", "CCHC-Liberation-Serif-Bold"} <= pdf_fonts(r.content) <= LIBERATION_SERIF


def test_ranking_and_summary_pdfs(login, officer, campaign, golden, monkeypatch):
    from django.template.loader import render_to_string

    from reports import exports

    seen = []
    original = exports.render_pdf

    def spy(template, context):
        seen.append(render_to_string(template, context))
        return original(template, context)

    monkeypatch.setattr(exports, "render_pdf", spy)
    client = login(officer)
    text = pdf_text(client.get(reverse("reports-ranking-pdf", args=[campaign.pk])).content)
    assert "Dự thảo" in text and "Sở Tư pháp" in text and "77,78" in text
    publication_create(campaign=campaign, user=officer, decision_number="321/QĐ-UBND")
    summary = client.get(reverse("reports-summary-pdf", args=[campaign.pk])).content
    text = pdf_text(summary)
    assert pdf_fonts(summary) <= LIBERATION_SERIF
    assert "Quyết định số 321/QĐ-UBND" in text and "Sở Tài chính" in text and "Chỉ số trung bình" not in text
    assert "chỉ số trung bình: 75,07%" in text  # (72.35 + 77.78) / 2 = 75.065 → 75.07
    # the group's indices and its field averages: the pages' SVG, as images
    assert seen[-1].count('src="data:image/svg+xml;base64,') == 2


def test_ranking_workbook_rows(login, officer, campaign, golden):
    publication_create(campaign=campaign, user=officer, decision_number="1/QĐ-UBND")
    ws = workbook(login(officer).get(reverse("reports-ranking-xlsx", args=[campaign.pk])))["Sở, ban, ngành tỉnh"]
    rows = list(ws.iter_rows(values_only=True))
    assert "Quyết định số 1/QĐ-UBND" in rows[0][0]  # the title row
    assert rows[1][:7] == ("Hạng", "Mã đơn vị", "Tên đơn vị", "Tổng điểm", "Điểm tối đa", "Chỉ số (%)", "Xếp loại")
    assert rows[2][:7] == (1, "SB", "Sở Tư pháp", 14, 18, 77.78, "Khá")
    assert rows[3][:7] == (2, "SA", "Sở Tài chính", 14.47, 20, 72.35, "Khá")
    assert len(rows) == 4


def test_agency_score_sheet_workbook(login, staff_a, campaign, golden):
    ws = workbook(login(staff_a).get(reverse("reports-score-sheet-xlsx", args=[campaign.pk, "SA"]))).active
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r and r[0]}
    assert rows["1.1"][2:7] == (2, 2, 1.75, None, "Kế hoạch ban hành chậm")
    assert rows["2.1"][4] == 2.67


def test_full_campaign_export_streams_every_item(login, officer, campaign, golden):
    r = login(officer).get(reverse("reports-campaign-export", args=[campaign.pk]))
    assert r.streaming
    wb = workbook(r)
    summary = list(wb["Tổng hợp"].iter_rows(min_row=3, values_only=True))
    assert [(row[2], row[5]) for row in summary] == [("SB", 14), ("SA", 14.47)]
    detail = list(wb["Chi tiết"].iter_rows(min_row=3, values_only=True))
    assert len(detail) == 2 * 11  # 11 leaves each
    sa_11 = next(row for row in detail if row[1] == "SA" and row[3] == "1.1")
    assert sa_11[5:9] == (2, 2, 1.75, 1.75) and sa_11[10] == "Kế hoạch ban hành chậm"
    sa_41 = next(row for row in detail if row[1] == "SA" and row[3] == "4.1")
    assert Decimal(str(sa_41[8])) == Decimal("1.5")  # survey points counted from the figure


def test_a_large_campaign_exports_in_the_background(login, officer, staff_a, campaign, golden, monkeypatch,
                                                    settings, tmp_path, django_capture_on_commit_callbacks):
    from cchc_portal.notifications.models import Job
    from reports import views

    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(views, "EXPORT_INLINE_ITEMS", 10)  # 22 items: "large"
    client = login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(reverse("reports-campaign-export", args=[campaign.pk]))
    job = Job.objects.get(kind="campaign_export")
    assert r.status_code == 302 and r["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.total, job.done) == ("done", 22, 22) and job.result_url
    wb = workbook(client.get(job.result_url))
    assert len(list(wb["Chi tiết"].iter_rows(min_row=3, values_only=True))) == 22
    assert login(staff_a).get(job.result_url).status_code == 404
