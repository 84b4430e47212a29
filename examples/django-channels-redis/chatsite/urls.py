"""No HTTP pages: the chat is WebSocket only (see asgi.py)."""

urlpatterns = []
