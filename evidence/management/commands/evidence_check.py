from django.db import transaction

from cchc_portal.core.commands import RecordedCommand
from evidence.checks import check_enqueue
from evidence.models import Document


class Command(RecordedCommand):
    allow_force = False

    help = ("Kiểm tra (đọc nội dung, chữ ký số, đề xuất thông tin) các tài liệu chưa được kiểm tra, "
            "hoặc mọi tài liệu với --all (ví dụ sau khi thêm chứng thư gốc).")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Kiểm tra lại mọi tài liệu.")
        parser.add_argument("--campaign", type=int, help="Chỉ tài liệu của đợt đánh giá này (mã số).")
        super().add_arguments(parser)

    def run(self, actor, *, all=False, campaign=None, **options):  # noqa: A002 - the option's name
        documents = Document.objects.only("pk").order_by("pk")  # check_enqueue needs the id only
        if campaign:
            documents = documents.filter(campaign_id=campaign)
        if not all:
            documents = documents.filter(analysis__isnull=True)
        count = 0
        for document in documents.iterator():
            with transaction.atomic():
                check_enqueue(document)
            count += 1
        return f"Đã xếp hàng kiểm tra {count} tài liệu."
