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

  private connectedUsers = new Map<string, string>();

  constructor(private readonly chat: ChatService) {}

  handleConnection(client: Socket) {
    this.connectedUsers.set(client.id, String(client.handshake.auth.name ?? "anonymous"));
    this.server.emit("users", [...this.connectedUsers.values()]);
  }

  handleDisconnect(client: Socket) {
    this.connectedUsers.delete(client.id);
    this.server.emit("users", [...this.connectedUsers.values()]);
  }

  @SubscribeMessage("message")
  onMessage(@MessageBody() text: string, @ConnectedSocket() client: Socket) {
    const message = this.chat.addMessage(this.connectedUsers.get(client.id) ?? "?", text);
    this.server.emit("message", message);
  }
}
