from campaigns.models import Agency, Campaign
from cchc_portal.core.commands import ImportCommand, found
from surveys.services.lists import respondent_import


class Command(ImportCommand):
    help = ("Nhập danh sách đối tượng điều tra XHH của một đơn vị từ Excel (cột full_name, position, group_code, "
            "email, phone). Theo đúng thời hạn lập danh sách như trên trang: của người chạy (--user), hoặc của đơn "
            "vị khi không có --user; --force --reason để nhập sau thời hạn. Mỗi lần chạy được ghi vào nhật ký.")

    def add_import_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="Mã (id) đợt đánh giá.")
        parser.add_argument("--agency", required=True, help="Mã đơn vị lập danh sách.")

    def targets(self, actor, *, campaign, agency, **options):
        return {"campaign": found(Campaign.objects, f"Không có đợt đánh giá #{campaign}.", pk=campaign),
                "agency": found(Agency.objects, f"Không có đơn vị “{agency}”.", code=agency)}

    def import_file(self, fh, *, actor, dry_run, campaign, agency):
        return respondent_import(campaign=campaign, agency=agency, file=fh, dry_run=dry_run, user=actor.user,
                                 as_agency=actor.user is None, force=actor.force)

    def refusal_hint(self, exc, *, actor):
        return "" if actor.force else " (Sở Nội vụ: --user TÊN_ĐĂNG_NHẬP, hoặc --force --reason \"lý do\")"

    def done(self, report, *, actor, dry_run, campaign, agency):
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        return f"{verb}: {report.created} người ({actor.label}{', bỏ qua thời hạn' if actor.force else ''})."
