from django.contrib import admin
from django.urls import include, path

from supportdesk.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("supportdesk.web.urls")),
    path("", include("supportdesk.accounts.urls")),
    path("", include("supportdesk.intake.urls")),
    path("", include("supportdesk.livechat.urls")),
    path("", include("supportdesk.telephony.urls")),
    path("", include("supportdesk.oncall.urls")),
    path("", include("supportdesk.learning.urls")),
    path("", include("supportdesk.tam.urls")),
    path("", include("supportdesk.billing.urls")),
    path("", include("supportdesk.helpcenter.urls")),
    path("", include("supportdesk.macros.urls")),
    path("", include("supportdesk.sla.urls")),
    path("", include("supportdesk.satisfaction.urls")),
    path("", include("supportdesk.notifications.urls")),
]
