from django.core.management.base import CommandError

from campaigns.models import Agency, Campaign
from cchc_portal.core.commands import RecordedCommand
from cchc_portal.core.exceptions import ApplicationError
from surveys.services.lists import respondent_import


class Command(RecordedCommand):
    help = ("Nhập danh sách đối tượng điều tra XHH của một đơn vị từ Excel (cột full_name, position, group_code, "
            "email, phone). Theo đúng thời hạn lập danh sách như trên trang: của người chạy (--user), hoặc của đơn "
            "vị khi không có --user; --force --reason để nhập sau thời hạn. Mỗi lần chạy được ghi vào nhật ký.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", type=int, required=True, help="Mã (id) đợt đánh giá.")
        parser.add_argument("--agency", required=True, help="Mã đơn vị lập danh sách.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi dữ liệu.")
        super().add_arguments(parser)

    def run(self, actor, *, file, campaign, agency, dry_run, **options):
        target = Campaign.objects.filter(pk=campaign).first()
        if target is None:
            raise CommandError(f"Không có đợt đánh giá #{campaign}.")
        unit = Agency.objects.filter(code=agency).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị “{agency}”.")
        try:
            with open(file, "rb") as fh:
                report = respondent_import(campaign=target, agency=unit, file=fh, dry_run=dry_run, user=actor.user,
                                           as_agency=actor.user is None, force=actor.force)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp: {exc}") from exc
        except ApplicationError as exc:
            hint = "" if actor.force else " (Sở Nội vụ: --user TÊN_ĐĂNG_NHẬP, hoặc --force --reason \"lý do\")"
            raise CommandError(exc.message + hint) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(f"{len(report.errors)} lỗi; chưa nhập dữ liệu nào.")
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        return f"{verb}: {report.created} người ({actor.label}{', bỏ qua thời hạn' if actor.force else ''})."
