"""Every Excel export writes user text as text: a value typed as `=HYPERLINK(...)`, `+1`,
`-1` or `@SUM(A1)` (an explanation, a file name, an agency name) reads back as the same
text, never as a formula; numbers are numeric cells with a two-decimal format."""
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cchc_portal.core.excel import WorkbookWriter, write_workbook
from evidence.models import Document
from reports.services import publication_create
from scoring.models import Item

from .builders import golden_campaign

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "=1+1", "#N/A"]


def cells(data: bytes):
    wb = openpyxl.load_workbook(BytesIO(data))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_inert(data: bytes, expected=HOSTILE):
    """No formula anywhere; every hostile value is present as the same text."""
    found = cells(data)
    assert not [c.coordinate for c in found if c.data_type == "f"]
    texts = {c.value for c in found if c.data_type == "s"}
    for value in expected:
        assert value in texts or any(value in str(t) for t in texts if t), value
    return found


@pytest.fixture
def hostile(campaign, agency_a, agency_b, officer, settings, tmp_path):
    """The golden campaign with hostile text wherever people type: agency name, group name,
    explanations, appraisal comments, a document's file name and number."""
    settings.MEDIA_ROOT = str(tmp_path)
    _cset, a, _b = golden_campaign(campaign, agency_a, agency_b)
    agency_a.name = HOSTILE[0]
    agency_a.save(update_fields=["name"])
    agency_a.group.name = "=GROUP()"
    agency_a.group.save(update_fields=["name"])
    items = list(Item.objects.filter(assessment=a).order_by("criterion__order", "pk"))
    for n, item in enumerate(items):
        item.explanation = HOSTILE[n % len(HOSTILE)]
        item.appraisal_comment = HOSTILE[(n + 1) % len(HOSTILE)]
        item.save(update_fields=["explanation", "appraisal_comment"])
    document = Document(agency=agency_a, campaign=campaign, original_name='=HYPERLINK("http://x","y").pdf',
                        number="@SUM(A1)", size=4, content_type="application/pdf", uploaded_by=officer)
    document.file.save("x.pdf", ContentFile(b"%PDF"), save=False)
    document.save()
    items[0].documents.add(document)
    return a


def test_no_export_writes_a_formula(login, officer, staff_a, campaign, hostile):
    client = login(officer)
    board = body(client.get(reverse("reports-board-export", args=[campaign.pk])))
    found = assert_inert(board, [HOSTILE[0], "=GROUP()"])
    submitted = [c for c in found if c.column == 6 and c.row > 2 and c.value is not None]  # under title, header
    assert all(c.is_date and "dd/mm/yyyy" in c.number_format for c in submitted)

    export = body(client.get(reverse("reports-campaign-export", args=[campaign.pk])))
    assert_inert(export)
    sheet = body(client.get(reverse("reports-score-sheet-xlsx", args=[campaign.pk, "SA"])))
    assert_inert(sheet)
    publication_create(campaign=campaign, user=officer, decision_number="1/QĐ-UBND")
    ranking = body(client.get(reverse("reports-ranking-xlsx", args=[campaign.pk])))
    assert_inert(ranking, [HOSTILE[0]])
    report = login(staff_a).get(reverse("scoring:assessment_report_xlsx", args=[hostile.pk])).content
    assert_inert(report, HOSTILE + ['=HYPERLINK("http://x","y").pdf'])


def test_values_read_back_the_same_and_numbers_are_numbers(login, officer, campaign, hostile):
    data = body(login(officer).get(reverse("reports-campaign-export", args=[campaign.pk])))
    detail = openpyxl.load_workbook(BytesIO(data))["Chi tiết"]
    rows = [r for r in detail.iter_rows(min_row=3) if r[1].value == "SA"]
    explanations = {r[3].value: r[9].value for r in rows}
    stored = dict(Item.objects.filter(assessment=hostile).values_list("criterion__code", "explanation"))
    assert explanations == stored
    assert {r[2].value for r in rows} == {HOSTILE[0]}
    max_points = [r[5] for r in rows]
    assert all(c.data_type == "n" and "0.00" in c.number_format for c in max_points)
    assert Decimal(str(next(r[7].value for r in rows if r[3].value == "1.1"))) == Decimal("1.75")
    assert detail.freeze_panes == "A3" and detail.auto_filter.ref.startswith("A2:K")  # under the title row


def test_criteria_and_survey_exports_write_text_as_text(db):
    from scoring.criteria_excel import CriterionRow
    from scoring.criteria_excel import write_workbook as criteria_workbook

    row = CriterionRow(row=2, code="1", title=HOSTILE[0], max_points=Decimal("2.5"), rule="manual", params={},
                       guidance="-1", responsible_agency="@SUM(A1)")
    found = assert_inert(criteria_workbook([row], {}), [HOSTILE[0], "-1", "@SUM(A1)"])
    assert next(c for c in found if c.value == 2.5).number_format == "0.00"
    found = assert_inert(write_workbook([("groups", ["code", "name"], [(HOSTILE[0], "+1")])]), [HOSTILE[0], "+1"])
    assert next(c for c in found if c.value == HOSTILE[0]).quotePrefix


def test_the_writer_keeps_counts_whole_and_drops_characters_excel_refuses():
    book = WorkbookWriter()
    sheet = book.sheet("a:b/c", ["n", "text"])
    sheet.append([3400, "xin\x0bchào"])
    ws = openpyxl.load_workbook(BytesIO(book.to_bytes())).worksheets[0]
    assert ws.title == "a b c"
    assert (ws["A2"].value, ws["A2"].number_format, ws["B2"].value) == (3400, "#,##0", "xinchào")
