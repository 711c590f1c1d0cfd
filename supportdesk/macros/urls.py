from django.urls import path

from . import views

urlpatterns = [
    path("console/macros/", views.manage, name="macros"),
    path("console/macros/<int:reply_id>/", views.edit, name="macros-edit"),
    path("console/macros/<int:reply_id>/archive/", views.archive, name="macros-archive"),
    path("console/tickets/<int:ticket_id>/saved-reply/", views.composer_fields, name="macros-composer"),
]
