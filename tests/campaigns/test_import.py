import io

import openpyxl
import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from campaigns.models import Agency, Membership, User
from campaigns.services import agency_import, user_import


def xlsx(header, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


HEAD = ["code", "name", "group", "parent_code", "email"]


@pytest.mark.django_db
def test_agencies_import_three_level_shape_parent_after_child():
    f = xlsx(HEAD, [["X1", "Xã Một", "commune", "H1", "x1@example.gov.vn"],
                    ["H1", "Huyện Một", "district", "", ""],
                    ["S1", "Sở Một", "department", None, None]])
    report = agency_import(file=f)
    assert report.ok and report.created == 3
    assert Agency.objects.get(code="X1").parent.code == "H1"
    assert Agency.objects.get(code="S1").parent is None


@pytest.mark.django_db
def test_agencies_bad_rows_all_reported_and_nothing_imported():
    f = xlsx(HEAD, [["OK1", "Sở Tốt", "department", "", ""],
                    ["", "Không mã", "department", "", ""],
                    ["B2", "Sai nhóm", "ministry", "", ""],
                    ["B3", "Sai thư", "department", "", "not-an-email"],
                    ["B4", "Sai cấp trên", "commune", "NOPE", ""],
                    ["OK1", "Trùng mã", "department", "", ""]])
    report = agency_import(file=f)
    where = {(e.row, e.column) for e in report.errors}
    assert where == {(3, "code"), (4, "group"), (5, "email"), (6, "parent_code"), (7, "code")}
    assert "ministry" in next(e.message for e in report.errors if e.row == 4)
    assert not Agency.objects.filter(code__in=["OK1", "B2", "B3", "B4"]).exists()


@pytest.mark.django_db
def test_agencies_dry_run_writes_nothing_and_vietnamese_headers_work():
    f = xlsx(["Mã đơn vị", "Tên đơn vị", "Nhóm", "Mã đơn vị cấp trên", "Thư điện tử"],
             [["D1", "Sở Dry", "department", "", ""]])
    report = agency_import(file=f, dry_run=True)
    assert report.ok and report.created == 1
    assert not Agency.objects.filter(code="D1").exists()


@pytest.mark.django_db
def test_not_an_excel_file_is_a_clear_error():
    report = agency_import(file=io.BytesIO(b"MZ\x90\x00 not excel"))
    assert not report.ok and "Excel" in report.errors[0].message


@pytest.mark.django_db
def test_import_agencies_command_exit_and_messages(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx(HEAD, [["C1", "Sở C", "nope", "", ""]]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_agencies", str(path))
    path.write_bytes(xlsx(HEAD, [["C1", "Sở C", "department", "", ""]]).getvalue())
    out = io.StringIO()
    call_command("import_agencies", str(path), stdout=out)
    assert "1 mới" in out.getvalue() and Agency.objects.filter(code="C1").exists()


@pytest.mark.django_db(transaction=True)
def test_import_users_roles_memberships_and_set_password_mail(agency_a, agency_b):
    f = xlsx(["username", "full_name", "email", "agency_code", "role"], [
        ["o1", "Cán bộ", "o1@example.gov.vn", "", "officer"],
        ["s1", "Chuyên viên", "s1@example.gov.vn", "SA", "staff"],
        ["s1", "Chuyên viên", "s1@example.gov.vn", "SB", "staff"],
        ["l1", "Lãnh đạo", "l1@example.gov.vn", "SA", "leader"],
    ])
    report = user_import(file=f)
    assert report.ok, report.errors
    s1 = User.objects.get(username="s1")
    assert not s1.has_usable_password()
    assert set(Membership.objects.filter(user=s1).values_list("agency__code", flat=True)) == {"SA", "SB"}
    assert User.objects.get(username="o1").groups.filter(name="officer").exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["l1@example.gov.vn", "o1@example.gov.vn", "s1@example.gov.vn"]
    assert "/accounts/reset/" in mail.outbox[0].body


@pytest.mark.django_db
def test_import_users_bad_rows(agency_a):
    f = xlsx(["username", "full_name", "email", "agency_code", "role"], [
        ["ok", "A", "", "SA", "staff"], ["bad user!", "B", "", "SA", "staff"],
        ["x", "C", "", "NOPE", "leader"], ["y", "D", "", "", "king"]])
    report = user_import(file=f)
    assert {(e.row, e.column) for e in report.errors} == {(3, "username"), (4, "agency_code"), (5, "role")}
    assert not User.objects.filter(username="ok").exists()
