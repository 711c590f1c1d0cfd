"""WebSocket routes of live chat (collected by supportdesk.routing)."""

from django.urls import path

from .consumers import AgentChatConsumer, ClientChatConsumer

websocket_urlpatterns = [
    path("ws/chat/", ClientChatConsumer.as_asgi()),
    path("ws/chat/agents/", AgentChatConsumer.as_asgi()),
]
