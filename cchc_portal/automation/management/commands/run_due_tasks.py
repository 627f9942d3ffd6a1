from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cchc_portal.automation.tick import tick_run


class Command(BaseCommand):
    help = ("Chạy một lượt các việc đến hạn (nhắc hạn, khóa khi hết hạn, thư chờ gửi...) — "
            "đúng mã mà Celery beat chạy định kỳ.")

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Thời điểm xét, ISO-8601 (ví dụ 2026-11-15T17:00:00+07:00); "
                                          "không có múi giờ thì hiểu là giờ Việt Nam. Mặc định: bây giờ.")

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            moment = parse_datetime(now)
            if moment is None:
                raise CommandError(
                    f"Không hiểu thời điểm “{now}” (cần dạng ISO-8601, ví dụ 2026-11-15T17:00:00+07:00).")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        run = tick_run(now=moment)
        self.stdout.write(f"Thời điểm xét: {timezone.localtime(run.now):%H:%M:%S %d/%m/%Y}")
        for result in run.results:
            if result["ok"]:
                self.stdout.write(f"  {result['name']}: {result['summary']}")
            else:
                self.stdout.write(self.style.ERROR(f"  {result['name']}: LỖI {result['error']}"))
        if not run.ok:
            raise CommandError("Có việc đến hạn chạy lỗi (xem nhật ký).")
