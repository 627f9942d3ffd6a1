from django.core.management.base import CommandError

from campaigns.models import Campaign
from cchc_portal.core.commands import ImportCommand
from scoring.services.criteria_copy import criteria_import


class Command(ImportCommand):
    # the lock is the criteria's window: past it only as an amendment (--reason, --user), as on the page
    allow_force = False
    nothing_imported = "chưa nhập tiêu chí nào."

    help = ("Nhập bộ tiêu chí của một nhóm cơ quan từ Excel (cột code, title, max_points, rule, rule_params, "
            "evidence_required, guidance, not_applicable_to). In mọi lỗi theo dòng; có lỗi thì không nhập gì. "
            "Bộ tiêu chí đã khóa chỉ nhập được như một sửa đổi: --reason và --user.")

    def add_import_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="Mã số (id) đợt đánh giá.")
        parser.add_argument("--group", required=True, help="Mã nhóm cơ quan: department, district, commune...")

    def targets(self, actor, *, campaign, group, **options):
        found = Campaign.objects.filter(pk=campaign).first() if str(campaign).isdigit() else None
        if found is None:
            raise CommandError(f"Không có đợt đánh giá #{campaign}.")
        return {"campaign": found, "group": group}

    def import_file(self, fh, *, actor, dry_run, campaign, group):
        return criteria_import(campaign=campaign, group=group, file=fh, user=actor.user, dry_run=dry_run,
                               reason=actor.reason or None)

    def refusal_hint(self, exc, *, actor):
        if "reason" in exc.extra.get("errors", {}):
            return " Nhập như một sửa đổi: thêm --reason \"lý do\" --user TÊN_ĐĂNG_NHẬP."
        return ""

    def done(self, report, *, actor, dry_run, campaign, group):
        verb = "Sẽ nhập" if dry_run else "Đã nhập"
        if report.locked and dry_run:
            self.stdout.write("Bộ tiêu chí đã khóa: khi nhập thật cần --reason và --user (ghi thành sửa đổi).")
        return (f"{verb} bộ tiêu chí nhóm {group} của đợt #{campaign.pk}: {report.created} mới, "
                f"{report.updated} cập nhật, {report.deleted} xóa, {report.unchanged} không đổi.")
