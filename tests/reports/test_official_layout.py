"""The official reports (PDF) in the layout of Nghị định 30/2020/NĐ-CP, checked on the
rendered pages: the agency block and the national title side by side, the title on one line
and the motto under it, "Số: …/BC-SNV", the place and date, "Nơi nhận:", the signature,
grade thresholds in words, and nothing outside the page's margins. pypdf reads the text
and where each run starts; pypdfium2 renders the pages and measures every character."""
from datetime import date

import pytest
from django.urls import reverse

from reports.exports import dateline, grade_bands_words, report_header
from reports.models import ResultSettings
from reports.services import publication_create, result_settings_update
from tests.pdfs import pdf_runs, pdf_text, pdf_top_margin, pypdfium2_or_skip

from .builders import golden_campaign

pytestmark = pytest.mark.django_db
MM = 72 / 25.4  # points per millimetre
PAGE_MARGINS = {"top": 20, "right": 15, "bottom": 20, "left": 30}  # mm, Nghị định 30/2020, Phụ lục I
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def test_the_date_line_writes_a_zero_before_days_below_10_and_months_1_and_2_only():
    assert dateline("Tuyên Quang", date(2026, 3, 5)) == "Tuyên Quang, ngày 05 tháng 3 năm 2026"
    assert dateline("Tuyên Quang", date(2026, 2, 15)) == "Tuyên Quang, ngày 15 tháng 02 năm 2026"
    assert dateline("", date(2026, 12, 3)) == "ngày 03 tháng 12 năm 2026"


def test_grade_thresholds_are_written_in_words():
    bands = [{"min": "50", "label": "Trung bình"}, {"min": "90", "label": "Xuất sắc"}, {"min": "0", "label": "Yếu"},
             {"min": "80", "label": "Tốt"}, {"min": "65.5", "label": "Khá"}]
    assert grade_bands_words(bands) == [
        "Xuất sắc: từ 90 điểm trở lên", "Tốt: từ 80 điểm đến dưới 90 điểm", "Khá: từ 65,5 điểm đến dưới 80 điểm",
        "Trung bình: từ 50 điểm đến dưới 65,5 điểm", "Yếu: dưới 50 điểm"]


def test_the_header_takes_the_province_from_the_settings_when_the_results_settings_name_none(settings):
    settings.PROVINCE_NAME = "Tuyên Quang"
    header = report_header(ResultSettings(authority_name="ỦY BAN NHÂN DÂN TỈNH", office_name="SỞ NỘI VỤ"))
    assert header["authority_name"] == "UBND TỈNH TUYÊN QUANG" and header["number_suffix"] == "BC-SNV"
    assert header["dateline"].startswith("Tuyên Quang, ngày ")
    named = report_header(ResultSettings(authority_name="UBND TỈNH HÀ GIANG", office_name="SỞ NỘI VỤ",
                                         place_name="Hà Giang"))
    assert named["authority_name"] == "UBND TỈNH HÀ GIANG" and named["dateline"].startswith("Hà Giang, ngày ")


@pytest.fixture
def pdfs(login, officer, campaign, agency_a, agency_b, settings):
    """The three official PDFs, the settings left at their defaults (no place name)."""
    settings.PROVINCE_NAME = "Tuyên Quang"
    result_settings_update(campaign=campaign, user=officer, grade_bands="90: Xuất sắc; 80: Tốt; 65: Khá; 0: Yếu",
                           rank_method="competition", authority_name="ỦY BAN NHÂN DÂN TỈNH",
                           office_name="SỞ NỘI VỤ", place_name="")
    golden_campaign(campaign, agency_a, agency_b)
    client = login(officer)
    found = {"score_sheet": client.get(reverse("reports-score-sheet-pdf", args=[campaign.pk, "SA"])).content,
             "ranking": client.get(reverse("reports-ranking-pdf", args=[campaign.pk])).content}
    publication_create(campaign=campaign, user=officer, decision_number="321/QĐ-UBND")
    found["summary"] = client.get(reverse("reports-summary-pdf", args=[campaign.pk])).content
    return found


KINDS = ["score_sheet", "ranking", "summary"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_header_blocks_sit_side_by_side_and_the_national_title_is_one_line(pdfs, kind):
    runs = pdf_runs(pdfs[kind])

    def run(text):
        [found] = [r for r in runs if text in r[2]]
        return found

    nation, motto = run(NATION), run(MOTTO)
    authority, office = run("UBND TỈNH TUYÊN QUANG"), run("SỞ NỘI VỤ")
    number, place = run("/BC-SNV"), run("Tuyên Quang, ngày")
    assert nation[2] == NATION  # the whole title in one run: one line, never wrapped
    assert motto[1] < nation[1] and nation[1] - motto[1] < 25  # the motto right under it
    assert abs(authority[1] - nation[1]) < 1 and authority[0] < nation[0]  # side by side, agency on the left
    assert office[1] < authority[1] and office[0] < nation[0]
    assert number[2].replace("\xa0", " ").split() == ["Số:", "/BC-SNV"] and number[0] < nation[0]
    assert abs(number[1] - place[1]) < 3 and place[0] > number[0]  # "Số" and the date line on one level
    assert place[1] < motto[1]
    text = pdf_text(pdfs[kind])
    assert "Nơi nhận:" in text and "GIÁM ĐỐC" in text and "(Ký, ghi rõ họ tên)" in text
    assert ">=" not in text and "≥" not in text


def test_the_summary_writes_its_grade_thresholds_in_words(pdfs):
    text = pdf_text(pdfs["summary"])
    assert "Xuất sắc: từ 90 điểm trở lên; Tốt: từ 80 điểm đến dưới 90 điểm" in text
    assert "Yếu: dưới 65 điểm" in text


@pytest.mark.parametrize("kind", KINDS)
def test_pages_are_numbered_at_the_top_from_the_second_on(pdfs, kind):
    numbers = pdf_top_margin(pdfs[kind])
    assert numbers == [""] + [str(n) for n in range(2, len(numbers) + 1)], numbers


@pytest.mark.parametrize("kind", KINDS)
def test_every_character_lies_inside_the_page_margins(pdfs, kind):
    pdfium = pypdfium2_or_skip()
    document = pdfium.PdfDocument(pdfs[kind])
    try:
        for page in document:
            width, height = page.get_size()
            assert (round(width / MM), round(height / MM)) == (210, 297)  # A4 portrait
            textpage = page.get_textpage()
            inside_left, inside_right = PAGE_MARGINS["left"] * MM - 1, width - PAGE_MARGINS["right"] * MM + 1
            for i in range(textpage.count_chars()):
                if textpage.get_text_range(i, 1).isspace():
                    continue
                left, _bottom, right, _top = textpage.get_charbox(i)
                assert inside_left <= left and right <= inside_right, (kind, textpage.get_text_range(i, 1), left,
                                                                       right)
    finally:
        document.close()


def _line_boxes(textpage, text):
    searcher = textpage.search(text)
    found = searcher.get_next()
    assert found, text
    index, count = found
    return [textpage.get_charbox(i) for i in range(index, index + count)
            if not textpage.get_text_range(i, 1).isspace()]


@pytest.mark.parametrize("kind", KINDS)
def test_on_the_rendered_page_the_title_is_one_line_and_the_margins_are_blank(pdfs, kind):
    pdfium = pypdfium2_or_skip()
    document = pdfium.PdfDocument(pdfs[kind])
    try:
        page = document[0]
        width, height = page.get_size()
        textpage = page.get_textpage()
        nation = _line_boxes(textpage, NATION)
        bottoms = [b for _l, b, _r, _t in nation]
        assert max(bottoms) - min(bottoms) < 3  # every letter on one baseline: one line
        motto = _line_boxes(textpage, MOTTO)
        assert max(b for _l, b, _r, _t in motto) < min(bottoms)
        centre = (nation[0][0] + nation[-1][2]) / 2
        assert abs((motto[0][0] + motto[-1][2]) / 2 - centre) < 3  # the motto centred under the title
        scale = 2
        image = page.render(scale=scale).to_pil().convert("L")
        assert image.size == (round(width * scale), round(height * scale))
        right_edge = round((width - PAGE_MARGINS["right"] * MM + 1) * scale)
        top, bottom = round(PAGE_MARGINS["top"] * MM * scale), round((height - PAGE_MARGINS["bottom"] * MM) * scale)
        right_margin = image.crop((right_edge, top, image.width, bottom))
        left_margin = image.crop((0, top, round((PAGE_MARGINS["left"] * MM - 1) * scale), bottom))
        for strip in (right_margin, left_margin):
            assert strip.getextrema()[0] > 200, kind  # no ink outside the text area (the page number is below)
    finally:
        document.close()
