"""Demo results: report headers for the demo province, and the 2024 campaign published.

Runs after the appraisal demo has finalised every 2024 assessment; publishes them once
(Quyết định số 1156/QĐ-UBND, 12/05/2025, as the plan's publication step says) so that
/ket-qua/<2024 id>/ shows a realistic ranking. The current year's campaign stays
unpublished. Idempotent: settings and the publication are found before they are made.
"""
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from campaigns.models import User
from reports.models import Publication, ResultSettings
from reports.services import publication_create
from scoring.models import Assessment

HEADER = {"authority_name": "UBND TỈNH TUYÊN QUANG", "office_name": "SỞ NỘI VỤ", "place_name": "Tuyên Quang"}
DECISION_2024 = "1156/QĐ-UBND"


def _settings(campaign):
    ResultSettings.objects.get_or_create(campaign=campaign, defaults=HEADER)


@transaction.atomic
def seed(*, campaigns) -> Publication | None:
    """Returns the 2024 publication (None when its assessments are not all final)."""
    for campaign in campaigns.values():
        _settings(campaign)
    previous = campaigns["previous"]
    found = Publication.objects.filter(campaign=previous).order_by("-number").first()
    if found is not None:
        return found
    assessments = Assessment.objects.filter(campaign=previous)
    if not assessments.exists() or assessments.exclude(status=Assessment.Status.FINAL).exists():
        return None
    officer = User.objects.get(username="canbo.snv")
    when = timezone.make_aware(datetime.combine(datetime(2025, 5, 12).date(), time(9, 30)))
    return publication_create(campaign=previous, user=officer, decision_number=DECISION_2024,
                              note="Công bố Chỉ số CCHC năm 2024 của các sở, ban, ngành và UBND cấp huyện.",
                              now=when)
