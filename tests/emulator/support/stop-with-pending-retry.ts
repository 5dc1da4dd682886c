import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator } from "../../../emulator";

// Run as its own process by webhook-retries.test.ts: a delivery answered 500 leaves Shopify's first retry 56 s
// away; the emulator and the receiver stop, and this process must then end by itself, not when that timer fires.
const receiver = createServer((req, res) => req.resume().on("end", () => res.writeHead(500).end()));
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const emulator = await startEmulator({
  apiSecret: "stop-test-secret",
  appUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
});
emulator.control.createShop({ domain: "stop.myshopify.com" });
const delivery = await emulator.control.sendWebhook({ shop: "stop.myshopify.com", topic: "app/uninstalled" });
await emulator.stop();
receiver.closeAllConnections();
await new Promise<void>((resolve) => receiver.close(() => resolve()));
// What would keep the process alive: a timer left behind is a "Timeout" here.
const timers = process.getActiveResourcesInfo().filter((resource) => resource === "Timeout");
console.log(JSON.stringify({ attempts: delivery.attempts, stoppedBeforeRetry: delivery.stoppedBeforeRetry, timers }));
