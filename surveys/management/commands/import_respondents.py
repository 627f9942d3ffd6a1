from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Agency, Campaign
from cchc_portal.core.exceptions import ApplicationError
from surveys.services import respondent_import


class Command(BaseCommand):
    help = ("Nhập danh sách đối tượng điều tra XHH của một đơn vị từ Excel (cột full_name, position, group_code, "
            "email, phone). Chạy với quyền của Sở Nội vụ.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", type=int, required=True, help="Mã (id) đợt đánh giá.")
        parser.add_argument("--agency", required=True, help="Mã đơn vị lập danh sách.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi dữ liệu.")

    def handle(self, *args, file, campaign, agency, dry_run, **options):
        target = Campaign.objects.filter(pk=campaign).first()
        if target is None:
            raise CommandError(f"Không có đợt đánh giá #{campaign}.")
        unit = Agency.objects.filter(code=agency).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị “{agency}”.")
        try:
            with open(file, "rb") as fh:
                report = respondent_import(campaign=target, agency=unit, file=fh, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp: {exc}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(f"{len(report.errors)} lỗi; chưa nhập dữ liệu nào.")
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {report.created} người."))
