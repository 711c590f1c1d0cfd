from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "supportdesk.intake"
    label = "intake"
