from django.contrib import admin

from .models import CommandRun


@admin.register(CommandRun)
class CommandRunAdmin(admin.ModelAdmin):
    list_display = ("at", "command", "user", "forced", "reason", "outcome")
    list_filter = ("command", "forced")
    search_fields = ("command", "reason", "outcome", "user__username")
    readonly_fields = ("at", "command", "user", "forced", "reason", "arguments", "outcome")
