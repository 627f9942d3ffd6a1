"""Criteria in Excel: every rule kind's parameters, the round trip, broken files, the samples
and the import_criteria / export_criteria commands."""
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from campaigns.models import Campaign
from cchc_portal.core.exceptions import ConflictError
from reports.management.demo.criteria import COMMUNE_ROWS, DEPARTMENT_ROWS
from scoring.criteria_excel import ALL_COLUMNS, COLUMNS, read_workbook
from scoring.models import Assessment, CriteriaAmendment, CriteriaSet, Criterion, Item
from scoring.rules.kinds import LEAF_RULES
from scoring.rules.text import parse_params
from scoring.selectors.criteria import criteria_set_for, criteria_set_problems, criteria_tree
from scoring.services.criteria import criteria_set_lock
from scoring.services.criteria_copy import criteria_export, criteria_import
from tests.factories import CampaignFactory, group

from .factories import criteria_set_with_tree

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
D = Decimal


def xlsx(header, rows, settings=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "criteria"
    ws.append(header)
    for r in rows:
        ws.append(r)
    if settings is not None:
        st = wb.create_sheet("settings")
        st.append(["key", "value"])
        for r in settings:
            st.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


@pytest.fixture
def draft(agency_a, agency_b, commune):
    c = CampaignFactory(status=Campaign.Status.DRAFT)
    c.groups.set([group("department"), group("commune")])
    c.agencies.set([agency_a, agency_b, commune])
    return c


def dump(criteria_set):
    """Everything that defines a set, comparable across campaigns."""
    criteria_set.refresh_from_db()
    rows = [
        (c.code, c.parent.code if c.parent else None, c.title, c.max_points, c.rule, c.params, c.evidence_required,
         c.guidance, c.capped, c.responsible_agency_id, tuple(c.na_codes), c.order)
        for c in criteria_tree(criteria_set=criteria_set)
    ]
    return rows, criteria_set.bonus_cap, criteria_set.penalty_cap


# One leaf of every kind; Vietnamese headers and a Vietnamese rule name; the rule of a branch left blank.
EVERY_KIND = [
    ["1", "Chỉ đạo điều hành", 10, "", "", "", "", ""],
    ["1.1", "Ban hành kế hoạch", 1, "levels", "Đúng hạn=1; Trễ hạn=0,5; Không ban hành=0", "x", "", ""],
    ["1.2", "Hoàn thành kế hoạch", 2, "bands", "> 90% : 2 ; 70–90:1; <70:0", "có", "", ""],
    ["1.3", "Báo cáo", 1, "manual", "step=0,25", "", "", "SB"],
    ["1.4", "Văn bản ký số", 2, "tỷ lệ", "target=80", "1", "", ""],
    ["1.5", "Kỷ luật", 2, "deduction", "per=0.5", "", "", ""],
    ["1.6", "Chỉ số 766", 2, "imported", "", "", "Sở Nội vụ nhập", ""],
    ["1.7", "Sáng kiến", 2, "bonus", "step=0.5", "x", "", ""],
    ["1.8", "Sai phạm", 3, "penalty", "STEP=1", "x", "", ""],
    ["2", "Điều tra XHH", 5, "sum", "", "", "", ""],
    ["2.1", "Hài lòng", 5, "survey", "", "", "", ""],
]
VI_HEADER = ["Mã", "Nội dung", "Điểm tối đa", "Cách chấm", "Tham số", "Cần tài liệu kiểm chứng", "Hướng dẫn chấm",
             "Không áp dụng cho"]


def test_every_rule_kind_through_excel(draft, officer, agency_b):
    report = criteria_import(campaign=draft, group="department", file=xlsx(VI_HEADER, EVERY_KIND), user=officer)
    assert report.ok, report.errors
    assert report.created == len(EVERY_KIND)
    cs = criteria_set_for(campaign=draft, group="department")
    got = {c.code: c for c in criteria_tree(criteria_set=cs)}
    assert {c.rule for c in got.values()} - {"sum"} == set(LEAF_RULES)
    assert got["1"].rule == "sum" and got["1.1"].parent == got["1"]
    assert got["1.1"].params == {"levels": [{"label": "Đúng hạn", "points": "1"},
                                            {"label": "Trễ hạn", "points": "0.5"},
                                            {"label": "Không ban hành", "points": "0"}]}
    assert got["1.2"].params == parse_params("bands", ">90:2; 70-90:1; <70:0")
    assert got["1.3"].params == {"step": "0.25"} and got["1.3"].na_codes == ["SB"]
    assert got["1.4"].rule == "ratio" and got["1.4"].params == {"target": "80"}
    assert got["1.5"].params == {"per": "0.5"} and got["1.8"].params == {"step": "1"}
    assert got["1.6"].params == {} and got["2.1"].params == {}
    assert [c for c in got if got[c].evidence_required] == ["1.1", "1.2", "1.4", "1.7", "1.8"]
    assert criteria_set_problems(criteria_set=cs) == []
    # exported in the canonical text form, which reads back to the same params
    wb = openpyxl.load_workbook(io.BytesIO(criteria_export(criteria_set=cs)))
    sheet = wb["criteria"]
    header = [c.value for c in sheet[1]]
    assert header == ALL_COLUMNS and header[:8] == COLUMNS
    text = {row[0]: row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert text["1.1"] == "Đúng hạn=1; Trễ hạn=0.5; Không ban hành=0"
    assert text["1.2"] == ">90:2; 70-90:1; <70:0"
    assert text["1.3"] == "step=0.25" and text["1.5"] == "per=0.5" and text["1.4"] == "target=80"
    for code, c in got.items():
        assert parse_params(c.rule, text[code] or "") == c.params


def test_round_trip_gives_the_identical_set(draft, officer, agency_a, agency_b):
    rows = [list(r) for r in EVERY_KIND]
    rows[0] += ["x", ""]          # capped branch (children's maxima may exceed 10 → still valid: 10 ≥ 10)
    rows[2] += ["", "SA"]         # responsible agency
    header = ALL_COLUMNS
    rows = [r + [""] * (len(header) - len(r)) for r in rows]
    rows[3][7] = "SB, SA"
    report = criteria_import(campaign=draft, group="department", file=xlsx(header, rows, [["bonus_cap", 2],
                                                                                          ["penalty_cap", 2.5]]),
                             user=officer)
    assert report.ok, report.errors
    cs = criteria_set_for(campaign=draft, group="department")
    assert (cs.bonus_cap, cs.penalty_cap) == (D("2"), D("2.5"))
    exported = criteria_export(criteria_set=cs)
    other = CampaignFactory(status=Campaign.Status.DRAFT)
    other.groups.set([group("department")])
    again = criteria_import(campaign=other, group="department", file=io.BytesIO(exported), user=officer)
    assert again.ok, again.errors
    copy = criteria_set_for(campaign=other, group="department")
    assert dump(copy) == dump(cs)
    assert criteria_export(criteria_set=copy) != b""
    # importing the export into the same set changes nothing
    same = criteria_import(campaign=draft, group="department", file=io.BytesIO(exported), user=officer)
    assert same.ok and (same.created, same.updated, same.deleted, same.unchanged) == (0, 0, 0, len(rows))


def test_round_trip_of_both_samples(draft, officer):
    for name, grp in (("criteria_department.xlsx", "department"), ("criteria_commune.xlsx", "commune")):
        with open(SAMPLES / name, "rb") as fh:
            assert criteria_import(campaign=draft, group=grp, file=fh, user=officer).ok
        cs = criteria_set_for(campaign=draft, group=grp)
        other = CampaignFactory(status=Campaign.Status.DRAFT)
        other.groups.set([group(grp)])
        assert criteria_import(campaign=other, group=grp, file=io.BytesIO(criteria_export(criteria_set=cs)),
                               user=officer).ok
        assert dump(criteria_set_for(campaign=other, group=grp)) == dump(cs)


@pytest.mark.parametrize("name,grp,rows", [("criteria_department.xlsx", "department", DEPARTMENT_ROWS),
                                           ("criteria_commune.xlsx", "commune", COMMUNE_ROWS)])
def test_sample_files_import_cleanly(draft, officer, name, grp, rows):
    with open(SAMPLES / name, "rb") as fh:
        dry = criteria_import(campaign=draft, group=grp, file=fh, user=officer, dry_run=True)
    assert dry.ok, [str(e) for e in dry.errors]
    assert not CriteriaSet.objects.exists()
    with open(SAMPLES / name, "rb") as fh:
        report = criteria_import(campaign=draft, group=grp, file=fh, user=officer)
    assert report.ok and report.created == len(rows)
    cs = criteria_set_for(campaign=draft, group=grp)
    tree = criteria_tree(criteria_set=cs)
    assert criteria_set_problems(criteria_set=cs, criteria=tree) == []
    fields = [c for c in tree if c.depth == 1]
    leaves = [c for c in tree if not c.has_children]
    assert len(fields) == 8 and sum(c.max_points for c in fields) == D("100")
    assert len(leaves) >= 30
    assert {c.rule for c in leaves} == set(LEAF_RULES)
    assert (cs.bonus_cap, cs.penalty_cap) == (D("2"), D("5"))
    assert [(c.code, c.title) for c in tree] == [(r[0], r[1]) for r in rows]  # the file is make_samples.py's output


def test_a_broken_file_reports_every_error_and_changes_nothing(draft, officer, commune, tmp_path):
    cs = criteria_set_with_tree(campaign=draft, group=group("department"))
    before = dump(cs)
    rows = [
        ["1", "Chỉ đạo", 10, "sum", "", "", "", ""],
        ["1.1", "", 4, "manual", "step=0.25", "", "", ""],               # 3: no title; 4 + 5 ≠ 10 on row 2
        ["1.2", "Hoàn thành", "năm", "bands", ">90:2; <70:0", "", "", ""],  # 4: max not a number
        ["1.3", "Mức", 1, "levels", "Có=2; Không=0", "maybe", "", ""],   # 5: level above max; bad flag
        ["1.3", "Trùng", 1, "manual", "", "", "", ""],                   # 6: duplicate code
        ["1.x", "Mã sai", 1, "manual", "", "", "", ""],                  # 7: bad code
        ["3.1", "Mồ côi", 1, "manual", "", "", "", ""],                  # 8: no parent 3
        ["2", "Khảo sát", 5, "survey", "", "", "", "ZZ, XA"],            # 9: unknown agency, other group
        ["2.1", "Quy tắc lạ", 5, "magic", "", "", "", ""],               # 10: unknown rule
        ["1.4", "Khoảng hở", 5, "bands", ">90:5; 70-80:2; <70:0", "", "", ""],  # 11: gap
        ["1.5", "Trừ", 1, "deduction", "", "", "", ""],                  # 12: per missing
    ]
    report = criteria_import(campaign=draft, group="department", file=xlsx(COLUMNS, rows), user=officer)
    assert not report.ok
    where = {(e.row, e.column) for e in report.errors}
    expected = {(3, "title"), (4, "max_points"), (5, "rule_params"), (5, "evidence_required"), (6, "code"),
                (7, "code"), (8, "code"), (9, "not_applicable_to"), (10, "rule"), (11, "rule_params"),
                (12, "rule_params")}
    assert expected <= where, sorted(where)
    messages = " | ".join(str(e) for e in report.errors)
    assert "ZZ" in messages and "XA" in messages and "trùng với dòng 5" in messages
    assert "dòng 4, cột max_points" in messages
    assert all(e.row for e in report.errors)
    assert dump(cs) == before
    # the command prints every error and fails
    path = tmp_path / "broken.xlsx"
    path.write_bytes(xlsx(COLUMNS, rows).getvalue())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_criteria", str(path), "--campaign", str(draft.pk), "--group", "department", stderr=err)
    assert len(err.getvalue().strip().splitlines()) == len(report.errors)
    assert dump(cs) == before


def test_file_level_errors(draft, officer):
    assert not criteria_import(campaign=draft, group="department", file=io.BytesIO(b"not excel"), user=officer).ok
    missing = criteria_import(campaign=draft, group="department", file=xlsx(["code", "title"], [["1", "A"]]),
                              user=officer)
    assert {e.column for e in missing.errors} == {"max_points", "rule"}
    bad_settings = criteria_import(campaign=draft, group="department",
                                   file=xlsx(COLUMNS, [["1", "A", 1, "manual"]], [["bonus", 1], ["penalty_cap", -1]]),
                                   user=officer)
    assert [e.row for e in bad_settings.errors] == [2, 3]
    assert not CriteriaSet.objects.exists()


def test_import_replaces_the_tree_keeping_identity(draft, officer):
    criteria_import(campaign=draft, group="department", file=xlsx(VI_HEADER, EVERY_KIND), user=officer)
    cs = criteria_set_for(campaign=draft, group="department")
    pk_11 = Criterion.objects.get(criteria_set=cs, code="1.1").pk
    rows = [r for r in EVERY_KIND if r[0] not in ("1.8",)]
    rows = [r if r[0] != "1.1" else ["1.1", "Ban hành kế hoạch CCHC", 1, "levels", "Có=1; Không=0", "x", "", ""]
            for r in rows]
    report = criteria_import(campaign=draft, group="department", file=xlsx(VI_HEADER, rows), user=officer)
    assert report.ok and report.codes == {"created": [], "updated": ["1.1"], "deleted": ["1.8"]}
    c = Criterion.objects.get(criteria_set=cs, code="1.1")
    assert c.pk == pk_11 and c.title == "Ban hành kế hoạch CCHC" and c.params["levels"][0]["label"] == "Có"


def test_import_into_a_locked_set_is_an_amendment(draft, officer, agency_a):
    with open(SAMPLES / "criteria_department.xlsx", "rb") as fh:
        criteria_import(campaign=draft, group="department", file=fh, user=officer)
    cs = criteria_set_for(campaign=draft, group="department")
    criteria_set_lock(criteria_set=cs)
    data = criteria_export(criteria_set=cs)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb["criteria"]["B4"] = "Kế hoạch cải cách hành chính năm (sửa đổi)"  # row 1.1: under the two header rows
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ConflictError):
        criteria_import(campaign=draft, group="department", file=io.BytesIO(buf.getvalue()), user=officer)
    dry = criteria_import(campaign=draft, group="department", file=io.BytesIO(buf.getvalue()), user=officer,
                          dry_run=True)
    assert dry.ok and dry.locked and dry.codes["updated"] == ["1.1"]
    report = criteria_import(campaign=draft, group="department", file=io.BytesIO(buf.getvalue()), user=officer,
                             reason="Điều chỉnh theo Công văn 45/SNV", now=timezone.now())
    assert report.ok and report.updated == 1
    amendment = CriteriaAmendment.objects.get()
    assert amendment.code == "*" and amendment.change["action"] == "import"
    assert amendment.change["updated"] == ["1.1"] and amendment.reason == "Điều chỉnh theo Công văn 45/SNV"
    # a criterion agencies have scored cannot disappear
    assessment = Assessment.objects.create(campaign=draft, agency=agency_a, criteria_set=cs)
    Item.objects.create(assessment=assessment, criterion=Criterion.objects.get(criteria_set=cs, code="8.6"))
    sheet = wb["criteria"]
    sheet.delete_rows(sheet.max_row)  # 8.6
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    refused = criteria_import(campaign=draft, group="department", file=buf, user=officer, reason="Bỏ 8.6")
    assert any("8.6" in e.message for e in refused.errors)
    assert Criterion.objects.filter(criteria_set=cs, code="8.6").exists()


def test_commands(draft, officer, tmp_path):
    src = SAMPLES / "criteria_commune.xlsx"
    out = io.StringIO()
    call_command("import_criteria", str(src), "--campaign", str(draft.pk), "--group", "commune", "--dry-run",
                 stdout=out)
    assert "Sẽ nhập" in out.getvalue() and not CriteriaSet.objects.exists()
    call_command("import_criteria", str(src), "--campaign", str(draft.pk), "--group", "commune", stdout=out)
    cs = criteria_set_for(campaign=draft, group="commune")
    assert cs.criteria.count() == len(COMMUNE_ROWS)
    target = tmp_path / "out.xlsx"
    call_command("export_criteria", "--campaign", str(draft.pk), "--group", "commune", "-o", str(target), stdout=out)
    assert read_workbook(str(target)).errors == []
    assert [r.code for r in read_workbook(str(target)).rows] == [r[0] for r in COMMUNE_ROWS]
    with pytest.raises(CommandError, match="chưa có bộ tiêu chí"):
        call_command("export_criteria", "--campaign", str(draft.pk), "--group", "department", "-o", str(target))
    with pytest.raises(CommandError, match="Không có đợt"):
        call_command("import_criteria", str(src), "--campaign", "999999", "--group", "commune")
    criteria_set_lock(criteria_set=cs)
    with pytest.raises(CommandError, match="--reason"):
        call_command("import_criteria", str(target), "--campaign", str(draft.pk), "--group", "commune")
    call_command("import_criteria", str(target), "--campaign", str(draft.pk), "--group", "commune",
                 "--reason", "Nhập lại", "--user", officer.username, stdout=out)
    assert "0 mới, 0 cập nhật, 0 xóa" in out.getvalue()
