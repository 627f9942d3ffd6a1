"""Appraisal pages and API: who is refused (404 agency staff, 403 an appraiser on items not
assigned), the comment rule over HTTP, explanation answers, finalisation, pinned query counts."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.models import AppraisalSeen, Assessment, ExplanationRequest, FinalisationLog, Item
from scoring.services import appraisal as svc
from scoring.services import explanations as explain_svc
from tests.confirming import confirm_post, confirm_value
from tests.factories import AgencyFactory, group
from tests.scoring.appraisal_support import assign, item, submit, world

pytestmark = pytest.mark.usefixtures("media")  # tests/conftest.py


@pytest.fixture
def w(campaign, agency_a, staff_a, leader_a, officer, appraiser):
    w = world(campaign, agency_a)
    submit(w.a, staff=staff_a, leader=leader_a)
    assign(campaign, appraiser, ["1"], officer=officer)
    return w


def page_url(w):
    return reverse("scoring:appraisal_page", args=[w.a.pk])


def api_item(w, code):
    return f"/api/v1/assessments/{w.a.pk}/items/{code}/appraisal/"


# ---------------------------------------------------------------- API


def test_api_patch_appraisal(api, w, appraiser, staff_a, officer):
    r = api.as_user(appraiser).patch(api_item(w, "1.1"), {"input": {"score": "1.5"}, "comment": "Ban hành muộn"},
                                     format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["appraised_points"] == "1.50" and body["self_points"] == "2.00"
    assert body["appraisal_state"] == "adjusted" and body["assessment_status"] == "in_appraisal"
    assert body["appraised_by"] == "appraiser"
    r = api.as_user(appraiser).patch(api_item(w, "1.3"), {"input": {"numerator": 1, "denominator": 2}},
                                     format="json")
    assert r.status_code == 400 and "ý kiến" in r.json()["detail"] and "comment" in r.json()["errors"]
    r = api.as_user(appraiser).patch(api_item(w, "2.1"), {"input": {"score": "1"}, "comment": "x"}, format="json")
    assert r.status_code == 403  # not assigned to field 2
    r = api.as_user(staff_a).patch(api_item(w, "1.1"), {"input": {"score": "1"}, "comment": "x"}, format="json")
    assert r.status_code == 404  # agency staff never see the appraisal
    r = api.as_user(appraiser).patch(api_item(w, "9.9"), {"accept": True}, format="json")
    assert r.status_code == 404
    r = api.as_user(appraiser).patch(api_item(w, "1.2"), {"accept": True}, format="json")
    assert r.status_code == 200 and r.json()["appraisal_state"] == "accepted"
    r = api.as_user(appraiser).patch(api_item(w, "1.3"), {}, format="json")
    assert r.status_code == 400


def test_api_finalize_409_with_reasons_then_200_and_then_409_on_writes(api, w, appraiser, officer):
    url = f"/api/v1/assessments/{w.a.pk}/finalize/"
    assert api.as_user(appraiser).post(url).status_code == 403
    r = api.as_user(officer).post(url)
    assert r.status_code == 409
    assert "chưa thẩm định" in r.json()["detail"] and "1.1" in r.json()["errors"]["items"]
    for field in ("1", "2", "4", "5", "6"):
        if field in ("5", "6"):
            Item.objects.filter(assessment=w.a, criterion__code=f"{field}.1").update(external_points=Decimal("1"))
            continue
        assert api.as_user(officer).post(f"/api/v1/assessments/{w.a.pk}/fields/{field}/accept/").status_code == 200
    r = api.as_user(officer).post(url)
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "final" and r.json()["appraised_total"] == "12.30"
    r = api.as_user(appraiser).patch(api_item(w, "1.1"), {"input": {"score": "1"}, "comment": "x"}, format="json")
    assert r.status_code == 409 and "chốt điểm" in r.json()["detail"]
    r = api.as_user(officer).post(f"/api/v1/assessments/{w.a.pk}/reopen/", {"reason": ""}, format="json")
    assert r.status_code == 400
    r = api.as_user(officer).post(f"/api/v1/assessments/{w.a.pk}/reopen/", {"reason": "Sai số liệu 1.1"},
                                  format="json")
    assert r.status_code == 200 and r.json()["status"] == "appraised"


def test_api_explanation_request_and_answer(api, w, appraiser, staff_a, staff_b, officer):
    due = (timezone.now() + timedelta(days=2)).isoformat()
    url = f"/api/v1/assessments/{w.a.pk}/explanation-requests/"
    r = api.as_user(staff_a).post(url, {"items": ["1.2"], "question": "?", "due_at": due}, format="json")
    assert r.status_code == 404
    r = api.as_user(appraiser).post(url, {"items": ["2.1"], "question": "?", "due_at": due}, format="json")
    assert r.status_code == 403
    r = api.as_user(appraiser).post(url, {"items": ["1.2"], "question": "Bổ sung văn bản", "due_at": due},
                                    format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["items"] == ["1.2"] and body["status"] == "open" and body["round"] == 1
    listed = api.as_user(staff_a).get(url)
    assert listed.status_code == 200 and listed.json()[0]["id"] == body["id"]
    assert api.as_user(staff_b).get(url).status_code == 404
    answer = f"/api/v1/explanation-requests/{body['id']}/answer/"
    assert api.as_user(staff_b).post(answer, {"body": "x"}, format="json").status_code == 404
    assert api.as_user(appraiser).post(answer, {"body": "x"}, format="json").status_code == 403
    r = api.as_user(staff_a).post(answer, {"body": "Đã bổ sung"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "answered"
    r = api.as_user(staff_a).post(answer, {"body": "Lần nữa"}, format="json")
    assert r.status_code == 409


def test_api_assignments(api, w, officer, appraiser, staff_a):
    url = f"/api/v1/campaigns/{w.campaign.pk}/assignments/"
    r = api.as_user(officer).post(url, {"username": "appraiser", "codes": ["2", "4"], "group": "department"},
                                  format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["codes"] == ["2", "4"] and r.json()["group"] == "department"
    r = api.as_user(officer).post(url, {"username": "appraiser", "codes": ["5"], "group": "department"},
                                  format="json")
    assert r.status_code == 200 and r.json()["codes"] == ["2", "4", "5"]
    assert api.as_user(officer).post(url, {"username": "nobody", "codes": ["2"]}, format="json").status_code == 400
    assert api.as_user(officer).post(url, {"username": "appraiser", "codes": ["77"]},
                                     format="json").status_code == 400
    assert api.as_user(appraiser).post(url, {"username": "appraiser", "codes": ["2"]},
                                       format="json").status_code == 403
    assert api.as_user(staff_a).get(url).status_code == 404
    assert len(api.as_user(appraiser).get(url).json()) == 2
    from rest_framework.test import APIClient

    assert APIClient().get(url).status_code == 401


def test_api_appraisal_summary(api, w, appraiser, staff_a):
    url = f"/api/v1/assessments/{w.a.pk}/appraisal/"
    assert api.as_user(staff_a).get(url).status_code == 404
    r = api.as_user(appraiser).get(url)
    assert r.status_code == 200
    assert r.json()["self_total"] == "10.30" and "1.1" in r.json()["unappraised"]
    codes = [i["code"] for i in r.json()["items"]]
    assert "1.1" in codes and "6.1" in codes


# ---------------------------------------------------------------- pages


def test_appraisal_page_shows_both_sides_and_only_assigned_forms(login, w, appraiser, staff_a):
    r = login(appraiser).get(page_url(w))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Đơn vị tự chấm" in html and "Tổng điểm thẩm định" in html
    assert reverse("scoring:appraisal_item", args=[w.a.pk, "1.1"]) in html
    assert reverse("scoring:appraisal_item", args=[w.a.pk, "2.1"]) not in html  # not theirs: read-only
    assert "Không thuộc phần được phân công" in html
    assert "Không áp dụng cho đơn vị" in html  # field 3
    assert AppraisalSeen.objects.filter(user=appraiser, assessment=w.a).exists()
    assert login(staff_a).get(page_url(w)).status_code == 404


def test_page_post_plain_and_htmx(login, w, appraiser):
    client = login(appraiser)
    url = reverse("scoring:appraisal_item", args=[w.a.pk, "1.1"])
    r = client.post(url, {"score": "1", "comment": ""})
    assert r.status_code == 302 and item(w.a, "1.1").appraisal_state == "pending"
    r = client.post(url, {"score": "1", "comment": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "cần ghi ý kiến thẩm định" in r.content.decode()
    r = client.post(url, {"score": "1", "comment": "Thiếu văn bản"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and 'id="field-1"' in html and 'hx-swap-oob="true"' in html
    assert item(w.a, "1.1").appraised_points == Decimal("1.00")
    r = client.post(reverse("scoring:appraisal_item", args=[w.a.pk, "2.1"]), {"score": "1", "comment": "x"})
    assert r.status_code == 302 and item(w.a, "2.1").appraisal_state == "pending"  # refused with a message
    r = client.post(reverse("scoring:appraisal_field_accept", args=[w.a.pk, "1"]))
    assert r.status_code == 302 and item(w.a, "1.3").appraisal_state == "accepted"


def test_explanation_pages(login, w, appraiser, staff_a, staff_b):
    due = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client = login(appraiser)
    create = reverse("scoring:explanation_request_create", args=[w.a.pk])
    r = client.post(create, {"codes": ["1.2", "1.3"], "question": "Đề nghị giải trình", "due_at": due})
    assert r.status_code == 200 and not ExplanationRequest.objects.exists()  # the confirmation first
    r = client.post(create, confirm_post(r))
    assert r.status_code == 302
    request = ExplanationRequest.objects.get(assessment=w.a)
    assert sorted(request.items.values_list("criterion__code", flat=True)) == ["1.2", "1.3"]
    url = reverse("scoring:explanations", args=[w.a.pk])
    page = login(staff_a).get(url)
    assert page.status_code == 200 and "Đề nghị giải trình" in page.content.decode()
    assert reverse("scoring:explanation_answer", args=[request.pk]) in page.content.decode()
    assert login(staff_b).get(url).status_code == 404
    from tests.scoring.appraisal_support import pdf_upload

    r = login(staff_a).post(reverse("scoring:explanation_answer", args=[request.pk]),
                            {f"r{request.pk}-body": "Gửi kèm biên bản", f"r{request.pk}-file": pdf_upload()})
    assert r.status_code == 302
    request.refresh_from_db()
    assert request.status == "answered"
    assert item(w.a, "1.3").documents.count() == 1  # the file became evidence of the items asked about
    page = login(appraiser).get(page_url(w)).content.decode()
    assert "Gửi kèm biên bản" in page and "Đơn vị đã giải trình" in page


def test_finalise_and_reopen_pages(login, w, officer, appraiser):
    client = login(officer)
    r = client.post(reverse("scoring:appraisal_finalize", args=[w.a.pk]))
    assert r.status_code == 200 and confirm_value(r) is None and "Chưa thể chốt điểm" in r.content.decode()
    r = client.post(reverse("scoring:appraisal_finalize", args=[w.a.pk]), {"confirmed": "0.00"})
    assert r.status_code in (200, 302) and Assessment.objects.get(pk=w.a.pk).status != "final"
    assert login(appraiser).post(reverse("scoring:appraisal_finalize", args=[w.a.pk])).status_code == 403
    client = login(officer)
    for field in ("1", "2", "4"):
        svc.field_accept_self_scores(assessment=w.a, field_code=field, user=officer)
    Item.objects.filter(assessment=w.a, criterion__rule__in=["survey", "imported"]).update(
        external_points=Decimal("1"))
    r = client.post(reverse("scoring:appraisal_finalize", args=[w.a.pk]))
    assert r.status_code == 200 and Assessment.objects.get(pk=w.a.pk).status != "final"
    client.post(reverse("scoring:appraisal_finalize", args=[w.a.pk]), confirm_post(r))
    assert Assessment.objects.get(pk=w.a.pk).status == "final"
    client.post(reverse("scoring:appraisal_reopen", args=[w.a.pk]), {"reason": ""})
    assert Assessment.objects.get(pk=w.a.pk).status == "final"
    client.post(reverse("scoring:appraisal_reopen", args=[w.a.pk]), {"reason": "Rà soát lại tiêu chí 1.1"})
    assert Assessment.objects.get(pk=w.a.pk).status == "appraised"
    html = client.get(page_url(w)).content.decode()
    assert "Rà soát lại tiêu chí 1.1" in html and FinalisationLog.objects.filter(assessment=w.a).count() == 2


def test_assignment_page(login, w, officer, appraiser):
    url = reverse("scoring:assignment_list", args=[w.campaign.pk])
    assert login(appraiser).get(url).status_code == 403
    client = login(officer)
    assert client.get(url).status_code == 200
    r = client.post(url, {"appraiser": appraiser.pk, "group": group("department").pk, "codes": ["2"],
                          "other_codes": "5.1"})
    assert r.status_code == 302
    assert sorted(c for a in w.campaign.assignments.filter(appraiser=appraiser) for c in a.codes) == ["1", "2", "5.1"]


def test_queue_lists_assigned_work_and_what_changed(login, w, appraiser, staff_a, officer):
    client = login(appraiser)
    url = reverse("scoring:appraisal_queue", args=[w.campaign.pk])
    r = client.get(url)
    assert r.status_code == 200 and w.a.agency.name in r.content.decode()
    rows = r.context["rows"]
    assert rows[0].assigned == 3 and rows[0].pending == 3 and rows[0].seen_at is None
    client.get(page_url(w))  # looks at it now
    later = timezone.now() + timedelta(minutes=5)
    Item.objects.filter(assessment=w.a, criterion__code="1.3").update(updated_at=later)
    rows = client.get(url).context["rows"]
    assert rows[0].changed == 1
    assert [r.assessment.pk for r in client.get(url + "?show=changed").context["rows"]] == [w.a.pk]
    svc.field_accept_self_scores(assessment=w.a, field_code="1", user=appraiser)
    assert client.get(url + "?show=todo").context["rows"] == []
    assert login(staff_a).get(url).status_code == 404


def test_query_counts_do_not_grow_with_agencies_or_items(login, w, appraiser, officer, campaign,
                                                         django_assert_max_num_queries):
    from scoring.services.assessments import assessments_ensure

    for n in range(6):
        agency = AgencyFactory(code=f"SX{n}", name=f"Sở thử {n}", group=group("department"))
        campaign.agencies.add(agency)
    assessments_ensure(campaign=campaign)
    Assessment.objects.filter(campaign=campaign, agency__code__startswith="SX").update(status="submitted")
    explain_svc.explanation_request_create(assessment=w.a, codes=["1.2"], question="Bổ sung?",
                                   due_at=timezone.now() + timedelta(days=2), user=appraiser)
    client = login(appraiser)
    client.get(page_url(w))
    with django_assert_max_num_queries(24):  # 20 + the documents' checks (checks, period, campaign) + excerpts
        assert client.get(page_url(w)).status_code == 200
    with django_assert_max_num_queries(17):  # 13 + the share's progress over the campaign (3) + N/A codes (1)
        r = client.get(reverse("scoring:appraisal_queue", args=[campaign.pk]))
        assert len(r.context["rows"]) == 7


def test_imported_figures_page(login, w, officer, appraiser):
    from tests.scoring.test_appraisal_figures import xlsx_upload

    url = reverse("scoring:imported_figures", args=[w.campaign.pk])
    assert login(appraiser).get(url).status_code == 403
    client = login(officer)
    r = client.post(url, {"file": xlsx_upload([("SA", "5.1", "4,5", "Cổng DVC", ""), ("SB", "5.1", "9", "", "")])})
    assert r.status_code == 200 and "phải từ 0 đến 5" in r.content.decode() and not r.context["payload"]
    r = client.post(url, {"file": xlsx_upload([("SA", "5.1", "4,5", "Cổng DVC", "Quý IV")])})
    assert r.status_code == 200 and r.context["payload"]
    assert item(w.a, "5.1").external_points is None  # a preview writes nothing
    r = client.post(url, {"payload": r.context["payload"]})
    assert r.status_code == 302 and item(w.a, "5.1").external_points == Decimal("4.50")
    assert client.post(url, {"payload": "forged"}).status_code == 302


def test_explanation_request_asks_for_confirmation_with_the_counts(login, w, appraiser, staff_a):
    """The deadline is typed dd/mm/yyyy HH:MM (day first, whatever the language) and shown
    back on the confirmation with the number of items and the agency; nothing is sent yet."""
    due = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=8, minute=30, second=0, microsecond=0)
    typed = due.strftime("%d/%m/%Y %H:%M")
    create = reverse("scoring:explanation_request_create", args=[w.a.pk])
    assert login(staff_a).post(create, {"codes": ["1.2"], "question": "?", "due_at": typed}).status_code == 404
    client = login(appraiser)
    r = client.post(create, {"codes": ["1.2", "1.3"], "question": "Đề nghị bổ sung biên bản", "due_at": typed},
                    HTTP_ACCEPT_LANGUAGE="en")
    page = r.content.decode()
    assert r.status_code == 200 and not ExplanationRequest.objects.exists()
    facts = page[page.index('class="confirm-facts"'):page.index("</dl>")]
    assert w.a.agency.name in facts and "<strong>2</strong>: 1.2, 1.3" in facts and typed in facts
    assert Assessment.objects.get(pk=w.a.pk).status == w.a.status  # not explanation_requested
    r = client.post(create, confirm_post(r))
    request = ExplanationRequest.objects.get(assessment=w.a)
    assert r.status_code == 302 and request.due_at == due


def test_explanation_request_with_a_bad_date_says_how_to_type_it(login, w, appraiser):
    r = login(appraiser).post(reverse("scoring:explanation_request_create", args=[w.a.pk]),
                              {"codes": ["1.2"], "question": "?", "due_at": "2026-13-45"}, follow=True)
    assert "Nhập ngày giờ theo dạng dd/mm/yyyy HH:MM, ví dụ 05/11/2026 08:00." in r.content.decode()
    assert not ExplanationRequest.objects.exists()


def test_finalise_confirmation_shows_the_total_and_then_finalises(login, w, officer, staff_a):
    for field in ("1", "2", "4"):
        svc.field_accept_self_scores(assessment=w.a, field_code=field, user=officer)
    Item.objects.filter(assessment=w.a, criterion__rule__in=["survey", "imported"]).update(
        external_points=Decimal("1"))
    url = reverse("scoring:appraisal_finalize", args=[w.a.pk])
    assert login(staff_a).post(url).status_code == 404
    client = login(officer)
    r = client.post(url)
    assert r.status_code == 200 and Assessment.objects.get(pk=w.a.pk).status != "final"
    page = r.content.decode()
    from scoring.views.appraisal_pages import appraisal_page_data

    total = appraisal_page_data(user=officer, assessment=w.a).appraised_result.total
    assert confirm_value(r) == str(total.quantize(Decimal("0.01")))
    assert w.a.agency.name in page and "Chốt điểm thẩm định" in page
    assert client.post(url, confirm_post(r)).status_code == 302
    assert Assessment.objects.get(pk=w.a.pk).status == "final"


def test_appraisal_form_reads_a_decimal_comma_and_keeps_a_refused_number(login, w, appraiser, staff_a):
    client = login(appraiser)
    url = reverse("scoring:appraisal_item", args=[w.a.pk, "1.1"])
    r = client.post(url, {"score": "1,5,5", "comment": "Thiếu văn bản"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "có nhiều dấu phân cách thập phân" in html
    assert 'name="score" data-step="0.5"' in html and 'value="1,5,5"' in html  # the text stays as typed
    assert item(w.a, "1.1").appraisal_state == "pending"
    r = client.post(url, {"score": "1,5", "comment": "Thiếu văn bản"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert item(w.a, "1.1").appraised_points == Decimal("1.50") and item(w.a, "1.1").appraised_input == {"score": "1.5"}
    html = client.get(page_url(w)).content.decode()
    assert 'inputmode="decimal" data-number="decimal" autocomplete="off" name="score"' in html
    assert 'value="1,5"' in html and 'type="number"' not in html
    assert client.post(url, {"score": "1", "comment": "x"}).status_code == 302  # plain post still works
    assert login(staff_a).post(url, {"score": "1,5", "comment": "x"}).status_code == 404
