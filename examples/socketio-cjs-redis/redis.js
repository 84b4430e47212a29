// One Redis connection for commands, plus a duplicate pair for the adapter's pub/sub.
const { createClient } = require("redis");

const url = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const redis = createClient({ url });
redis.on("error", (err) => console.error("redis:", err.message));

module.exports = { redis, url };
