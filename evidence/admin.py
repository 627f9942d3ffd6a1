from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .library_models import GuidanceDocument
from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: uploads, edits and deletions go through the services (content checks,
    deduplication, links), i.e. through the library page or the API."""

    list_display = ["original_name", "agency", "campaign", "number", "issued_on", "size", "uploaded_by",
                    "uploaded_at"]
    list_filter = ["campaign", "agency__group", "content_type"]
    search_fields = ["original_name", "number", "summary", "issuer", "sha256", "agency__code", "agency__name"]
    list_select_related = ["agency", "campaign", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    readonly_fields = ["download"]
    exclude = ["file"]

    @admin.display(description=_("tệp"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("evidence:download", args=[obj.pk]), obj.original_name)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GuidanceDocument)
class GuidanceDocumentAdmin(admin.ModelAdmin):
    """Read-only too: the library's pages (`/evidence/guidance/<campaign>/`) check files and links."""

    list_display = ["title", "campaign", "kind", "number", "issued_on", "step_kind", "original_name", "url"]
    list_filter = ["campaign", "kind"]
    search_fields = ["title", "number", "original_name", "url"]
    list_select_related = ["campaign"]
    exclude = ["file"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, said now

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
