from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "supportdesk.billing"
    label = "billing"
