from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "supportdesk.learning"
    label = "learning"
