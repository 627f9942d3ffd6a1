"""The province's own index in the browser, end to end: the Sở's officer assigns items, two
departments (Sở Tư pháp and Cục Thống kê, the latter not ranked) score theirs with an
explanation and evidence, their leaders send them, the officer returns one with a comment,
the department fixes and sends it again, the officer accepts, downloads the board's
Excel sheet for the Ministry's software, drafts the province's report (against last year's
official result; PDF and .docx), and, once the Ministry publishes, imports the official result
(a bad sheet first, which changes nothing) and compares it with the self-assessment.

Built from factories (tests/scoring/province_support.py, province_results_support.py), not
seed_demo. One test, in stages.
Screenshots of the department's page and the board (desktop and 360 px) go to
$E2E_SHOTS/province-journey/ (default: under the temporary folder)."""
import io
import os
import tempfile
from pathlib import Path

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from campaigns.models import Role
from scoring.models import Criterion, Item, LeadStatus, OfficialResult
from scoring.selectors.province import province_assessment
from tests.scoring.assessment_support import pdf_bytes
from tests.scoring.province_results_support import last_year_campaign, map_by_code, set_official
from tests.scoring.province_support import member, province_campaign

from .conftest import _close_quietly, _open, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]



# ---------------------------------------------------------------- helpers


@pytest.fixture
def people(browser, transactional_db, live_server):
    """`as_user(username)`: a fresh browser context logged in as that person (each has their
    own); whatever is still open is closed before the database is flushed."""
    opened = []

    def as_user(username):
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", bypass_csp=True,
                                      viewport={"width": 1280, "height": 900})
        page = _open(context)
        page.on("dialog", lambda d: d.accept())
        log_in(page, live_server, username)
        opened.append(page)
        return page

    yield as_user
    for page in opened:
        if page.context.pages:
            _close_quietly(page.context)
    assert [e for page in opened for e in page.script_errors] == []


def done(page):
    """This person is finished: close their browser."""
    _close_quietly(page.context)


def message(page, text):
    page.locator(".msg-success", has_text=text).wait_for()


def open_campaign_link(page, live_server, campaign, name):
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    page.get_by_role("link", name=name).first.click()


def item_card(page, code):
    return page.locator(f"section[data-code='{code}']")


def score(page, code, *, explanation, level=None, **numbers):
    """Fill one item's score form on the department's page and save it."""
    card = item_card(page, code)
    if level is not None:
        card.locator("select[name=level]").select_option(level)
    for name, value in numbers.items():
        card.locator(f"input[name={name}]").fill(value)
    card.locator("textarea[name=explanation]").fill(explanation)
    card.get_by_role("button", name="Lưu").click()
    message(page, f"Đã lưu tiêu chí {code}")


def upload(page, code, filename, *, note=""):
    card = item_card(page, code)
    card.locator("input[type=file]").set_input_files(
        files=[{"name": filename, "mimeType": "application/pdf", "buffer": pdf_bytes(filename)}])
    if note:
        card.locator("input[name=body]").fill(note)
    card.get_by_role("button", name="Gửi tài liệu, ý kiến").click()
    message(page, f"Đã gửi tài liệu, ý kiến cho tiêu chí {code}")


def board_row(page, code):
    return page.locator(f"#province-board tr[data-code='{code}']")


def shoot(page, name):
    """A full-page screenshot at the page's width and at 360 px (into $E2E_SHOTS, default a
    temporary folder); returns the page's width at 360 px (wider: it scrolls sideways)."""
    shots = Path(os.environ.get("E2E_SHOTS") or tempfile.gettempdir()) / "province-journey"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=str(shots / f"{name}-360.png"), full_page=True)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    return scroll


def status(campaign, code) -> str:
    return Item.objects.get(assessment__campaign=campaign, criterion__code=code).lead_status


# ---------------------------------------------------------------- the journey


@pytest.fixture
def province(officer):
    """An open province campaign with the sample criteria, the assignments of fields 2 and 8
    cleared (the officer makes them in the page), and the two departments' accounts."""
    campaign, _province, departments = province_campaign(officer)
    cleared = Criterion.objects.filter(criteria_set__campaign=campaign, code__regex=r"^(2|8)(\.|$)")
    cleared.update(responsible_agency=None)
    for criterion in cleared:
        criterion.cooperating_agencies.clear()
    for code in ("STP", "CTK"):
        member(departments[code], Role.STAFF, f"{code.lower()}.canbo")
        member(departments[code], Role.LEADER, f"{code.lower()}.lanhdao")
    # last year's campaign, its criteria mapped by code, with the Ministry's official points
    last = last_year_campaign(officer)
    map_by_code(campaign, last)
    set_official(province_assessment(campaign=last), {"2.1": "3", "2.2": "2.5", "2.3": "2.5", "8.2": "3"})
    return campaign, departments


def download(page, link_name):
    """Click a download link; the file's suggested name and bytes."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def test_the_province_index_end_to_end(people, live_server, officer, province):
    campaign, departments = province
    board_url = f"{live_server.url}/scoring/campaigns/{campaign.pk}/province/"

    # 1. The officer gives field 2 to Sở Tư pháp (Văn phòng UBND co-operates) and 8.2 to Cục Thống kê.
    officer_page = people(officer.username)
    open_campaign_link(officer_page, live_server, campaign, "Giao tiêu chí cho các sở, ngành")
    for code, responsible in (("2", "STP, VPUBND"), ("8.2", "CTK")):
        row = officer_page.locator(f"#province-assign tr[data-code='{code}']")
        row.locator("input[name=responsible]").fill(responsible)
        row.get_by_role("button", name="Giao").click()
        message(officer_page, f"Đã giao tiêu chí {code}")
    assert officer_page.locator("#province-assign tr[data-code='2.3'] td").nth(2).inner_text() == "STP, VPUBND"
    assert officer_page.locator("#province-assign tr[data-code='8.2'] td").nth(2).inner_text() == "CTK"

    # 2. Sở Tư pháp's staff score their three items with explanations and evidence.
    stp = people("stp.canbo")
    open_campaign_link(stp, live_server, campaign, "Tiêu chí của Sở STP")
    # the three it now leads, and 4.3 it co-operates on (the sample's assignment)
    codes = [c.get_attribute("data-code") for c in stp.locator("section[data-code]").all()]
    assert codes == ["2.1", "2.2", "2.3", "4.3"]
    score(stp, "2.1", numerator="12", denominator="12", explanation="Ban hành đủ 12/12 văn bản theo kế hoạch.")
    score(stp, "2.2", level="Đạt", explanation="Đã rà soát, công bố kết quả tại QĐ 112/QĐ-UBND.")
    score(stp, "2.3", numerator="41", denominator="45", explanation="Xử lý 41/45 văn bản có sai sót.")
    upload(stp, "2.1", "danh-muc-vbqppl.pdf", note="Danh mục văn bản ban hành")
    upload(stp, "2.2", "bao-cao-ra-soat.pdf")
    assert item_card(stp, "2.1").locator(".points").inner_text() == "3,00"
    stp_shot_width = shoot(stp, "department")

    # 3. Cục Thống kê (not ranked) scores its item with evidence.
    ctk = people("ctk.canbo")
    open_campaign_link(ctk, live_server, campaign, "Tiêu chí của Cục CTK")
    score(ctk, "8.2", score="2.5", explanation="GRDP tăng 7,2 %.")
    upload(ctk, "8.2", "so-lieu-grdp.pdf")
    done(ctk)

    # 4. Their leaders send them to the Sở.
    for code, count in (("stp", 3), ("ctk", 1)):
        leader = people(f"{code}.lanhdao")
        open_campaign_link(leader, live_server, campaign, f"Tiêu chí của {departments[code.upper()].name}")
        leader.get_by_role("button", name="Gửi các tiêu chí chủ trì về Sở Nội vụ").click()
        message(leader, f"Đã gửi {count} tiêu chí về Sở Nội vụ")
        done(leader)
    assert {status(campaign, c) for c in ("2.1", "2.2", "2.3", "8.2")} == {LeadStatus.SENT}

    # 5. The officer returns 2.2 with a comment and accepts the others.
    officer_page.goto(board_url)
    sent_shot_width = shoot(officer_page, "board-sent")  # with the return and accept forms
    row = board_row(officer_page, "2.2")
    row.locator("input[name=comment]").fill("Quyết định chưa ký số; đề nghị bổ sung.")
    row.get_by_role("button", name="Trả lại").click()
    message(officer_page, "Đã trả lại tiêu chí 2.2")
    for code in ("2.1", "2.3", "8.2"):
        board_row(officer_page, code).get_by_role("button", name="Tiếp nhận").click()
        message(officer_page, f"Đã tiếp nhận tiêu chí {code}")
    assert status(campaign, "2.2") == LeadStatus.RETURNED

    # 6. Sở Tư pháp reads the comment, fixes the item, and its leader sends it again.
    stp.reload()
    card = item_card(stp, "2.2")
    assert "Quyết định chưa ký số" in card.locator(".alert").inner_text()
    assert item_card(stp, "2.1").locator("form").count() == 0  # accepted: no longer editable
    upload(stp, "2.2", "qd-112-ky-so.pdf", note="Bản ký số")
    score(stp, "2.2", level="Đạt", explanation="Đã bổ sung Quyết định 112/QĐ-UBND bản ký số.")
    done(stp)
    leader = people("stp.lanhdao")
    open_campaign_link(leader, live_server, campaign, "Tiêu chí của Sở STP")
    leader.get_by_role("button", name="Gửi các tiêu chí chủ trì về Sở Nội vụ").click()
    message(leader, "Đã gửi 1 tiêu chí về Sở Nội vụ")
    done(leader)

    # 7. The officer accepts it and downloads the sheet for the Ministry's software.
    officer_page.goto(board_url)
    board_row(officer_page, "2.2").get_by_role("button", name="Tiếp nhận").click()
    message(officer_page, "Đã tiếp nhận tiêu chí 2.2")
    assert board_row(officer_page, "2.2").locator("td").nth(4).inner_text() == "Sở Nội vụ đã tiếp nhận"
    board_shot_width = shoot(officer_page, "board")
    name, content = download(officer_page, "Tải Excel để nhập phần mềm của Bộ Nội vụ")
    assert name == f"chi-so-tinh-{campaign.year}.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r[0] in ("2.1", "2.2", "2.3", "8.2")}
    assert rows["2.1"][3] == 3 and rows["2.1"][5] == 1 and rows["2.1"][6] == "STP"
    assert rows["2.2"][3] == 2.5 and rows["2.2"][4] == "Đã bổ sung Quyết định 112/QĐ-UBND bản ký số."
    assert rows["2.2"][5] == 2 and rows["8.2"][3] == 2.5 and rows["8.2"][6] == "CTK"
    assert {r[7] for r in rows.values()} == {"Sở Nội vụ đã tiếp nhận"}

    # 8. The officer drafts the province's report: self points per field against last year's
    #    official result (field 2: 3 + 2,5 + 0 = 5,50 against 8,00: 2.3 has no evidence, so 0),
    #    the items below their max and those below last year's official points; then downloads
    #    it as PDF and .docx.
    officer_page.goto(board_url)
    officer_page.locator("#province-report").click()
    field_2 = officer_page.locator("#report-fields tr[data-code='2']")
    field_2.wait_for()
    cells = [c.strip() for c in field_2.locator("td").all_inner_texts()]
    assert cells[2:] == ["8,00", "5,50", "8,00", "−2,50"], cells
    lower = officer_page.locator("#report-lower").inner_text()
    assert "2.3" in lower and "8.2" in lower and "2.1" not in lower
    assert "Xử lý 41/45 văn bản có sai sót." in officer_page.locator("#report-lost").inner_text()
    report_shot_width = shoot(officer_page, "report")
    name, pdf = download(officer_page, "Tải báo cáo (PDF)")
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", str(campaign.year), "Nơi nhận"):
        assert words in text, words
    name, word = download(officer_page, "Tải báo cáo (Word .docx)")
    assert name.endswith(".docx")
    document = docx.Document(io.BytesIO(word))
    body = "\n".join(p.text for p in document.paragraphs)
    body += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "BÁO CÁO" in body and "Xử lý 41/45 văn bản có sai sót." in body and "5,50" in body

    # 9. The Ministry publishes: the officer fills the import sheet. A sheet with a point above
    #    the max is refused, row named, nothing stored; the corrected sheet is stored and the
    #    comparison shows what the province lost (2.2: 2,50 self, 2,00 official).
    officer_page.goto(board_url)
    officer_page.locator("#province-official-import").click()
    name, template = download(officer_page, "Tải mẫu Excel để nhập kết quả")
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["code", "points", "note"]
    for row in sheet.iter_rows(min_row=3):
        code, self_points = row[0].value, row[5].value
        row[1].value = 2 if code == "2.2" else (self_points or 0)
        if code == "2.2":
            row[2].value = "Chưa xử lý hết văn bản sai sót"
        if code == "2.1":
            row[1].value = 9  # above its max of 3
    bad = Path(tempfile.mkdtemp()) / "ket-qua-sai.xlsx"
    book.save(bad)
    officer_page.locator("#official-import-form input[type=file]").set_input_files(str(bad))
    officer_page.locator("#official-import-submit").click()
    errors = officer_page.locator("#official-errors")
    errors.wait_for()
    assert "2.1" in errors.inner_text() or "dòng" in errors.inner_text().lower()
    assert not OfficialResult.objects.filter(item__assessment__campaign=campaign).exists()
    for row in sheet.iter_rows(min_row=3):
        if row[0].value == "2.1":
            row[1].value = 3
    good = bad.with_name("ket-qua.xlsx")
    book.save(good)
    officer_page.locator("#official-import-form input[type=file]").set_input_files(str(good))
    officer_page.locator("#official-import-submit").click()
    lost = officer_page.locator("#comparison-items tr[data-code='2.2']")
    lost.wait_for()
    assert "lost" in (lost.get_attribute("class") or "")
    cells = [c.strip() for c in lost.locator("td").all_inner_texts()]
    assert cells[3:6] == ["2,50", "2,00", "−0,50"], cells
    assert "Chưa xử lý hết văn bản sai sót" in lost.inner_text()
    kept = officer_page.locator("#comparison-items tr[data-code='2.1']")
    assert "lost" not in (kept.get_attribute("class") or "")
    assert OfficialResult.objects.filter(item__assessment__campaign=campaign).count() == sheet.max_row - 2
    comparison_shot_width = shoot(officer_page, "comparison")

    # the pages read at 360 px without a sideways scroll of the whole page
    assert max(stp_shot_width, sent_shot_width, board_shot_width, report_shot_width,
               comparison_shot_width) <= 360 + 1
    done(officer_page)
