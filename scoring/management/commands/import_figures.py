from campaigns.models import Campaign
from cchc_portal.core.commands import ImportCommand, found
from scoring.imported_figures import figures_import


class Command(ImportCommand):
    allow_force = False

    help = ("Nhập số liệu của các tiêu chí loại “imported” (ví dụ chỉ số phục vụ trên Cổng DVC quốc gia) từ Excel: "
            "cột agency_code, criterion_code, value, source, note.")

    def add_import_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="Mã (id) đợt đánh giá.")

    def targets(self, actor, *, campaign, **options):
        return {"campaign": found(Campaign.objects, f"Không có đợt đánh giá #{campaign}.", pk=campaign)}

    def import_file(self, fh, *, actor, dry_run, campaign):
        return figures_import(campaign=campaign, file=fh, user=actor.user, dry_run=dry_run)

    def done(self, report, *, actor, dry_run, campaign):
        if dry_run:
            return f"Hợp lệ: {len(report.rows)} dòng sẽ được nhập (chưa ghi gì)."
        return f"Đã nhập {len(report.rows)} số liệu: {report.created} mới, {report.updated} cập nhật."
