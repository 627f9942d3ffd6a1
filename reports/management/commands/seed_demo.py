from django.conf import settings
from django.core.management.base import BaseCommand

from reports.management import demo
from reports.management.demo import guide


class Command(BaseCommand):
    help = "Tạo tỉnh mẫu (chạy lại nhiều lần vẫn cho cùng dữ liệu), rồi in các tài khoản và một liên kết phiếu để thử."

    def add_arguments(self, parser):
        parser.add_argument("--with-passwords", action="store_true",
                            help="Đặt mật khẩu mẫu cho các tài khoản mẫu (mặc định chỉ khi DJANGO_DEBUG=1).")

    def handle(self, *args, with_passwords=False, **options):
        set_passwords = settings.DEBUG or with_passwords
        campaigns = demo.seed(set_passwords=set_passwords)
        # last, so that it is what the console shows above runserver's banner (make demo)
        text = guide.lines(guide.build(campaigns=campaigns), password=demo.DEMO_PASSWORD if set_passwords else None)
        self.stdout.write("\n".join(text))
