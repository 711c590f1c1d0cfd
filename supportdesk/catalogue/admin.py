from django.contrib import admin

from .models import Offering, OfferingVersion, SeverityLevel


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "recurring", "priced_per_user_tier", "active")


@admin.register(OfferingVersion)
class OfferingVersionAdmin(admin.ModelAdmin):
    """Versions are published through the API/actions (which check the features and the dates); existing
    ones are never edited or deleted, so what an old contract bought stays as it was."""

    list_display = ("offering", "version", "effective_from")

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(SeverityLevel)
class SeverityLevelAdmin(admin.ModelAdmin):
    list_display = ("level", "name")
