from django.urls import path

from . import views

urlpatterns = [
    path("oncall/", views.rota, name="oncall-rota"),
]
