"""Results in the browser: two agencies self-assess, are appraised and finalised through the
services; the officer publishes with a decision number; logged out, the public page shows
the ranking with a chart, finds an agency by name and opens its detail by field."""
import os
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from campaigns.models import Membership
from cchc_portal.core.exceptions import ApplicationError
from reports.models import Publication
from reports.results import campaign_results
from scoring.imported_figures import figures_import_rows
from scoring.models import Item
from scoring.services import appraisal as svc
from tests.factories import UserFactory
from tests.scoring.appraisal_support import assign, item, submit, world

from .conftest import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: save the confirmation page to look at it


@pytest.fixture
def finalised(settings, tmp_path, campaign, agency_a, agency_b, staff_a, leader_a, staff_b, officer, appraiser):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EVIDENCE_VIRUS_SCAN = ""
    w = world(campaign, agency_a)
    leader_b = UserFactory(username="leader_b")
    Membership.objects.create(user=leader_b, agency=agency_b, role="leader")
    submit(w.a, staff=staff_a, leader=leader_a)
    submit(w.b, staff=staff_b, leader=leader_b, inputs={
        "1.1": {"score": "1.5"}, "1.2": {"level": "Có"}, "1.3": {"numerator": 1, "denominator": 2},
        "2.1": {"score": "2"}, "2.2": {"score": "1"}, "3.1": {"score": "2"}})
    assign(campaign, appraiser, ["1", "2", "4"], officer=officer)
    officer.groups.add(Group.objects.get(name="officer"))
    svc.item_appraise(item=item(w.a, "1.1"), input={"score": "1.5"}, comment="Kế hoạch ban hành muộn",
                      user=appraiser)
    report = figures_import_rows(campaign=campaign, user=officer, rows=[
        (2, {"agency_code": "SA", "criterion_code": "5.1", "value": "4.5", "source": "Cổng DVC quốc gia"}),
        (3, {"agency_code": "SB", "criterion_code": "5.1", "value": "2.5", "source": "Cổng DVC quốc gia"}),
    ])
    assert report.ok, report.errors
    for assessment, survey in ((w.a, "2.7"), (w.b, "1.2")):
        Item.objects.filter(pk=item(assessment, "6.1").pk).update(external_points=Decimal(survey))  # survey result
        for field in ("1", "2", "3", "4"):
            try:
                svc.field_accept_self_scores(assessment=assessment, field_code=field, user=officer)
            except ApplicationError:  # a field with nothing left to accept (N/A, or adjusted already)
                pass
        svc.assessment_finalize(assessment=assessment, user=officer)
    return w


def test_officer_publishes_and_the_public_sees_the_ranking(page, live_server, campaign, finalised):
    rows = {r.agency_code: r for r in campaign_results(campaign=campaign).rows}
    assert rows["SA"].rank == 1 and rows["SB"].rank == 2 and all(r.is_final for r in rows.values())
    shown_a = f"{rows['SA'].index:.2f}".replace(".", ",")

    log_in(page, live_server, "officer")
    page.get_by_role("link", name="Kết quả", exact=True).first.click()
    page.wait_for_url(f"**/reports/{campaign.pk}/results/")
    page.get_by_role("cell", name=shown_a).wait_for()
    page.get_by_label("Số quyết định phê duyệt của UBND").fill("3579/QĐ-UBND")
    page.get_by_role("button", name="Công bố kết quả").click()
    # a last look before anything is published: the number, the agencies, the ranking
    page.get_by_role("heading", name="Xác nhận công bố kết quả").wait_for()
    facts = page.locator(".confirm-facts").inner_text()
    assert "3579/QĐ-UBND" in facts and f"{len(rows)}" in facts
    ranking = page.locator("section.publish-ranking").first
    assert ranking.locator("tbody tr").nth(0).inner_text().startswith("1\tSở Tài chính")
    assert shown_a in ranking.inner_text()
    assert not Publication.objects.exists()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/publish-confirm-desktop.png", full_page=True)
        page.set_viewport_size({"width": 360, "height": 780})
        page.screenshot(path=f"{SHOTS}/publish-confirm-360.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_role("button", name="Công bố lần 1").click()
    page.get_by_text("Đã công bố kết quả (lần 1)").wait_for()  # the job's page, then its result
    assert Publication.objects.get().agency_rows.count() == len(rows)
    page.get_by_role("link", name="Xem kết quả").click()
    page.get_by_role("cell", name="3579/QĐ-UBND").wait_for()
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/accounts/login/**")

    page.goto(f"{live_server.url}/ket-qua/{campaign.pk}/")
    page.get_by_text("Công bố lần 1 theo Quyết định số 3579/QĐ-UBND").wait_for()
    table = page.locator("table.ranking").first
    assert table.locator("tbody tr").count() == 2
    assert table.locator("tbody tr").nth(0).inner_text().startswith("1\tSở Tài chính")
    chart = page.locator("figure.chart svg[role=img]").first
    chart.wait_for()
    assert chart.bounding_box()["width"] > 200
    assert "Chỉ số CCHC" in chart.get_attribute("aria-label")

    page.get_by_label("Tìm đơn vị (tên hoặc mã)").fill("tư pháp")
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_url("**q=**")
    assert page.locator("table.ranking tbody tr").count() == 1
    page.get_by_role("link", name="Sở Tư pháp").click()
    page.get_by_role("heading", name="Sở Tư pháp").wait_for()
    page.get_by_role("cell", name="Tiêu chí 1", exact=True).wait_for()  # field 1 and its criteria below
    page.get_by_role("cell", name="Tiêu chí 1.1", exact=True).wait_for()
    assert page.locator("figure.chart .chart-wide svg[role=img]").count() == 1  # sub-indices by field
