from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="sla-dashboard"),
    path("dashboard/attainment.csv", views.attainment_csv, name="sla-attainment-csv"),
    path("dashboard/attainment.svg", views.attainment_chart, name="sla-attainment-svg"),
    path("dashboard/clients.svg", views.client_attainment_chart, name="sla-clients-svg"),
    path("dashboard/volume.svg", views.volume_chart, name="sla-volume-svg"),
    path("sla/calendars/", views.calendars, name="sla-calendars"),
    path("sla/calendars/<str:kind>/", views.calendar_edit, name="sla-calendar-edit"),
    path("sla/rules/<str:metric>/", views.rule_edit, name="sla-rule-edit"),
    path("sla/jobs/<int:job_id>/", views.job_detail, name="sla-job"),
]
