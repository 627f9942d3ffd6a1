from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Bộ tiêu chí và chấm điểm"

    def ready(self):
        from scoring.services import assessments

        assessments.connect()  # self-assessment: extension receiver, page links
        from scoring.services import appraisal

        appraisal.connect()  # appraisal: explanation deadlines follow extensions, page links
        from scoring import automation  # noqa: F401 - registers the tick's locks and reminder sources
