from django.conf import settings
from django.core.management.base import BaseCommand

from reports.management import demo


class Command(BaseCommand):
    help = "Tạo tỉnh mẫu (chạy lại nhiều lần vẫn cho cùng dữ liệu)."

    def add_arguments(self, parser):
        parser.add_argument("--with-passwords", action="store_true",
                            help="Đặt mật khẩu mẫu cho các tài khoản mẫu (mặc định chỉ khi DJANGO_DEBUG=1).")

    def handle(self, *args, with_passwords=False, **options):
        set_passwords = settings.DEBUG or with_passwords
        campaigns = demo.seed(set_passwords=set_passwords)
        self.stdout.write(self.style.SUCCESS(
            f"Tỉnh mẫu sẵn sàng: đợt hiện tại #{campaigns['current'].pk}, đợt cũ #{campaigns['previous'].pk}."))
        if set_passwords:
            self.stdout.write(f"Mật khẩu mẫu của mọi tài khoản: {demo.DEMO_PASSWORD}")
