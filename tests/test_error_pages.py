"""Error pages: Vietnamese 400, 403, 404, 500 and CSRF pages in the portal's style (English
when English is chosen); under /api/ every error is `{"detail": ...}` JSON, never HTML."""
import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _html(response):
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def test_404_is_vietnamese_in_the_portal_layout(production, login, staff_a):
    html = _html(response := login(staff_a).get("/no-such-page/"))
    assert response.status_code == 404
    assert '<html lang="vi">' in html and 'class="topbar"' in html and 'class="mainnav"' in html
    assert "Không tìm thấy trang" in html and "Về trang chủ" in html
    assert staff_a.display_name in html  # the base layout, with the user's bar
    assert "Not Found" not in html


def test_404_from_a_view_for_anonymous(production, client, campaign):
    html = _html(response := client.get(f"/ket-qua/{campaign.pk}/don-vi/SA/"))  # not published: its own page
    assert response.status_code == 404
    assert "Kết quả chưa công bố" in html and 'class="mainnav"' not in html
    html = _html(response := client.get("/reports/1/no-such-page/"))
    assert response.status_code == 404 and "Không tìm thấy trang" in html and 'class="mainnav"' not in html


def test_404_in_english(production, client):
    client.cookies["django_language"] = "en"
    html = _html(response := client.get("/no-such-page/", **ENGLISH))
    assert response.status_code == 404
    assert '<html lang="en">' in html and "Page not found" in html and "Không tìm thấy" not in html


def test_403_is_vietnamese_in_the_portal_layout(production, login, staff_a, campaign):
    html = _html(response := login(staff_a).get(f"/reports/{campaign.pk}/board/"))
    assert response.status_code == 403
    assert '<html lang="vi">' in html and 'class="mainnav"' in html
    assert "Không có quyền truy cập" in html and "403 Forbidden" not in html


@pytest.mark.urls("tests.error_urls")
def test_500_needs_no_request_context_nor_database(production, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/boom/")
    html = _html(response)
    assert response.status_code == 500
    assert '<html lang="vi">' in html and 'class="topbar"' in html and "/static/css/portal" in html
    assert "Đã có lỗi xảy ra" in html and "Server Error" not in html


@pytest.mark.urls("tests.error_urls")
def test_500_in_english(production):
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    html = _html(response := client.get("/boom/", **ENGLISH))
    assert response.status_code == 500 and "Something went wrong" in html and "Đã có lỗi" not in html


@pytest.mark.urls("tests.error_urls")
def test_400_is_vietnamese(production, client):
    html = _html(response := client.get("/bad-request/"))
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in html and 'class="topbar"' in html and "Bad Request" not in html


def test_csrf_failure_is_vietnamese_and_loses_nothing_silently(login, staff_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a, backend="django.contrib.auth.backends.ModelBackend")
    html = _html(response := client.post("/notifications/read-all/"))
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in html and "chưa lưu gì" in html and "CSRF verification failed" not in html
    assert 'class="topbar"' in html


# ------------------------------------------------------------------ /api/ errors are JSON


def _detail(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body["detail"], str) and body["detail"]
    return body["detail"]


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_address_is_a_json_404(settings, api, officer, debug):
    settings.DEBUG = debug
    assert _detail(api.as_user(officer).get("/api/v1/no-such-thing/"), 404) == "Không tìm thấy."
    assert _detail(api.get("/api/nothing-here/", HTTP_ACCEPT="text/html"), 404) == "Không tìm thấy."


def test_api_404_in_english(production, api, officer):
    assert _detail(api.as_user(officer).get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en"), 404) == "Not found."


def test_api_405_is_json(api, officer):
    _detail(api.as_user(officer).delete("/api/v1/me/"), 405)
    _detail(api.as_user(officer).delete("/api/v1/me/", HTTP_ACCEPT="text/html"), 405)


@pytest.mark.urls("tests.error_urls")
@pytest.mark.parametrize("debug", [False, True])
def test_api_500_is_json(settings, debug):
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    detail = _detail(client.get("/api/boom/", HTTP_ACCEPT="text/html"), 500)
    assert "Lỗi máy chủ" in detail


def test_api_csrf_failure_is_json(staff_a, campaign):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_a, backend="django.contrib.auth.backends.ModelBackend")
    _detail(client.post("/api/v1/campaigns/", {"year": 2027}), 403)
    _detail(client.post("/api/v1/campaigns/", {"year": 2027}, HTTP_ACCEPT="text/html"), 403)


def test_api_refusals_stay_json_for_a_browser(client, staff_a, campaign):
    """The browsable API would answer a browser's refusal in HTML; errors stay JSON."""
    _detail(client.get("/api/v1/me/", HTTP_ACCEPT="text/html"), 401 if client.get("/api/v1/me/").status_code == 401
            else 403)
    client.force_login(staff_a, backend="django.contrib.auth.backends.ModelBackend")
    _detail(client.get(f"/api/v1/campaigns/{campaign.pk + 1000}/", HTTP_ACCEPT="text/html"), 404)


def test_api_error_detail_is_kept_for_a_browser(login, officer, campaign):
    """A DRF error the browsable API would show in HTML comes back as JSON with its own detail."""
    client = login(officer)
    response = client.post(f"/api/v1/campaigns/{campaign.pk}/publish/", {"decision_number": ""},
                           HTTP_ACCEPT="text/html")
    assert response.status_code in (400, 409)
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["detail"] not in ("Yêu cầu không hợp lệ.", "") and "errors" in body
