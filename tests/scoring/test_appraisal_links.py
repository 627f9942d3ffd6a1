import pytest
from django.urls import reverse

from scoring.models import Assessment


@pytest.mark.django_db
def test_scoring_page_links_to_explanations_when_requested(login, campaign, staff_a):
    from scoring.services.assessments import assessments_ensure
    from tests.scoring.factories import criteria_set_with_tree

    criteria_set_with_tree(campaign=campaign, group=staff_a.memberships.get().agency.group)
    assessments_ensure(campaign=campaign)
    assessment = Assessment.objects.get(agency__code="SA")
    url = reverse("scoring:assessment_page", args=[assessment.pk])
    client = login(staff_a)
    assert reverse("scoring:explanations", args=[assessment.pk]) not in client.get(url).content.decode()
    Assessment.objects.filter(pk=assessment.pk).update(status="explanation_requested")
    assert reverse("scoring:explanations", args=[assessment.pk]) in client.get(url).content.decode()
