from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Bộ tiêu chí và chấm điểm"

    def ready(self):
        from scoring.services import assessments

        assessments.connect()  # self-assessment: extension receiver, page links
