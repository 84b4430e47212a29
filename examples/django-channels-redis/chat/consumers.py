from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .models import Message, OnlineUser


@database_sync_to_async
def save_message(room, text):
    return Message.objects.create(room=room, text=text)


@database_sync_to_async
def recent_messages(room):
    return [{"room": m.room, "text": m.text} for m in Message.objects.filter(room=room).order_by("-id")[:50]][::-1]


@database_sync_to_async
def mark_online(username):
    OnlineUser.objects.update_or_create(username=username)


@database_sync_to_async
def mark_offline(username):
    OnlineUser.objects.filter(username=username).delete()


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.group = f"chat_{self.room}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await mark_online(self.scope["user"].username)
        await self.send_json({"history": await recent_messages(self.room)})

    async def disconnect(self, code):
        await mark_offline(self.scope["user"].username)
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content):
        await save_message(self.room, content["text"])
        message = {"room": self.room, "text": content["text"]}
        await self.channel_layer.group_send(self.group, {"type": "chat.message", "message": message})

    async def chat_message(self, event):
        await self.send_json(event["message"])
