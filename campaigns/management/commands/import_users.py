from django.core.management.base import CommandError

from campaigns.services import user_import
from cchc_portal.core.commands import RecordedCommand


class Command(RecordedCommand):
    allow_force = False  # no window: accounts and agencies are the Sở's at any time

    help = ("Nhập tài khoản do Sở cấp (cột username, full_name, email, agency_code, role); "
            "tài khoản mới nhận thư đặt mật khẩu.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi dữ liệu.")
        super().add_arguments(parser)

    def run(self, actor, *, file, dry_run, **options):
        try:
            with open(file, "rb") as fh:
                report = user_import(file=fh, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp: {exc}") from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(f"{len(report.errors)} lỗi; chưa nhập dữ liệu nào.")
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        return f"{verb}: {report.created} mới, {report.updated} cập nhật."
