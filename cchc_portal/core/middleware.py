"""Middleware of the whole portal: requests refused before any view sees them, and /api/
errors answered in JSON, never HTML.

DRF views already answer `{"detail": ..., "errors": {...}}` (cchc_portal.core.api). What
reaches a client otherwise is Django's: the 404 of an unknown /api/ address, a 500 the
handler rendered from 500.html (or the debug page), a 405 or 403 with an empty or HTML body,
and DRF's own errors when a browser asked for HTML (the browsable API). This middleware,
first in MIDDLEWARE so it sees every response, turns those into the API's error shape with
the status kept (a DRF error keeps its detail).
"""
from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def api_error_detail(status: int) -> str:
    messages = {
        400: _("Yêu cầu không hợp lệ."),
        401: _("Cần đăng nhập hoặc gửi token."),
        403: _("Bạn không có quyền thực hiện thao tác này."),
        404: _("Không tìm thấy."),
        405: _("Phương thức không được hỗ trợ ở địa chỉ này."),
        413: _("Dữ liệu gửi lên quá lớn."),
    }
    if status >= 500:
        return _("Lỗi máy chủ; lỗi đã được ghi lại, vui lòng thử lại sau.")
    return messages.get(status, _("Yêu cầu không hợp lệ."))


class ApiErrorsAsJsonMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path.startswith(API_PREFIX) and response.status_code >= 400
                and not response.get("Content-Type", "").startswith("application/json")):
            data = getattr(response, "data", None)  # a DRF answer rendered as HTML for a browser
            if isinstance(data, dict) and "detail" in data:
                body = {"errors": {}, **data, "detail": str(data["detail"])}
            else:
                body = {"detail": api_error_detail(response.status_code), "errors": {}}
            json = JsonResponse(body, status=response.status_code, json_dumps_params={"ensure_ascii": False})
            if response.has_header("Allow"):  # a 405 names the methods the address takes
                json["Allow"] = response["Allow"]
            return json
        return response


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    if "%00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
        return True
    if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                            "multipart/form-data"):
        # the form's fields only: an uploaded file may hold any byte
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    return False


class RejectNulMiddleware:
    """A NUL character in the address, the query or a form's field reaches no view: PostgreSQL
    refuses it in text (a 500 on every page that looks it up or stores it), and no person types
    it. 400 with a message instead; JSON bodies are checked by cchc_portal.core.parsers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            message = _("Yêu cầu chứa ký tự không hợp lệ (ký tự NUL). Vui lòng kiểm tra lại địa chỉ "
                        "hoặc nội dung đã nhập.")
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"detail": message, "errors": {}}, status=400)
            return HttpResponseBadRequest(render_to_string("bad_input.html", {"message": message}))
        return self.get_response(request)
