from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "supportdesk.satisfaction"
    label = "satisfaction"
    verbose_name = "Customer satisfaction"
