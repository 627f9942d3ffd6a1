from django.core.management.base import CommandError

from campaigns.models import Campaign
from cchc_portal.core.commands import RecordedCommand
from cchc_portal.core.exceptions import ApplicationError
from surveys.services.questionnaire import survey_import


class Command(RecordedCommand):
    allow_force = False  # the service's own rules (an officer, questions not yet answered) hold

    help = ("Nhập nhóm đối tượng và câu hỏi điều tra XHH từ Excel: trang “groups” (code, name, rates_group) và "
            "trang “questions” (group_code, section, number, text, kind, options, criterion_code).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", type=int, required=True, help="Mã (id) đợt đánh giá.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi dữ liệu.")
        super().add_arguments(parser)

    def run(self, actor, *, file, campaign, dry_run, **options):
        target = Campaign.objects.filter(pk=campaign).first()
        if target is None:
            raise CommandError(f"Không có đợt đánh giá #{campaign}.")
        try:
            with open(file, "rb") as fh:
                report = survey_import(campaign=target, file=fh, dry_run=dry_run, user=actor.user)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp: {exc}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(f"{len(report.errors)} lỗi; chưa nhập dữ liệu nào.")
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        return f"{verb}: {report.created} mới, {report.updated} cập nhật."
