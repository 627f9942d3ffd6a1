"""The agency's self-assessment report (PDF) is signed by the leader who approved and sent it
(Assessment.submitted_by): their full name under the signature space; before approval the
space is left for a hand signature (an agency may have several leaders)."""
import pytest
from django.urls import reverse

from campaigns.models import Role
from scoring.services.assessments import assessment_approve, assessment_send_to_leader
from tests.factories import MembershipFactory, UserFactory
from tests.pdfs import pdf_lines, pdf_top_margin

pytest_plugins = ["tests.scoring.assessment_fixtures"]
pytestmark = pytest.mark.django_db


def _closing(client, assessment):
    lines = pdf_lines(client.get(reverse("scoring:assessment_report_pdf", args=[assessment.pk])).content)
    return lines[next(i for i, line in enumerate(lines) if "Nơi nhận" in line):]


def test_the_report_names_the_leader_who_approved_it(login, assessment_a, staff_a, leader_a):
    leader_a.full_name = "Trần Văn Hùng"
    leader_a.save(update_fields=["full_name"])
    deputy = MembershipFactory(user=UserFactory(username="deputy_a", full_name="Lê Thị Mai"),
                               agency=assessment_a.agency, role=Role.LEADER).user
    client = login(staff_a)
    before = " ".join(_closing(client, assessment_a))
    assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in before and "- Sở Nội vụ;" in before and "- Lưu: VT." in before
    assert "Trần Văn Hùng" not in before and "Lê Thị Mai" not in before  # not approved yet: signed by hand
    assessment_send_to_leader(assessment=assessment_a, user=staff_a)
    assessment_approve(assessment=assessment_a, user=deputy)
    after = _closing(client, assessment_a)
    assert "Lê Thị Mai" in after and "Trần Văn Hùng" not in " ".join(after)  # the name on a line of its own
    assert "- Sở Nội vụ;" in " ".join(after)


def test_pages_are_numbered_at_the_top_from_the_second_on(login, assessment_a, staff_a):
    assessment_a.items.update(explanation="Giải trình dài về kết quả thực hiện nhiệm vụ trong năm. " * 30)  # pages
    content = login(staff_a).get(reverse("scoring:assessment_report_pdf", args=[assessment_a.pk])).content
    numbers = pdf_top_margin(content)
    assert len(numbers) >= 2 and numbers == [""] + [str(n) for n in range(2, len(numbers) + 1)], numbers
