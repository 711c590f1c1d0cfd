from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    name = "supportdesk.telephony"
    label = "telephony"
