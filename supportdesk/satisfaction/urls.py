from django.urls import path

from . import views

urlpatterns = [
    path("satisfaction/<str:token>/", views.survey, name="satisfaction-survey"),
]
