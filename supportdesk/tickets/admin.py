from django.contrib import admin

from .models import Category, Ticket, TicketEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "guides_enabled")


@admin.register(Ticket, TicketEvent)
class ReadOnlyTicketAdmin(admin.ModelAdmin):
    """Ticket changes go through the console and API (actions); the admin only reads."""

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
