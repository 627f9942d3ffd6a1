"""Requests refused before any view sees them."""
from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


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
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "errors": {}}, status=400)
            return HttpResponseBadRequest(render_to_string("bad_input.html", {"message": message}))
        return self.get_response(request)
