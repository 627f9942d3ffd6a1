from django.contrib import admin

from .models import Publication, PublicationRow, ResultSettings


@admin.register(ResultSettings)
class ResultSettingsAdmin(admin.ModelAdmin):
    list_display = ("campaign", "rank_method", "authority_name", "office_name", "updated_at")
    raw_id_fields = ("campaign",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Publications are frozen: no add, change or delete here (a correction is a new publication)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "number", "decision_number", "published_at", "published_by")
    list_filter = ("campaign",)
    exclude = ("rows",)


@admin.register(PublicationRow)
class PublicationRowAdmin(ReadOnlyAdmin):
    list_display = ("publication", "group_code", "rank", "agency_code", "agency_name", "index")
    list_filter = ("publication", "group_code")
    search_fields = ("agency_code", "agency_name")
    exclude = ("data",)
