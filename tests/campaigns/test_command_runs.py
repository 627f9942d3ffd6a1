"""Every command that writes takes --user and records each run (who, forced or not, why,
what it was given, how it ended) in CommandRun."""
import pytest
from django.core.management import CommandError, call_command

from campaigns.models import Agency
from cchc_portal.core.models import CommandRun

from .test_import import HEAD, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies_file(tmp_path):
    path = tmp_path / "dv.xlsx"
    path.write_bytes(xlsx(HEAD, [["SXD", "Sở Xây dựng", "department", "", "sxd@example.gov.vn"]]).getvalue())
    return str(path)


def test_the_runner_is_recorded(agencies_file, officer):
    call_command("import_agencies", agencies_file, user=officer.username)
    run = CommandRun.objects.get()
    assert (run.command, run.user, run.forced) == ("import_agencies", officer, False)
    assert "Đã nhập: 1 mới" in run.outcome and run.arguments["file"] == agencies_file


def test_without_user_the_command_line_is_recorded(agencies_file):
    call_command("import_agencies", agencies_file, dry_run=True)
    run = CommandRun.objects.get()
    assert run.user is None and run.arguments["dry_run"] == "True" and "Sẽ nhập" in run.outcome
    assert not Agency.objects.filter(code="SXD").exists()


def test_an_unknown_user_imports_nothing(agencies_file):
    with pytest.raises(CommandError, match="Không có người dùng"):
        call_command("import_agencies", agencies_file, user="khong-co")
    with pytest.raises(CommandError, match="Không có người dùng"):
        call_command("import_users", agencies_file, user="khong-co")
    assert not Agency.objects.filter(code="SXD").exists()


def test_the_survey_import_applies_the_runners_rules(tmp_path, campaign, staff_a):
    path = tmp_path / "ks.xlsx"
    path.write_bytes(b"")
    with pytest.raises(CommandError):
        call_command("import_survey", str(path), campaign=campaign.pk, user=staff_a.username)
    run = CommandRun.objects.get()
    assert run.user == staff_a and run.outcome.startswith("Lỗi:")
