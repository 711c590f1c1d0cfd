from django.urls import path

from . import views, webhooks

urlpatterns = [
    path("console/review/", views.review_list, name="intake-review"),
    path("console/review/<int:inbound_id>/", views.review_detail, name="intake-review-detail"),
    path("console/review/<int:inbound_id>/raw/", views.review_raw, name="intake-review-raw"),
    path("intake/webhook/<slug:provider>/", webhooks.inbound_webhook, name="intake-webhook"),
]
