from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "supportdesk.contracts"
    label = "contracts"
