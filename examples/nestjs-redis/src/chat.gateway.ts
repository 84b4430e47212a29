import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from "@nestjs/websockets";
import { Server, Socket } from "socket.io";
import { ChatService } from "./chat.service";

@WebSocketGateway({ cors: true })
export class ChatGateway implements OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() server: Server;

  constructor(private readonly chat: ChatService) {}

  async handleConnection(client: Socket) {
    await this.chat.markOnline(String(client.handshake.auth.name ?? client.id));
  }

  async handleDisconnect(client: Socket) {
    await this.chat.markOffline(String(client.handshake.auth.name ?? client.id));
  }

  @SubscribeMessage("message")
  async onMessage(@MessageBody() text: string, @ConnectedSocket() client: Socket) {
    const message = await this.chat.addMessage(String(client.handshake.auth.name ?? client.id), text);
    this.server.emit("message", message);
  }
}
