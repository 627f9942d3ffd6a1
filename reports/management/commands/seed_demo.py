from django.conf import settings
from django.core.management.base import BaseCommand

from campaigns import demo as campaigns_demo
from cchc_portal.notifications import demo as notifications_demo
from evidence import demo as evidence_demo
from reports import demo as reports_demo
from scoring import demo as scoring_demo
from scoring import demo_appraisal, demo_assessments
from surveys import demo as surveys_demo


class Command(BaseCommand):
    help = "Tạo tỉnh mẫu (chạy lại nhiều lần vẫn cho cùng dữ liệu)."

    def add_arguments(self, parser):
        parser.add_argument("--with-passwords", action="store_true",
                            help="Đặt mật khẩu mẫu cho các tài khoản mẫu (mặc định chỉ khi DJANGO_DEBUG=1).")

    def handle(self, *args, with_passwords=False, **options):
        set_passwords = settings.DEBUG or with_passwords
        campaigns = campaigns_demo.seed(set_passwords=set_passwords)
        scoring_demo.seed(campaigns=campaigns)
        demo_assessments.seed(campaigns=campaigns)
        demo_appraisal.seed(campaigns=campaigns)
        evidence_demo.seed(campaign=campaigns["current"])
        surveys_demo.seed(campaigns=campaigns)
        reports_demo.seed(campaigns=campaigns)
        notifications_demo.seed(campaigns=campaigns)
        self.stdout.write(self.style.SUCCESS(
            f"Tỉnh mẫu sẵn sàng: đợt hiện tại #{campaigns['current'].pk}, đợt cũ #{campaigns['previous'].pk}."))
        if set_passwords:
            self.stdout.write(f"Mật khẩu mẫu của mọi tài khoản: {campaigns_demo.DEMO_PASSWORD}")
