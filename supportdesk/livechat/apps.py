from django.apps import AppConfig


class LivechatConfig(AppConfig):
    name = "supportdesk.livechat"
    label = "livechat"
