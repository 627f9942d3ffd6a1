from django.core.management.base import BaseCommand, CommandError

from campaigns.services import agency_import


class Command(BaseCommand):
    help = "Nhập cơ quan, đơn vị từ Excel (cột code, name, group, parent_code, email)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi dữ liệu.")

    def handle(self, *args, file, dry_run, **options):
        try:
            with open(file, "rb") as fh:
                report = agency_import(file=fh, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp: {exc}") from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(f"{len(report.errors)} lỗi; chưa nhập dữ liệu nào.")
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {report.created} mới, {report.updated} cập nhật."))
