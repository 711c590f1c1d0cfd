from django.apps import AppConfig


class RevisionsConfig(AppConfig):
    name = "supportdesk.revisions"
    label = "revisions"
