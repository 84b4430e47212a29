from channels.generic.websocket import AsyncJsonWebsocketConsumer


class ChatConsumer(AsyncJsonWebsocketConsumer):
    connected_users = set()
    messages = []

    async def connect(self):
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.group = f"chat_{self.room}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.connected_users.add(self.scope["user"].username)
        await self.send_json({"history": self.messages[-50:]})

    async def disconnect(self, code):
        self.connected_users.discard(self.scope["user"].username)
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content):
        message = {"room": self.room, "text": content["text"]}
        self.messages.append(message)
        await self.channel_layer.group_send(self.group, {"type": "chat.message", "message": message})

    async def chat_message(self, event):
        await self.send_json(event["message"])
