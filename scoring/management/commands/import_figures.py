from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign, User
from scoring.imported_figures import figures_import


class Command(BaseCommand):
    help = ("Nhập số liệu của các tiêu chí loại “imported” (ví dụ chỉ số phục vụ trên Cổng DVC quốc gia) từ Excel: "
            "cột agency_code, criterion_code, value, source, note.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", type=int, required=True, help="Mã (id) đợt đánh giá.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi dữ liệu.")
        parser.add_argument("--user", help="Tên đăng nhập ghi vào nhật ký nhập (mặc định: dòng lệnh).")

    def handle(self, *args, file, campaign, dry_run, user=None, **options):
        found = Campaign.objects.filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"Không có đợt đánh giá #{campaign}.")
        who = None
        if user:
            who = User.objects.filter(username=user).first()
            if who is None:
                raise CommandError(f"Không có người dùng “{user}”.")
        try:
            with open(file, "rb") as fh:
                report = figures_import(campaign=found, file=fh, user=who, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp: {exc}") from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(f"{len(report.errors)} lỗi; chưa nhập dữ liệu nào.")
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"Hợp lệ: {len(report.rows)} dòng sẽ được nhập (chưa ghi gì)."))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Đã nhập {len(report.rows)} số liệu: {report.created} mới, {report.updated} cập nhật."))
