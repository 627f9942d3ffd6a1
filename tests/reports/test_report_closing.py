"""The closing block of the Sở's reports (Nghị định 30/2020) from the campaign's results
settings: "KT. GIÁM ĐỐC" over "PHÓ GIÁM ĐỐC", the signer's name under the signature space,
"Nơi nhận" one recipient a line ("- …;", the last "- …."); set on the settings page, checked
in Vietnamese, frozen with each publication; campaigns that never set them keep the old block."""
import importlib
from types import SimpleNamespace

import pytest
from django.urls import reverse

from reports.exports import report_header
from reports.models import DEFAULT_RECIPIENTS, ResultSettings
from reports.services import publication_create, recipients_parse, result_settings_update
from tests.pages import text
from tests.pdfs import pdf_lines, pdf_text

from .builders import golden_campaign

pytestmark = pytest.mark.django_db

FORM = {"grade_bands": "90: Xuất sắc; 80: Tốt; 65: Khá; 50: Trung bình; 0: Yếu", "rank_method": "competition",
        "authority_name": "ỦY BAN NHÂN DÂN TỈNH", "office_name": "SỞ NỘI VỤ", "place_name": "Tuyên Quang",
        "signer_authority": "KT. GIÁM ĐỐC", "signer_title": "PHÓ GIÁM ĐỐC", "signer_name": "Nguyễn Văn An",
        "recipients": "- UBND tỉnh (để báo cáo);\nBộ Nội vụ\n\n  Các sở, ban, ngành  \nLưu: VT, CCHC."}


def settings_url(campaign):
    return reverse("reports-settings", args=[campaign.pk])


def test_recipients_are_one_a_line_without_the_dash_and_the_punctuation():
    assert recipients_parse(FORM["recipients"]) == [
        "UBND tỉnh (để báo cáo)", "Bộ Nội vụ", "Các sở, ban, ngành", "Lưu: VT, CCHC"]


def test_the_settings_page_groups_saves_and_shows_the_closing_block(login, officer, campaign):
    client = login(officer)
    page = text(client.get(settings_url(campaign)))
    assert "Phần ký và nơi nhận của báo cáo" in page and "GIÁM ĐỐC" in page and "Lưu: VT, CCHC" in page
    r = client.post(settings_url(campaign), FORM, follow=True)
    assert "Đã lưu cấu hình" in text(r)
    saved = ResultSettings.objects.get(campaign=campaign)
    assert (saved.signer_authority, saved.signer_title, saved.signer_name) == (
        "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An")
    assert saved.recipients == "UBND tỉnh (để báo cáo)\nBộ Nội vụ\nCác sở, ban, ngành\nLưu: VT, CCHC"
    page = text(client.get(settings_url(campaign)))
    assert 'value="KT. GIÁM ĐỐC"' in page and "Nguyễn Văn An" in page


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"recipients": " \n - ;\n"}, "recipients", "Cần ít nhất một nơi nhận"),
    ({"recipients": "Lưu: " + "V" * 201}, "recipients", "dài quá 200 ký tự"),
    ({"recipients": "\n".join(f"Nơi {i}" for i in range(21))}, "recipients", "Tối đa 20 nơi nhận"),
    ({"signer_title": "  "}, "signer_title", "bắt buộc"),
    ({"signer_name": "N" * 101}, "signer_name", "tối đa 100"),
    ({"signer_authority": "K" * 101}, "signer_authority", "tối đa 100"),
])
def test_bad_closing_input_is_refused_in_vietnamese_and_nothing_is_saved(login, officer, campaign, change, field,
                                                                         words):
    client = login(officer)
    client.post(settings_url(campaign), FORM)
    r = client.post(settings_url(campaign), {**FORM, "signer_name": "Trần Thị Bình", **change})
    assert r.status_code == 200 and words.lower() in text(r).lower()
    assert field in r.context["form"].errors
    assert ResultSettings.objects.get(campaign=campaign).signer_name == "Nguyễn Văn An"  # the old values kept


def test_the_settings_page_is_refused_to_agency_staff(login, staff_a, campaign):
    r = login(staff_a).post(settings_url(campaign), FORM)
    assert r.status_code in (403, 404) and not ResultSettings.objects.filter(campaign=campaign).exists()


def test_campaigns_that_never_set_it_keep_the_old_closing_block(campaign):
    migration = importlib.import_module("reports.migrations.0003_resultsettings_signer_recipients")
    defaults = {op.name: op.field.default for op in migration.Migration.operations if op.field.has_default()}
    assert defaults == {"signer_title": "GIÁM ĐỐC", "recipients": DEFAULT_RECIPIENTS}  # the rest blank
    old = ResultSettings.objects.create(campaign=campaign, authority_name="UBND TỈNH", office_name="SỞ NỘI VỤ")
    header = report_header(ResultSettings.objects.get(pk=old.pk))
    assert header["recipients"] == ["- UBND tỉnh (để báo cáo);", "- Các cơ quan, đơn vị trong tỉnh;",
                                    "- Lưu: VT, CCHC."]
    assert (header["signer_authority"], header["signer_title"], header["signer_name"]) == ("", "GIÁM ĐỐC", "")
    # a publication frozen before the block was configurable: its header names none of it
    frozen = report_header(SimpleNamespace(authority_name="UBND TỈNH", office_name="SỞ NỘI VỤ", place_name=""))
    assert frozen["recipients"] == header["recipients"] and frozen["signer_title"] == "GIÁM ĐỐC"


def test_the_default_pdf_leaves_the_space_for_a_hand_signature(login, officer, campaign):
    content = login(officer).get(reverse("reports-ranking-pdf", args=[campaign.pk])).content
    text_ = pdf_text(content)
    assert "Nơi nhận: - UBND tỉnh (để báo cáo); - Các cơ quan, đơn vị trong tỉnh; - Lưu: VT, CCHC." in text_
    assert "GIÁM ĐỐC (Ký, ghi rõ họ tên)" in text_ and "KT." not in text_


def _closing_lines(content):
    lines = pdf_lines(content)
    return lines[next(i for i, line in enumerate(lines) if "Nơi nhận" in line):]


def test_the_pdf_prints_the_configured_signer_and_recipients(login, officer, campaign):
    client = login(officer)
    client.post(settings_url(campaign), FORM)
    content = client.get(reverse("reports-ranking-pdf", args=[campaign.pk])).content
    text_ = pdf_text(content)
    for words in ("- UBND tỉnh (để báo cáo);", "- Bộ Nội vụ;", "- Các sở, ban, ngành;", "- Lưu: VT, CCHC."):
        assert words in text_, words
    assert "Lưu: VT, CCHC.." not in text_ and "(Ký, ghi rõ họ tên)" not in text_  # a named signer needs no hint
    lines = " | ".join(_closing_lines(content))
    # "KT. GIÁM ĐỐC" above "PHÓ GIÁM ĐỐC", the name last, under the signature space
    assert lines.index("KT. GIÁM ĐỐC") < lines.index("PHÓ GIÁM ĐỐC") < lines.index("Nguyễn Văn An")


def test_a_publication_keeps_the_signer_it_was_published_with(login, client, officer, campaign, agency_a, agency_b,
                                                             settings):
    settings.PROVINCE_NAME = "Tuyên Quang"
    golden_campaign(campaign, agency_a, agency_b)
    login(officer).post(settings_url(campaign), FORM)
    publication_create(campaign=campaign, user=officer, decision_number="321/QĐ-UBND")
    result_settings_update(campaign=campaign, user=officer, grade_bands=FORM["grade_bands"],
                           rank_method="competition", authority_name="UBND TỈNH", office_name="SỞ NỘI VỤ",
                           signer_authority="", signer_title="GIÁM ĐỐC", signer_name="Lê Văn Cường",
                           recipients="Lưu: VT")
    client.logout()
    public = pdf_text(client.get(reverse("public-pdf", args=[campaign.pk, "chi-so-cchc-2026"])).content)
    assert "Nguyễn Văn An" in public and "- Bộ Nội vụ;" in public and "Lê Văn Cường" not in public
    live = pdf_text(login(officer).get(reverse("reports-summary-pdf", args=[campaign.pk])).content)
    assert "Lê Văn Cường" in live and "- Lưu: VT." in live and "Bộ Nội vụ" not in live
