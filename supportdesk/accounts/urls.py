from django.urls import path

from . import views

urlpatterns = [
    path("portal/designated/", views.portal_designated, name="portal-designated"),
    path("console/clients/<int:client_id>/designated/", views.console_designated, name="console-designated"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<str:prefix>/revoke/", views.token_revoke, name="token-revoke"),
]
