"""The OpenAPI schema drf-spectacular builds, made true to what the API does.

Names: every API view keeps its serializers inside it (`CampaignListApi.InputSerializer`), so
the class name alone ("Input", "Output") is shared by many views and drf-spectacular would
document one operation with another's body. A nested serializer's component is named after
its whole path instead: `CampaignListInput`, `CampaignDetailOutputStep`.

Errors: every operation documents the error answers of the portal's one error handler
(cchc_portal/core/api.py), `{"detail", "errors"}`: 400 where input is read, 401 and 403
everywhere, 404 where an id, a filter or a body names something, 409 on every write.
Paths under /api/ that match no route answer a JSON 404 too (`api_not_found`).
"""
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


def component_name(cls) -> str:
    """`CampaignDetailApi.OutputSerializer.StepSerializer` → `CampaignDetailOutputStep`; a
    top-level class keeps its own name."""
    parts = [part for part in cls.__qualname__.split(".") if part != "<locals>"]
    if len(parts) == 1:
        return cls.__name__
    return "".join(part.removesuffix("Serializer").removesuffix("Api") or part for part in parts)


class ErrorSerializer(serializers.Serializer):
    """Every error answer: a Vietnamese `detail` and the field errors (a stale save adds
    `current`, a refused file `code`)."""

    detail = serializers.CharField()
    errors = serializers.JSONField(help_text="{field: [messages]}; for a file import [{row, column, message}]")


ERROR_DESCRIPTIONS = {
    "400": "Dữ liệu không hợp lệ",
    "401": "Chưa đăng nhập",
    "403": "Không có quyền",
    "404": "Không tìm thấy (hoặc không được xem)",
    "409": "Xung đột: phiên bản cũ, đã khóa theo thời hạn hoặc sai trạng thái",
}


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer, direction):
        return component_name(serializer.__class__)

    def error_codes(self, operation) -> list[str]:
        """The error statuses this operation can answer (see the module's docstring). 401
        and 403 everywhere: a bad token is refused even where no login is needed, and public
        results are refused until published."""
        names_something = bool(operation.get("parameters")) or "requestBody" in operation
        codes = ["400"] if self.method != "GET" or operation.get("parameters") else []
        codes += ["401", "403"]
        if names_something:
            codes.append("404")
        if self.method != "GET":
            codes.append("409")
        return codes

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = self.resolve_serializer(ErrorSerializer(), "response").ref
        responses = operation.setdefault("responses", {})
        for code in self.error_codes(operation):
            responses.setdefault(code, {"content": {"application/json": {"schema": error}},
                                        "description": ERROR_DESCRIPTIONS[code]})
        return operation
