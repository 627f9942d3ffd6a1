"""ImportCommand: the one shape of the Excel imports (FILE, options, --dry-run, --user...):
a file that cannot be opened, a service's refusal and row errors all stop the run, and
every run is recorded."""
import pytest
from django.core.management import CommandError, call_command

from cchc_portal.core.commands import ImportCommand, found
from cchc_portal.core.excel import ImportReport, RowError
from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.core.models import CommandRun

pytestmark = pytest.mark.django_db


class Command(ImportCommand):
    allow_force = False

    def __init__(self, outcome, **kwargs):
        super().__init__(**kwargs)
        self.outcome = outcome

    def add_import_arguments(self, parser):
        parser.add_argument("--group", required=True)

    def targets(self, actor, *, group, **options):
        if group == "x":
            raise CommandError("Không có nhóm x.")
        return {"group": group}

    def import_file(self, fh, *, actor, dry_run, group):
        assert fh.read() == b"data"
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome

    def refusal_hint(self, exc, *, actor):
        return " (thêm --user)"


@pytest.fixture
def path(tmp_path):
    file = tmp_path / "a.xlsx"
    file.write_bytes(b"data")
    return str(file)


def test_a_clean_file_says_what_it_did(path, capsys):
    call_command(Command(ImportReport(created=2, updated=1)), path, group="g")
    assert CommandRun.objects.get().outcome == "Đã nhập: 2 mới, 1 cập nhật."
    call_command(Command(ImportReport(created=2)), path, "--dry-run", group="g")
    assert CommandRun.objects.first().outcome == "Sẽ nhập: 2 mới, 0 cập nhật."


def test_row_errors_are_printed_and_nothing_is_imported(path):
    report = ImportReport(errors=[RowError(3, "code", "Thiếu mã."), RowError(0, "", "Tệp rỗng.")])
    command = Command(report)
    from io import StringIO
    err = StringIO()
    with pytest.raises(CommandError, match="2 lỗi; chưa nhập dữ liệu nào."):
        call_command(command, path, group="g", stderr=err)
    assert err.getvalue().splitlines() == ["dòng 3, cột code: Thiếu mã.", "tệp: Tệp rỗng."]
    assert CommandRun.objects.get().outcome == "Lỗi: 2 lỗi; chưa nhập dữ liệu nào."


def test_refusals_missing_files_and_unknown_targets_stop_the_run(path, tmp_path):
    with pytest.raises(CommandError, match=r"^Đã khóa\. \(thêm --user\)$"):
        call_command(Command(ApplicationError("Đã khóa.")), path, group="g")
    with pytest.raises(CommandError, match="Không mở được tệp"):
        call_command(Command(ImportReport()), str(tmp_path / "none.xlsx"), group="g")
    with pytest.raises(CommandError, match="Không có nhóm x."):
        call_command(Command(ImportReport()), path, group="x")
    assert CommandRun.objects.count() == 3


def test_found_names_what_is_missing(officer):
    from campaigns.models import User

    assert found(User.objects, "Không có.", pk=officer.pk) == officer
    with pytest.raises(CommandError, match="Không có người dùng 0."):
        found(User.objects, "Không có người dùng 0.", pk=0)


def test_an_import_command_without_its_service_call_cannot_be_made():
    class Unfinished(ImportCommand):
        help = "no import_file"

    with pytest.raises(TypeError, match="import_file"):
        Unfinished()
