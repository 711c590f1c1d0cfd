from django.urls import path

from . import views

urlpatterns = [
    path("billing/", views.overview, name="billing-overview"),
    path("billing/quote/", views.quote, name="billing-quote"),
    path("billing/prices/", views.prices, name="billing-prices"),
    path("billing/runs/<int:run_id>/", views.run_detail, name="billing-run"),
    path("billing/clients/<int:client_id>/", views.client_history, name="billing-client"),
    path("billing/invoices/<int:invoice_id>/", views.invoice_detail, name="billing-invoice"),
    path("billing/invoices/<int:invoice_id>.pdf", views.invoice_pdf, name="billing-invoice-pdf"),
    path("billing/invoices/<int:invoice_id>.csv", views.invoice_csv, name="billing-invoice-csv"),
    path("billing/charges/<int:charge_id>/receipt", views.receipt, name="billing-receipt"),
    path("portal/invoices/", views.portal_invoices, name="portal-invoices"),
    path("portal/invoices/<int:invoice_id>/", views.invoice_detail, name="portal-invoice"),
    path("portal/invoices/<int:invoice_id>.pdf", views.invoice_pdf, name="portal-invoice-pdf"),
    path("portal/invoices/<int:invoice_id>.csv", views.invoice_csv, name="portal-invoice-csv"),
]
