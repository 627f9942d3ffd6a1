from datetime import timedelta

from cchc_portal.core.commands import RecordedCommand
from evidence.services import evidence_orphans_delete


class Command(RecordedCommand):
    allow_force = False

    help = "Xóa các tệp minh chứng trong kho lưu trữ không còn gắn với tài liệu nào (tệp mồ côi)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không xóa.")
        parser.add_argument("--older-than-hours", type=float, default=24,
                            help="Chỉ xử lý tệp cũ hơn số giờ này (mặc định 24).")
        super().add_arguments(parser)

    def run(self, actor, *, dry_run=False, older_than_hours=24, **options):
        names = evidence_orphans_delete(older_than=timedelta(hours=older_than_hours), dry_run=dry_run)
        for name in names:
            self.stdout.write(name)
        verb = "Sẽ xóa" if dry_run else "Đã xóa"
        return f"{verb} {len(names)} tệp mồ côi."
