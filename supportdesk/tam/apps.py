from django.apps import AppConfig


class TamConfig(AppConfig):
    name = "supportdesk.tam"
    label = "tam"
