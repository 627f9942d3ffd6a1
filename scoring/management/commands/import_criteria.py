from django.core.management.base import CommandError

from campaigns.models import Campaign
from cchc_portal.core.commands import RecordedCommand
from cchc_portal.core.exceptions import ApplicationError
from scoring.services.criteria_copy import criteria_import


class Command(RecordedCommand):
    # the lock is the criteria's window: past it only as an amendment (--reason, --user), as on the page
    allow_force = False

    help = ("Nhập bộ tiêu chí của một nhóm cơ quan từ Excel (cột code, title, max_points, rule, rule_params, "
            "evidence_required, guidance, not_applicable_to). In mọi lỗi theo dòng; có lỗi thì không nhập gì. "
            "Bộ tiêu chí đã khóa chỉ nhập được như một sửa đổi: --reason và --user.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True, help="Mã số (id) đợt đánh giá.")
        parser.add_argument("--group", required=True, help="Mã nhóm cơ quan: department, district, commune...")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi dữ liệu.")
        super().add_arguments(parser)

    def run(self, actor, *, file, campaign, group, dry_run, **options):
        campaign_obj = Campaign.objects.filter(pk=campaign).first() if str(campaign).isdigit() else None
        if campaign_obj is None:
            raise CommandError(f"Không có đợt đánh giá #{campaign}.")
        try:
            with open(file, "rb") as fh:
                report = criteria_import(campaign=campaign_obj, group=group, file=fh, user=actor.user,
                                         dry_run=dry_run, reason=actor.reason or None)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp: {exc}") from exc
        except ApplicationError as exc:
            hint = ""
            if "reason" in exc.extra.get("errors", {}):
                hint = " Nhập như một sửa đổi: thêm --reason \"lý do\" --user TÊN_ĐĂNG_NHẬP."
            raise CommandError(exc.message + hint) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(f"{len(report.errors)} lỗi; chưa nhập tiêu chí nào.")
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        if report.locked and dry_run:
            self.stdout.write("Bộ tiêu chí đã khóa: khi nhập thật cần --reason và --user (ghi thành sửa đổi).")
        return (f"{verb} bộ tiêu chí nhóm {group} của đợt #{campaign_obj.pk}: {report.created} mới, "
                f"{report.updated} cập nhật, {report.deleted} xóa, {report.unchanged} không đổi.")
