"""Pages of the province's own index: the board, the assignment, a department's items;
who may see what, and the queries they take."""
from decimal import Decimal as D

import pytest
from django.urls import reverse

from campaigns.models import Role
from scoring.models import Criterion, LeadStatus
from scoring.selectors.province import province_assessment, responsibility_map
from tests.scoring.assessment_support import item, pdf_file
from tests.scoring.province_support import member, province_campaign


@pytest.fixture
def world(officer):
    campaign, province, deps = province_campaign(officer)
    return campaign, province_assessment(campaign=campaign), deps


def test_the_board_for_the_officer_only(world, officer, staff_a, login, django_assert_max_num_queries):
    campaign, assessment, deps = world
    url = reverse("scoring:province_board", args=[campaign.pk])
    client = login(officer)
    with django_assert_max_num_queries(20):
        page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-code="6.2"' in body and "CT" in body
    assert login(member(deps["STP"])).get(url).status_code == 403
    assert login(staff_a).get(url).status_code == 403


def test_a_department_sees_only_its_items_and_outsiders_get_404(world, staff_a, login,
                                                                django_assert_max_num_queries):
    campaign, assessment, deps = world
    url = reverse("scoring:province_department", args=[campaign.pk, "STP"])
    client = login(member(deps["STP"]))
    with django_assert_max_num_queries(20):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-code="2.2"' in body and 'data-code="4.3"' in body and 'data-code="1.1"' not in body
    assert login(member(deps["SNV"])).get(url).status_code == 404  # another department's page
    assert login(staff_a).get(url).status_code == 404  # not in the province campaign at all


def test_the_page_journey_score_send_return_fix_accept(world, officer, login):
    campaign, assessment, deps = world
    staff, leader = member(deps["STP"]), member(deps["STP"], Role.LEADER)
    it = item(assessment, "2.2")
    client = login(staff)
    client.post(reverse("scoring:province_item_contribute", args=[campaign.pk, "STP", "2.2"]),
                {"body": "Báo cáo", "file": pdf_file("bc.pdf")})
    it.refresh_from_db()
    client.post(reverse("scoring:province_item_save", args=[campaign.pk, "STP", "2.2"]),
                {"level": "Đạt", "explanation": "Đã rà soát", "version": it.version})
    it.refresh_from_db()
    assert it.self_points == D("2.5") and it.explanation == "Đã rà soát"
    login(leader).post(reverse("scoring:province_send", args=[campaign.pk, "STP"]))
    assert item(assessment, "2.2").lead_status == LeadStatus.SENT
    client = login(officer)
    client.post(reverse("scoring:province_item_return", args=[campaign.pk, "2.2"]), {"comment": "Thiếu số liệu"})
    assert item(assessment, "2.2").lead_status == LeadStatus.RETURNED
    page = login(staff).get(reverse("scoring:province_department", args=[campaign.pk, "STP"]))
    assert "Thiếu số liệu" in page.content.decode()
    it = item(assessment, "2.2")
    login(staff).post(reverse("scoring:province_item_save", args=[campaign.pk, "STP", "2.2"]),
                      {"level": "Đạt", "explanation": "Đã bổ sung", "version": it.version})
    login(leader).post(reverse("scoring:province_send", args=[campaign.pk, "STP"]))
    login(officer).post(reverse("scoring:province_item_accept", args=[campaign.pk, "2.2"]))
    assert item(assessment, "2.2").lead_status == LeadStatus.ACCEPTED


def test_a_department_cannot_save_another_departments_item(world, login):
    campaign, assessment, deps = world
    it = item(assessment, "2.2")
    login(member(deps["SNV"])).post(reverse("scoring:province_item_save", args=[campaign.pk, "SNV", "2.2"]),
                                    {"level": "Đạt", "version": it.version})
    assert item(assessment, "2.2").input == {}


def test_the_officer_assigns_on_the_page(world, officer, login, django_assert_max_num_queries):
    campaign, assessment, deps = world
    url = reverse("scoring:province_assign", args=[campaign.pk])
    client = login(officer)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    client.post(url, {"code": "3", "responsible": "SNV, CTK"})
    field = Criterion.objects.get(criteria_set=assessment.criteria_set, code="3")
    assert field.responsible_agency.code == "SNV"
    assert [a.code for a in field.cooperating_agencies.all()] == ["CTK"]
    client.post(url, {"code": "3", "responsible": "NOPE"})
    field.refresh_from_db()
    assert field.responsible_agency.code == "SNV"  # refused, unchanged
    assert responsibility_map(criteria_set=assessment.criteria_set)["3.1"].lead.code == "VPUBND"
    assert login(member(deps["SNV"])).post(url, {"code": "3", "responsible": "STP"}).status_code == 403


def test_the_campaign_page_links_each_role(world, officer, login):
    campaign, assessment, deps = world
    url = reverse("campaigns:detail", args=[campaign.pk])
    assert reverse("scoring:province_board", args=[campaign.pk]) in login(officer).get(url).content.decode()
    body = login(member(deps["CTK"])).get(url).content.decode()
    assert reverse("scoring:province_department", args=[campaign.pk, "CTK"]) in body


def test_the_board_in_excel_in_the_ministrys_entry_order(world, officer, login):
    import io

    import openpyxl
    campaign, assessment, deps = world
    url = reverse("scoring:province_board_excel", args=[campaign.pk])
    answer = login(officer).get(url)
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:4]) == ["code", "title", "max_points", "self_points"]
    codes = [r[0] for r in rows[2:]]
    assert codes[0] == "1.1" and "6.2" in codes and len(codes) == assessment.items.count()
    assert login(member(deps["STP"])).get(url).status_code == 403
