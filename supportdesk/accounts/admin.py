from django.contrib import admin

from .models import AccountEvent, Client, ClientDomain, ClientPhone, Designation, TamAssignment, User


class DomainInline(admin.TabularInline):
    model = ClientDomain
    extra = 0


class PhoneInline(admin.TabularInline):
    model = ClientPhone
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone", "created_at")
    search_fields = ("name",)
    inlines = [DomainInline, PhoneInline]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "client", "client_role", "is_active")
    search_fields = ("email", "full_name")
    list_filter = ("client_role", "is_active")
    exclude = ("password", "user_permissions", "groups")


@admin.register(Designation, TamAssignment, AccountEvent)
class ReadOnlyHistoryAdmin(admin.ModelAdmin):
    """History is written by actions only; the admin shows it."""

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
