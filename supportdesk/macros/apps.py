from django.apps import AppConfig


class MacrosConfig(AppConfig):
    name = "supportdesk.macros"
    label = "macros"
    verbose_name = "Saved replies"
