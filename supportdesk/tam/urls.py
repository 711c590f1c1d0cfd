from django.urls import path

from . import portal_views, views

urlpatterns = [
    path("tam/", views.workspace, name="tam-workspace"),
    path("tam/feed/rotate/", views.rotate_feed, name="tam-feed-rotate"),
    path("tam/feed/<str:token>.ics", views.feed, name="tam-feed"),
    path("tam/clients/<int:client_id>/", views.client_page, name="tam-client"),
    path("tam/series/<int:series_id>/", views.series_page, name="tam-series"),
    path("tam/calls/<int:occ_id>/", views.call_page, name="tam-call"),
    path("tam/visits/<int:visit_id>/", views.visit_page, name="tam-visit"),
    path("tam/upgrades/<int:plan_id>/", views.upgrade_page, name="tam-upgrade"),
    path("tam/tickets/<int:ticket_id>/escalate/", views.escalate, name="tam-escalate"),
    path("tam/tickets/<int:ticket_id>/guide/", views.guide_page, name="tam-guide"),
    path("tam/tickets/<int:ticket_id>/recording/", views.recording_page, name="tam-recording"),
    path("tam/expenses/<int:expense_id>/receipt/", views.receipt, name="tam-receipt"),
    path("tam/library/<int:item_id>/file/", views.library_file, name="tam-library-file"),
    path("portal/tam/", portal_views.account, name="portal-tam"),
    path("portal/tam/upgrades/<int:plan_id>/confirm/", portal_views.confirm_upgrade, name="portal-tam-confirm"),
    path("portal/library/", portal_views.library_list, name="portal-library"),
    path("portal/library/<int:item_id>/", portal_views.library_item, name="portal-library-item"),
]
