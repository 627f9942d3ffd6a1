from django.core.management.base import CommandError

from campaigns.models import Campaign
from cchc_portal.core.commands import RecordedCommand
from scoring.imported_figures import figures_import


class Command(RecordedCommand):
    allow_force = False

    help = ("Nhập số liệu của các tiêu chí loại “imported” (ví dụ chỉ số phục vụ trên Cổng DVC quốc gia) từ Excel: "
            "cột agency_code, criterion_code, value, source, note.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", type=int, required=True, help="Mã (id) đợt đánh giá.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi dữ liệu.")
        super().add_arguments(parser)

    def run(self, actor, *, file, campaign, dry_run, **options):
        found = Campaign.objects.filter(pk=campaign).first()
        if found is None:
            raise CommandError(f"Không có đợt đánh giá #{campaign}.")
        try:
            with open(file, "rb") as fh:
                report = figures_import(campaign=found, file=fh, user=actor.user, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp: {exc}") from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(f"{len(report.errors)} lỗi; chưa nhập dữ liệu nào.")
        if dry_run:
            return f"Hợp lệ: {len(report.rows)} dòng sẽ được nhập (chưa ghi gì)."
        return f"Đã nhập {len(report.rows)} số liệu: {report.created} mới, {report.updated} cập nhật."
