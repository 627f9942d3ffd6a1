from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from surveys.services import survey_import


class Command(BaseCommand):
    help = ("Nhập nhóm đối tượng và câu hỏi điều tra XHH từ Excel: trang “groups” (code, name, rates_group) và "
            "trang “questions” (group_code, section, number, text, kind, options, criterion_code).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", type=int, required=True, help="Mã (id) đợt đánh giá.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi dữ liệu.")

    def handle(self, *args, file, campaign, dry_run, **options):
        target = Campaign.objects.filter(pk=campaign).first()
        if target is None:
            raise CommandError(f"Không có đợt đánh giá #{campaign}.")
        try:
            with open(file, "rb") as fh:
                report = survey_import(campaign=target, file=fh, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp: {exc}") from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(f"{len(report.errors)} lỗi; chưa nhập dữ liệu nào.")
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {report.created} mới, {report.updated} cập nhật."))
