from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from scoring.selectors.criteria import criteria_set_for
from scoring.services.criteria_copy import criteria_export


class Command(BaseCommand):
    help = "Xuất bộ tiêu chí của một nhóm cơ quan ra Excel, cùng định dạng với import_criteria."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="Mã số (id) đợt đánh giá.")
        parser.add_argument("--group", required=True, help="Mã nhóm cơ quan: department, district, commune...")
        parser.add_argument("-o", "--output", required=True, help="Tệp .xlsx ghi ra.")

    def handle(self, *args, campaign, group, output, **options):
        campaign_obj = Campaign.objects.filter(pk=campaign).first() if str(campaign).isdigit() else None
        if campaign_obj is None:
            raise CommandError(f"Không có đợt đánh giá #{campaign}.")
        criteria_set = criteria_set_for(campaign=campaign_obj, group=group)
        if criteria_set is None:
            raise CommandError(f"Đợt đánh giá #{campaign_obj.pk} chưa có bộ tiêu chí nhóm '{group}'.")
        try:
            Path(output).write_bytes(criteria_export(criteria_set=criteria_set))
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp: {exc}") from exc
        count = criteria_set.criteria.count()
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {count} tiêu chí ra {output}."))
