import { Injectable } from "@nestjs/common";

export interface Message {
  from: string;
  text: string;
  at: number;
}

@Injectable()
export class ChatService {
  private messages: Message[] = [];

  addMessage(from: string, text: string): Message {
    const message = { from, text, at: Date.now() };
    this.messages.push(message);
    return message;
  }

  recent(count = 50): Message[] {
    return this.messages.slice(-count);
  }
}
