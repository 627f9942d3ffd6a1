"""import_respondents obeys the list's window as the pages do: the agency's rules without
--user, the runner's rules with --user, past them only with --force and a reason; every
run is recorded with who ran it."""
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cchc_portal.core.models import CommandRun
from surveys.models import Respondent, RespondentList

from .test_lists import xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx([("Nguyễn Văn An", "Chủ tịch", "LDX", "an@example.vn", "")]).getvalue())
    return str(path)


def close_lists(survey):
    survey.campaign.steps.filter(kind="respondent_lists").update(closes_at=timezone.now() - timedelta(hours=1))


def run(sheet, survey, agency, **options):
    call_command("import_respondents", sheet, campaign=survey.campaign.pk, agency=agency.code, **options)


def test_after_the_deadline_the_command_line_is_refused_and_recorded(survey, commune, sheet):
    close_lists(survey)
    with pytest.raises(CommandError, match="Đã hết hạn gửi danh sách"):
        run(sheet, survey, commune)
    assert not Respondent.objects.exists()
    last = CommandRun.objects.get()
    assert last.command == "import_respondents" and last.user is None and not last.forced
    assert last.outcome.startswith("Lỗi:") and last.arguments["agency"] == commune.code


def test_a_sent_list_is_not_changed_from_the_command_line(survey, commune, sheet):
    RespondentList.objects.create(campaign=survey.campaign, agency=commune, status=RespondentList.Status.SENT)
    with pytest.raises(CommandError, match="đã gửi Sở Nội vụ"):
        run(sheet, survey, commune)


def test_agency_staff_get_their_page_rules(survey, commune, commune_staff, staff_a, sheet):
    close_lists(survey)
    with pytest.raises(CommandError, match="Đã hết hạn"):
        run(sheet, survey, commune, user=commune_staff.username)
    with pytest.raises(CommandError, match="không thuộc đơn vị"):
        run(sheet, survey, commune, user=staff_a.username, force=True, reason="Thử")
    assert not Respondent.objects.exists()


def test_an_officer_may_correct_a_list_as_on_the_page_and_is_recorded(survey, commune, officer, sheet):
    close_lists(survey)
    run(sheet, survey, commune, user=officer.username)
    assert Respondent.objects.count() == 1
    last = CommandRun.objects.get()
    assert last.user == officer and not last.forced and "Đã nhập: 1" in last.outcome


def test_force_needs_a_reason_and_both_are_recorded(survey, commune, sheet):
    close_lists(survey)
    with pytest.raises(CommandError, match="--reason"):
        run(sheet, survey, commune, force=True)
    assert not CommandRun.objects.exists()
    run(sheet, survey, commune, force=True, reason="Công văn 12/SNV cho phép bổ sung")
    assert Respondent.objects.count() == 1
    last = CommandRun.objects.get()
    assert last.forced and last.reason == "Công văn 12/SNV cho phép bổ sung" and last.user is None


def test_an_unknown_or_locked_user_is_refused(survey, commune, commune_staff, sheet):
    with pytest.raises(CommandError, match="Không có người dùng"):
        run(sheet, survey, commune, user="khong-co")
    commune_staff.is_active = False
    commune_staff.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="đã bị khóa"):
        run(sheet, survey, commune, user=commune_staff.username)
    assert not Respondent.objects.exists()
