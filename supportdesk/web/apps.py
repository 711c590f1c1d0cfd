from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "supportdesk.web"
    label = "web"
