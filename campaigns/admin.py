from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from .models import Agency, AgencyGroup, Campaign, Extension, FocalOfficer, Membership, Step, User


class AgencyResource(resources.ModelResource):
    """The same columns as `import_agencies`: code, name, group, parent_code, email."""

    group = fields.Field(attribute="group", column_name="group",
                         widget=widgets.ForeignKeyWidget(AgencyGroup, field="code"))
    parent_code = fields.Field(attribute="parent", column_name="parent_code",
                               widget=widgets.ForeignKeyWidget(Agency, field="code"))

    class Meta:
        model = Agency
        import_id_fields = ["code"]
        fields = ["code", "name", "group", "parent_code", "email", "active"]
        use_transactions = True
        skip_unchanged = True
        clean_model_instances = True


@admin.register(AgencyGroup)
class AgencyGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]


@admin.register(Agency)
class AgencyAdmin(ImportExportModelAdmin):
    resource_classes = [AgencyResource]
    list_display = ["code", "name", "group", "parent", "email", "active", "ranked"]
    list_filter = ["group", "active", "ranked"]
    search_fields = ["code", "name"]
    list_select_related = ["group", "parent"]
    autocomplete_fields = ["parent"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("CCHC", {"fields": ["full_name"]}),)
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    inlines = [MembershipInline]


class StepInline(admin.TabularInline):
    model = Step
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["year", "name", "kind", "owner", "status"]
    list_filter = ["kind", "status", "year"]
    filter_horizontal = ["groups", "agencies"]
    inlines = [StepInline]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["agency", "step", "closes_at", "granted_by", "granted_at"]
    list_select_related = ["agency", "step", "step__campaign", "granted_by"]
    readonly_fields = ["granted_by", "granted_at"]


@admin.register(FocalOfficer)
class FocalOfficerAdmin(admin.ModelAdmin):
    """Read only: agencies and officers write through the focal officers' page (its checks
    and deadline)."""

    list_display = ["agency", "role", "full_name", "position", "phone", "email", "campaign", "updated_at"]
    list_filter = ["role", "campaign"]
    search_fields = ["full_name", "email", "phone", "agency__code", "agency__name"]
    list_select_related = ["agency", "campaign"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
