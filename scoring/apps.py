from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Bộ tiêu chí và chấm điểm")

    def ready(self):
        from campaigns import links
        from scoring.views.criteria import criteria_links

        links.register(criteria_links)  # criteria sets: "Bộ tiêu chí" links on the campaign page
        from scoring.services import assessments

        assessments.connect()  # self-assessment: extension receiver, page links
        from scoring.views.appraisal_pages import appraisal_links

        links.register(appraisal_links)  # appraisal: the queue, assignments, explanations
        from scoring.services import explanations

        explanations.connect()  # explanation deadlines follow extensions
        from evidence.library import register_code_map
        from scoring.selectors.criteria import criteria_code_pairs

        register_code_map(criteria_code_pairs)  # the campaign library follows the year-over-year map
        from scoring.views.province import province_links

        links.register(province_links)  # the province's own index: board, assignment, a department's items
        from campaigns.models import Campaign
        from campaigns.participants import register_participants
        from scoring.selectors.province import province_participant_ids

        # its departments (not the one covered agency) name focal officers, get extensions
        register_participants(Campaign.Kind.PROVINCE, province_participant_ids)
        from scoring import automation  # noqa: F401 - registers the tick's locks and reminder sources
