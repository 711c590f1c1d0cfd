from django.contrib.auth import views as auth_views
from django.urls import path

from .views import clients, common, console, portal

urlpatterns = [
    path("", common.home, name="home"),
    path("login/", common.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
    path("catalogue/", common.catalogue, name="catalogue"),
    path("portal/", portal.ticket_list, name="portal"),
    path("portal/tickets/new/", portal.ticket_new, name="portal-ticket-new"),
    path("portal/tickets/<int:ticket_id>/", portal.ticket_detail, name="portal-ticket"),
    path("portal/tickets/<int:ticket_id>/attachments/<int:attachment_id>/", portal.attachment_download,
         name="portal-attachment"),
    path("portal/plan/", portal.plan, name="portal-plan"),
    path("console/", console.queue, name="console"),
    path("console/next/", console.next_ticket, name="console-next"),
    path("console/search/", console.search, name="console-search"),
    path("console/tickets/<int:ticket_id>/", console.ticket_detail, name="console-ticket"),
    path("console/tickets/<int:ticket_id>/attachments/<int:attachment_id>/", portal.attachment_download,
         name="console-attachment"),
    path("console/clients/", clients.client_list, name="console-clients"),
    path("console/clients/<int:client_id>/", clients.client_detail, name="console-client"),
]
