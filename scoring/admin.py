"""Django admin for criteria sets (read-mostly: officers edit sets in the portal's pages,
where the lock and amendments are enforced)."""
from django.contrib import admin

from .models import CriteriaAmendment, CriteriaSet, Criterion


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ["code", "title", "max_points", "rule", "params", "evidence_required", "capped"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["order"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ["campaign", "group", "locked_at", "copied_from", "bonus_cap", "penalty_cap"]
    list_filter = ["group", "campaign__year"]
    list_select_related = ["campaign", "group", "copied_from", "copied_from__campaign", "copied_from__group"]
    raw_id_fields = ["copied_from"]
    readonly_fields = ["locked_at"]
    inlines = [CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "criteria_set", "max_points", "rule", "evidence_required"]
    list_filter = ["rule", "evidence_required", "criteria_set__group"]
    list_select_related = ["criteria_set", "criteria_set__campaign", "criteria_set__group"]
    search_fields = ["code", "title"]
    raw_id_fields = ["criteria_set", "parent", "previous", "responsible_agency"]
    filter_horizontal = ["not_applicable_to"]


@admin.register(CriteriaAmendment)
class CriteriaAmendmentAdmin(admin.ModelAdmin):
    list_display = ["made_at", "criteria_set", "code", "made_by", "reason"]
    list_select_related = ["criteria_set", "criteria_set__campaign", "criteria_set__group", "made_by"]
    readonly_fields = ["criteria_set", "code", "reason", "change", "made_by", "made_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
