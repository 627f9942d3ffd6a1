from campaigns.models import Campaign
from cchc_portal.core.commands import ImportCommand, found
from surveys.services.questionnaire import survey_import


class Command(ImportCommand):
    allow_force = False  # the service's own rules (an officer, questions not yet answered) hold

    help = ("Nhập nhóm đối tượng và câu hỏi điều tra XHH từ Excel: trang “groups” (code, name, rates_group) và "
            "trang “questions” (group_code, section, number, text, kind, options, criterion_code).")

    def add_import_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="Mã (id) đợt đánh giá.")

    def targets(self, actor, *, campaign, **options):
        return {"campaign": found(Campaign.objects, f"Không có đợt đánh giá #{campaign}.", pk=campaign)}

    def import_file(self, fh, *, actor, dry_run, campaign):
        return survey_import(campaign=campaign, file=fh, dry_run=dry_run, user=actor.user)
