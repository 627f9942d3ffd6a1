from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .library_models import GuidanceDocument
from .models import AssessedPeriod, Document, TrustRoot


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only through the services: the admin shows them, no add, change or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
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


class TrustRootForm(forms.ModelForm):
    """A CA certificate pasted as PEM or uploaded as a .pem/.crt/.cer file (PEM or DER)."""

    upload = forms.FileField(label=_("hoặc tải tệp chứng thư (.pem, .crt, .cer)"), required=False)

    class Meta:
        model = TrustRoot
        fields = ["name", "certificate", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificate"].required = False

    def clean(self):
        import base64

        from .signatures import load_certificates

        data = super().clean()
        upload = data.get("upload")
        text = data.get("certificate") or ""
        if upload is not None:
            raw = upload.read(256 * 1024)
            text = raw.decode("ascii", "ignore") if b"-----BEGIN" in raw else (
                "-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(raw).decode() + "-----END CERTIFICATE-----\n")
        if not text.strip():
            raise forms.ValidationError(_("Hãy dán nội dung PEM hoặc tải tệp chứng thư lên."))
        if not load_certificates([text]):
            raise forms.ValidationError(_("Không đọc được chứng thư: cần định dạng PEM hoặc DER."))
        data["certificate"] = text.strip() + "\n"
        return data


@admin.register(TrustRoot)
class TrustRootAdmin(admin.ModelAdmin):
    """Trust roots for digital signatures (none shipped). Signatures already checked keep
    their result; new uploads are checked against the active roots."""

    form = TrustRootForm
    list_display = ["name", "subject", "active", "uploaded_at"]
    readonly_fields = ["subject"]

    @admin.display(description=_("chủ thể"))
    def subject(self, obj):
        from .signatures import load_certificates

        certificates = load_certificates([obj.certificate]) if obj and obj.certificate else []
        return certificates[0].subject.human_friendly if certificates else "–"


@admin.register(AssessedPeriod)
class AssessedPeriodAdmin(admin.ModelAdmin):
    """The period a campaign assesses (default 01/01–31/12 of its year): evidence dated
    outside it is flagged."""

    list_display = ["campaign", "starts_on", "ends_on"]
    list_select_related = ["campaign"]

@admin.register(GuidanceDocument)
class GuidanceDocumentAdmin(ReadOnlyAdmin):
    """Read-only too: the library's pages (`/evidence/guidance/<campaign>/`) check files and links."""

    list_display = ["title", "campaign", "kind", "number", "issued_on", "step_kind", "original_name", "url"]
    list_filter = ["campaign", "kind"]
    search_fields = ["title", "number", "original_name", "url"]
    list_select_related = ["campaign"]
    exclude = ["file"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, said now
