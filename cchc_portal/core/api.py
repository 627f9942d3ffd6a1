"""DRF glue shared by every app: the error handler and small helpers."""
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import ApplicationError


def _django_errors(exc):
    if hasattr(exc, "message_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    """Errors look alike everywhere: `{"detail": "...", "errors": {...}}`.

    400 for bad input, 401/403 for who you are, 404 for what you may not see or what does
    not exist, 409 for a conflict.
    """
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.message, "errors": exc.extra.get("errors", {})}
        body.update({k: v for k, v in exc.extra.items() if k != "errors"})
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        errors = _django_errors(exc)
        first = next(iter(errors.values()), [_("Dữ liệu không hợp lệ.")])
        return Response({"detail": first[0] if first else _("Dữ liệu không hợp lệ."), "errors": errors}, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Không tìm thấy."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"detail": _("Dữ liệu không hợp lệ."), "errors": data}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "errors": {}}
    return response


class PointsField(serializers.DecimalField):
    """Points travel as strings with 2 decimals ("8.25"): no float ever touches a score."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)


def inline_serializer(*, fields, data=None, **kwargs):
    """HackSoft's helper: a throwaway serializer class for nested input/output."""
    serializer_class = type("InlineSerializer", (serializers.Serializer,), fields)
    if data is not None:
        return serializer_class(data=data, **kwargs)
    return serializer_class(**kwargs)


def not_found(request, exception=None):
    """handler404: a path under /api/ that matches no route (`/respondents/abc/` where an id
    is a number) answers like every other API error, in JSON; pages keep Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Không tìm thấy."), "errors": {}}, status=404)
    return defaults.page_not_found(request, exception)
