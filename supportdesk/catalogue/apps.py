from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "supportdesk.catalogue"
    label = "catalogue"
