from django.core.management.base import CommandError

from cchc_portal.core.commands import RecordedCommand
from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.notifications.models import Outbox
from cchc_portal.notifications.services import outbox_mark


class Command(RecordedCommand):
    help = ("Ghi nhận thư bị trả lại theo báo cáo của máy chủ thư (bounce): mọi thư đã gửi tới các địa chỉ này "
            "chuyển sang “Bị trả lại”; thư mời khảo sát tương ứng được đánh dấu “E-mail không gửi được”. "
            "Địa chỉ ghi trực tiếp hoặc trong tệp (--file, mỗi dòng một địa chỉ).")
    allow_force = False

    def add_arguments(self, parser):
        parser.add_argument("addresses", nargs="*", help="Địa chỉ thư bị trả lại.")
        parser.add_argument("--file", help="Tệp văn bản, mỗi dòng một địa chỉ.")
        super().add_arguments(parser)

    def run(self, actor, *, addresses, file=None, **options):
        wanted = {a.strip().lower() for a in addresses if a.strip()}
        if file:
            try:
                with open(file, encoding="utf-8") as fh:
                    wanted |= {line.strip().lower() for line in fh if line.strip() and not line.startswith("#")}
            except OSError as exc:
                raise CommandError(f"Không mở được tệp: {exc}") from exc
        if not wanted:
            raise CommandError("Chưa có địa chỉ nào (ghi địa chỉ hoặc --file).")
        marked = 0
        rows = Outbox.objects.filter(to__in=wanted).filter(
            status__in=[Outbox.Status.SENT, Outbox.Status.UNCERTAIN, Outbox.Status.FAILED])
        for row in rows:
            try:
                outbox_mark(row=row, status=Outbox.Status.BOUNCED, user=actor.user,
                            note=f"Báo trả lại ({actor.label}).")
            except ApplicationError:
                continue  # changed meanwhile
            marked += 1
        return f"Đã ghi nhận {marked} thư bị trả lại ({len(wanted)} địa chỉ)."
