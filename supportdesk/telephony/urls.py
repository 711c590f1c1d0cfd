from django.urls import path

from . import twilio_hooks, views, webhook

urlpatterns = [
    path("phone/webhook/", webhook.phone_webhook, name="phone-webhook"),
    path("phone/twilio/voice/", twilio_hooks.voice, name="phone-twilio-voice"),
    path("phone/twilio/recording/", twilio_hooks.recording, name="phone-twilio-recording"),
    path("phone/log/<int:ticket_id>/", views.log_call, name="phone-log-call"),
    path("phone/unmatched/", views.unmatched_calls, name="phone-unmatched-calls"),
]
