from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/<int:webhook_id>/", views.webhook_detail, name="webhook"),
    path("webhooks/<int:webhook_id>/deactivate/", views.webhook_deactivate, name="webhook-deactivate"),
]
