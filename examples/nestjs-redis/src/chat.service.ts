import { Injectable, OnModuleInit } from "@nestjs/common";
import { createClient } from "redis";

@Injectable()
export class ChatService implements OnModuleInit {
  private readonly redis = createClient({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });

  async onModuleInit() {
    await this.redis.connect();
  }

  async markOnline(user: string) {
    await this.redis.zAdd("presence:online", { score: Date.now(), value: user });
  }

  async markOffline(user: string) {
    await this.redis.zRem("presence:online", user);
  }

  async addMessage(from: string, text: string) {
    const message = { from, text, at: String(Date.now()) };
    await this.redis.xAdd("chat:messages", "*", message);
    return message;
  }
}
