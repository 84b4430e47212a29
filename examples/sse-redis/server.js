// Server-Sent Events across instances: POSTs publish to Redis, each instance writes to its own clients,
// and replay comes from a Redis Stream keyed by Last-Event-ID.
const express = require("express");
const { createClient } = require("redis");

const app = express();
app.use(express.json());

const redis = createClient({ url: process.env.REDIS_URL || "redis://127.0.0.1:6379" });
const subscriber = redis.duplicate();
const clients = new Set();

app.get("/events", async (req, res) => {
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
  res.flushHeaders();
  const lastId = req.headers["last-event-id"];
  if (lastId) {
    for (const entry of await redis.xRange("events", `(${lastId}`, "+", { COUNT: 500 })) {
      res.write(`id: ${entry.id}\ndata: ${entry.message.data}\n\n`);
    }
  }
  clients.add(res);
  req.on("close", () => clients.delete(res));
});

app.post("/messages", async (req, res) => {
  const data = JSON.stringify(req.body);
  const id = await redis.xAdd("events", "*", { data }, { TRIM: { strategy: "MAXLEN", strategyModifier: "~", threshold: 1000 } });
  await redis.publish("events", JSON.stringify({ id, data }));
  await redis.hSet("online", String(req.body.from ?? "anonymous"), String(Date.now()));
  res.status(204).end();
});

async function main() {
  await Promise.all([redis.connect(), subscriber.connect()]);
  await subscriber.subscribe("events", (raw) => {
    const { id, data } = JSON.parse(raw);
    for (const client of clients) client.write(`id: ${id}\ndata: ${data}\n\n`);
  });
  app.listen(Number(process.env.PORT || 3000));
}

main();
