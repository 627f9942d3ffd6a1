"""Officer pages (results, publish, settings, board), score sheets and the public pages."""
from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from reports.models import Publication
from reports.services import publication_create
from scoring.models import Assessment, Item
from tests.confirming import confirm_post, confirm_value
from tests.factories import AgencyFactory, CampaignFactory, group
from tests.pages import text

from .builders import department, golden_campaign, make_assessment, make_set, set_appraised


@pytest.fixture
def golden(campaign, agency_a, agency_b):
    return golden_campaign(campaign, agency_a, agency_b)


@pytest.fixture
def published(campaign, golden, officer):
    return publication_create(campaign=campaign, user=officer, decision_number="2468/QĐ-UBND")


# ---------------------------------------------------------------- officers


def test_officer_results_page_shows_live_results_and_filters(login, officer, campaign, golden):
    client = login(officer)
    r = client.get(reverse("reports-results", args=[campaign.pk]))
    assert r.status_code == 200
    page = text(r)
    assert "Sở Tài chính" in page and "72,35" in page and "77,78" in page
    assert "kết quả tạm tính" in page
    r = client.get(reverse("reports-results", args=[campaign.pk]), {"q": "tư pháp"})
    assert "Sở Tư pháp" in text(r) and "Sở Tài chính" not in text(r)
    r = client.get(reverse("reports-results", args=[campaign.pk]), {"group": "commune"})
    assert "Không có đơn vị nào khớp bộ lọc" in text(r)


@pytest.mark.parametrize("who,status", [("staff_a", 403), ("appraiser", 403), ("commune_staff", 403)])
def test_results_pages_refuse_non_officers(request, login, campaign, golden, who, status):
    client = login(request.getfixturevalue(who))
    for name in ("reports-results", "reports-board", "reports-settings", "reports-ranking-xlsx",
                 "reports-summary-pdf", "reports-campaign-export"):
        assert client.get(reverse(name, args=[campaign.pk])).status_code == status, name
    assert client.post(reverse("reports-publish", args=[campaign.pk]), {"decision_number": "1"}).status_code == status
    assert not Publication.objects.exists()


def test_anonymous_is_sent_to_login_and_unknown_campaigns_are_404(client, login, officer, campaign):
    r = client.get(reverse("reports-results", args=[campaign.pk]))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert login(officer).get(reverse("reports-results", args=[987654])).status_code == 404


def test_results_page_query_count_is_constant(login, officer, campaign, django_assert_max_num_queries):
    cset = make_set(campaign)
    client = login(officer)
    client.get(reverse("reports-results", args=[campaign.pk]))
    for n in (2, 12):
        for i in range(n):
            make_assessment(campaign, department(f"N{n}-{i}", f"Sở số {n}-{i}"), cset)
        with django_assert_max_num_queries(22):
            assert client.get(reverse("reports-results", args=[campaign.pk])).status_code == 200


def publish(client, campaign, capture, **data):
    """POST the publish form, run the queued job (on commit) and follow to the job's page."""
    with capture(execute=True):
        r = client.post(reverse("reports-publish", args=[campaign.pk]), data)
    return client.get(r["Location"]) if r.status_code == 302 else r


def test_publish_from_the_page_then_correct(login, officer, campaign, golden, django_capture_on_commit_callbacks):
    from cchc_portal.notifications.models import Job

    _cset, a, _b = golden
    client = login(officer)
    url = reverse("reports-publish", args=[campaign.pk])
    r = client.post(url, {"decision_number": ""})
    assert r.status_code == 200 and "Trường này là bắt buộc" in text(r)
    r = client.post(url, {"decision_number": "15/QĐ-UBND"}, follow=True)
    assert not Publication.objects.exists() and "Đã công bố" not in text(r)
    assert "Xác nhận công bố kết quả" in text(r) and "Công bố lần 1" in text(r)
    r = publish(client, campaign, django_capture_on_commit_callbacks, **confirm_post(r))
    job = Job.objects.get(kind="publication")
    assert r.request["PATH_INFO"] == job.get_absolute_url()
    assert "Đã công bố kết quả (lần 1)" in text(r) and reverse("reports-results", args=[campaign.pk]) in text(r)
    assert "15/QĐ-UBND" in text(client.get(job.result_url))
    set_appraised(a, "1.1", "2")
    r = client.post(url, {"decision_number": "16/QĐ-UBND"}, follow=True)
    assert "cần ghi chú lý do" in text(r) and confirm_value(r) is None and Job.objects.count() == 1
    r = client.post(url, {"decision_number": "16/QĐ-UBND", "note": "Đính chính tiêu chí 1.1"})
    assert "Công bố lần 2" in text(r) and Publication.objects.count() == 1
    r = publish(client, campaign, django_capture_on_commit_callbacks, **confirm_post(r))
    assert "Đã công bố kết quả (lần 2)" in text(r)
    assert list(Publication.objects.values_list("number", flat=True)) == [2, 1]


def test_a_double_click_publishes_once(login, officer, campaign, golden, django_capture_on_commit_callbacks):
    """Two posts of the same form: the second finds the first job waiting and gets it; a
    job whose number was taken meanwhile finishes on that publication, publishing nothing."""
    from cchc_portal.notifications.models import Job
    from reports.tasks import publication_job

    client = login(officer)
    url = reverse("reports-publish", args=[campaign.pk])
    confirmed = confirm_post(client.post(url, {"decision_number": "15/QĐ-UBND"}))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = client.post(url, confirmed)
        second = client.post(url, confirmed)
    assert first["Location"] == second["Location"] and Job.objects.filter(kind="publication").count() == 1
    assert len(callbacks) == 1
    callbacks[0]()
    twin = Job.objects.create(kind="publication", created_by=officer, args=Job.objects.get().args)
    assert publication_job(job_id=twin.pk, **twin.args) == "done"
    assert Publication.objects.count() == 1
    assert publication_job(job_id=twin.pk, **twin.args) == "skipped"  # a redelivery


def test_publish_confirmation_shows_the_counts_and_the_ranking(login, officer, campaign, golden):
    r = login(officer).post(reverse("reports-publish", args=[campaign.pk]), {"decision_number": "15/QĐ-UBND"})
    page = text(r)
    facts = page[page.index('class="confirm-facts"'):page.index("</dl>")]
    assert "15/QĐ-UBND" in facts and "<strong>1</strong>" in facts
    assert f"<strong>{Assessment.objects.filter(campaign=campaign).count()}</strong>" in facts
    ranking = page[page.index("Xếp hạng:"):]
    assert ranking.index("Sở Tư pháp") < ranking.index("Sở Tài chính")  # 77,78 % before 72,35 %
    assert "77,78" in ranking and "72,35" in ranking


def test_publish_confirmation_is_asked_again_when_the_figures_changed(login, officer, campaign, golden):
    client = login(officer)
    url = reverse("reports-publish", args=[campaign.pk])
    data = confirm_post(client.post(url, {"decision_number": "15/QĐ-UBND"}))
    publication_create(campaign=campaign, user=officer, decision_number="14/QĐ-UBND")  # someone else, meanwhile
    data["note"] = ["Đính chính"]
    r = client.post(url, data)
    assert "Số liệu đã thay đổi" in text(r) and "Công bố lần 2" in text(r)
    assert Publication.objects.count() == 1


def test_publish_page_explains_agencies_not_final(login, officer, campaign, golden,
                                                  django_capture_on_commit_callbacks):
    _cset, a, _b = golden
    Assessment.objects.filter(pk=a.pk).update(status=Assessment.Status.IN_APPRAISAL)
    client = login(officer)
    r = client.post(reverse("reports-publish", args=[campaign.pk]), {"decision_number": "1/QĐ"})
    assert "Còn 1 đơn vị chưa chốt điểm" in text(r) and confirm_value(r) is None
    # a forged confirmation still publishes nothing: the job says why
    r = publish(client, campaign, django_capture_on_commit_callbacks, decision_number="1/QĐ", confirmed="1:2")
    assert "Còn 1 đơn vị chưa chốt điểm (SA)" in text(r) and not Publication.objects.exists()


def test_settings_page_saves_bands(login, officer, campaign, golden):
    client = login(officer)
    url = reverse("reports-settings", args=[campaign.pk])
    assert "90: Xuất sắc" in text(client.get(url))
    r = client.post(url, {"grade_bands": "90 xuất sắc", "rank_method": "dense", "authority_name": "UBND",
                          "office_name": "SỞ NỘI VỤ", "signer_title": "GIÁM ĐỐC", "recipients": "Lưu: VT"})
    assert r.status_code == 200 and "không đúng dạng" in text(r)
    r = client.post(url, {"grade_bands": "70: Đạt; 0: Chưa đạt", "rank_method": "dense",
                          "authority_name": "UBND TỈNH TUYÊN QUANG", "office_name": "SỞ NỘI VỤ",
                          "signer_title": "GIÁM ĐỐC", "recipients": "Lưu: VT, CCHC"}, follow=True)
    assert "Đã lưu cấu hình" in text(r) and "Đạt" in text(r)


def test_board_counts_lists_filters_and_exports(login, officer, campaign, golden, commune):
    _cset, a, _b = golden
    Assessment.objects.filter(pk=a.pk).update(status=Assessment.Status.EXPLANATION_REQUESTED)
    client = login(officer)
    url = reverse("reports-board", args=[campaign.pk])
    page = text(client.get(url))
    assert "Chưa bắt đầu" in page and "Xã Yên Sơn" in page  # the commune has no assessment yet
    r = client.get(url, {"status": "explanation_requested"})
    assert "Sở Tài chính" in text(r) and "Sở Tư pháp" not in text(r)
    r = client.get(url, {"status": "final"})
    assert "Sở Tư pháp" in text(r) and "Sở Tài chính" not in text(r)
    r = client.get(reverse("reports-board-export", args=[campaign.pk]), {"status": "not_started"})
    assert r.status_code == 200
    from io import BytesIO

    import openpyxl

    ws = openpyxl.load_workbook(BytesIO(b"".join(r.streaming_content))).active
    assert [row[1] for row in ws.iter_rows(min_row=3, values_only=True)] == ["XA"]


def test_board_query_count_is_constant(login, officer, django_assert_max_num_queries):
    c = CampaignFactory()
    c.groups.set([group("department")])
    cset = make_set(c)
    client = login(officer)
    for n in (2, 20):
        for i in range(n):
            agency = AgencyFactory(code=f"B{n}-{i}", group=group("department"))
            c.agencies.add(agency)
            make_assessment(c, agency, cset, status=Assessment.Status.SUBMITTED)
        with django_assert_max_num_queries(16):
            assert client.get(reverse("reports-board", args=[c.pk])).status_code == 200


def test_score_sheet_for_officer_and_own_agency_only(login, officer, staff_a, staff_b, campaign, golden):
    url = reverse("reports-score-sheet", args=[campaign.pk, "SA"])
    page = text(login(officer).get(url))
    assert "Kế hoạch ban hành chậm" in page and "1,75" in page
    assert login(staff_a).get(url).status_code == 200
    assert login(staff_a).get(reverse("reports-score-sheet-xlsx", args=[campaign.pk, "SA"])).status_code == 200
    assert login(staff_b).get(url).status_code == 404
    assert login(staff_b).get(reverse("reports-score-sheet-pdf", args=[campaign.pk, "SA"])).status_code == 404


def test_home_counters_show_assessment_stages(login, officer, campaign, golden):
    page = text(login(officer).get("/"))
    assert "Đã chốt điểm" in page
    assert "Kết quả" in page and reverse("reports-results", args=[campaign.pk]) in page


# ---------------------------------------------------------------- public pages


def test_public_page_is_404_until_published(client, campaign, golden):
    assert client.get(reverse("public-results", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("public-agency", args=[campaign.pk, "SA"])).status_code == 404
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PUBLISHED)  # published, no snapshot
    assert client.get(reverse("public-results", args=[campaign.pk])).status_code == 404


def test_public_ranking_search_chart_and_detail(client, campaign, published):
    r = client.get(reverse("public-results", args=[campaign.pk]))
    assert r.status_code == 200
    page = text(r)
    assert "2468/QĐ-UBND" in page and "Sở Tư pháp" in page and "77,78" in page
    table = page[page.index('<table class="ranking"'):]
    assert table.index("Sở Tư pháp") < table.index("Sở Tài chính")  # rank 1 first
    assert '<svg role="img"' in page and "chart-svg" in page
    r = client.get(reverse("public-results", args=[campaign.pk]), {"q": "SA"})
    assert "Sở Tài chính" in text(r) and "Sở Tư pháp" not in text(r)
    r = client.get(reverse("public-agency", args=[campaign.pk, "SB"]))
    page = text(r)
    assert r.status_code == 200 and "Cải cách thủ tục hành chính" in page and "Không áp dụng" in page
    assert '1 <span class="stat-of">/ 2</span>' in page and '<svg role="img"' in page
    assert client.get(reverse("public-agency", args=[campaign.pk, "NOPE"])).status_code == 404


def test_public_page_shows_published_numbers_not_later_edits(client, campaign, golden, published):
    _cset, a, _b = golden
    set_appraised(a, "1.1", "0")
    Item.objects.filter(assessment=a, criterion__code="3.1").update(appraised_points=Decimal("0"))
    page = text(client.get(reverse("public-results", args=[campaign.pk])))
    assert "72,35" in page and "14,47" in page
    page = text(client.get(reverse("public-agency", args=[campaign.pk, "SA"])))
    assert "1,75" in page


def test_public_agency_shows_year_over_year_when_last_year_is_mapped(client, officer, agency_a, agency_b):
    last = CampaignFactory(year=2025, name="Chỉ số CCHC 2025")
    last.groups.set([group("department")])
    old = make_set(last)
    make_assessment(last, agency_a, old, scores={"1.1": {"appraised": {"score": "1"}}})
    publication_create(campaign=last, user=officer, decision_number="9/QĐ-UBND")
    now = CampaignFactory(year=2026, previous=last)
    now.groups.set([group("department")])
    cset = make_set(now)
    for code in ("1", "2"):
        cset.criteria.filter(code=code).update(previous=old.criteria.get(code=code))
    make_assessment(now, agency_a, cset, scores={"1.1": {"appraised": {"score": "2"}}})
    publication_create(campaign=now, user=officer, decision_number="10/QĐ-UBND")
    page = text(client.get(reverse("public-agency", args=[now.pk, "SA"])))
    assert "Qua các năm đã công bố" in page and "Năm trước: chỉ số" in page
    assert "So sánh với năm 2025" in text(client.get(reverse("public-results", args=[now.pk])))


def test_publish_confirmation_query_count_is_constant(login, officer, campaign, django_assert_max_num_queries):
    cset = make_set(campaign)
    client = login(officer)
    url = reverse("reports-publish", args=[campaign.pk])
    client.post(url, {"decision_number": "1/QĐ"})
    for n in (2, 12):
        for i in range(n):
            make_assessment(campaign, department(f"P{n}-{i}", f"Sở số {n}-{i}"), cset)
        with django_assert_max_num_queries(17):
            assert client.post(url, {"decision_number": "1/QĐ"}).status_code == 200
    assert not Publication.objects.exists()
