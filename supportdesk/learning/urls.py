from django.urls import path

from . import views

urlpatterns = [
    path("releases/", views.release_list, name="releases"),
    path("releases/<int:release_id>/download/", views.release_download, name="release-download"),
    path("training/", views.training_list, name="training"),
    path("training/<int:item_id>/", views.training_detail, name="training-item"),
    path("learning/access-log/", views.access_log, name="access-log"),
    path("learning/access-log.csv", views.access_log_csv, name="access-log-csv"),
    path("events/", views.event_list, name="events"),
    path("events/<int:event_id>/", views.event_detail, name="event"),
]
