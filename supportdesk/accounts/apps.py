from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "supportdesk.accounts"
    label = "accounts"
    verbose_name = "Clients and people"
