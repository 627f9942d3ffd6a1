"""A sent list tells every officer, an approved one every member of the agency: once each, in
the bell, in a fixed number of queries however many people there are."""
import pytest

from campaigns.models import Role
from cchc_portal.notifications.models import Notification
from surveys.services import lists as list_services
from tests.conftest import _province_user
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_send_tells_each_officer_and_approve_each_member(survey, commune, commune_staff, officer,
                                                         django_assert_max_num_queries):
    others = [_province_user(f"officer{i}", Role.OFFICER) for i in range(3)]
    leader = MembershipFactory(user=UserFactory(username="commune_leader"), agency=commune, role=Role.LEADER).user
    list_services.respondent_add(campaign=survey.campaign, agency=commune, user=commune_staff, full_name="An",
                                 email="an@example.vn", group=survey.ldx)
    with django_assert_max_num_queries(12):
        list_services.respondent_list_send(campaign=survey.campaign, agency=commune, user=commune_staff)
    sent = Notification.objects.filter(text__contains="đã gửi danh sách")
    assert sorted(sent.values_list("user_id", flat=True)) == sorted(u.pk for u in [officer, *others])
    with django_assert_max_num_queries(12):
        list_services.respondent_list_approve(campaign=survey.campaign, agency=commune, user=officer)
    approved = Notification.objects.filter(text__contains="đã duyệt danh sách")
    assert sorted(approved.values_list("user_id", flat=True)) == sorted([commune_staff.pk, leader.pk])
    assert not Notification.objects.filter(user=commune_staff, text__contains="đã gửi danh sách").exists()
