from django.apps import AppConfig


class HelpcenterConfig(AppConfig):
    name = "supportdesk.helpcenter"
    label = "helpcenter"
