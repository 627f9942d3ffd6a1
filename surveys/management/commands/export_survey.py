from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign
from surveys.services.questionnaire import survey_export


class Command(BaseCommand):
    help = "Xuất nhóm đối tượng và câu hỏi điều tra XHH của một đợt ra Excel (cùng định dạng với import_survey)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="Mã (id) đợt đánh giá.")
        parser.add_argument("-o", "--output", required=True, help="Tệp .xlsx sẽ ghi.")

    def handle(self, *args, campaign, output, **options):
        target = Campaign.objects.filter(pk=campaign).first()
        if target is None:
            raise CommandError(f"Không có đợt đánh giá #{campaign}.")
        try:
            Path(output).write_bytes(survey_export(campaign=target))
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Đã xuất phiếu điều tra của đợt #{campaign} ra {output}."))
